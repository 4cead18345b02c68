"""The queue service: permissions, paging, CSV export, and the change watcher."""

from __future__ import annotations

import csv
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select, update

from wms_desk.db.models import Order
from wms_desk.domain.errors import PermissionDenied
from wms_desk.domain.roles import Role
from wms_desk.services import orders, queue
from wms_desk.services.changes import ChangeSet, Topic
from wms_desk.services.context import ServiceContext
from wms_desk.services.database import Database
from wms_desk.services.demo import seed_demo
from wms_desk.services.notifications import RemoteChanges


@pytest.fixture
def supervisor(system_ctx: ServiceContext, make_ctx) -> ServiceContext:
    seed_demo(system_ctx, orders=60, seed=3)
    return make_ctx(Role.SUPERVISOR)


def test_pages_follow_each_other_without_gaps(supervisor: ServiceContext) -> None:
    f = queue.QueueFilter()
    first = queue.load_page(supervisor, queue.QueueRequest(f, "number", limit=25))
    assert first.has_more and len(first.ids) == 25 and first.counts
    assert sum(first.counts.values()) == 60
    second = queue.load_page(
        supervisor, queue.QueueRequest(f, "number", offset=25, limit=25), False
    )
    third = queue.load_page(supervisor, queue.QueueRequest(f, "number", offset=50, limit=25), False)
    assert second.counts is None and not third.has_more
    ids = first.ids + second.ids + third.ids
    assert len(ids) == len(set(ids)) == 60
    numbers = [p.rows[i].number for p in (first, second, third) for i in p.ids]
    assert numbers == sorted(numbers)


def test_packers_cannot_read_the_queue(supervisor: ServiceContext, make_ctx) -> None:
    with pytest.raises(PermissionDenied):
        queue.load_page(make_ctx(Role.PACKER), queue.QueueRequest())


def test_export_neutralises_formulas_and_honours_the_selection(
    supervisor: ServiceContext, tmp_path: Path
) -> None:
    with supervisor.database.write_session() as session, session.begin():
        target = session.scalars(select(Order.id).order_by(Order.id)).first()
        session.execute(
            update(Order).where(Order.id == target).values(customer_name='=HYPERLINK("x")')
        )
    everything = tmp_path / "all.csv"
    written = queue.export_csv(supervisor, queue.QueueRequest(sort="number"), everything)
    assert written == 60
    with everything.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 60
    assert '\'=HYPERLINK("x")' in {r["Customer"] for r in rows}
    assert not any(v.startswith("=") for r in rows for v in r.values())
    picked = tmp_path / "some.csv"
    ids = [target, target + 1]
    assert queue.export_csv(supervisor, queue.QueueRequest(), picked, ids=ids) == 2


def test_another_processs_commit_reaches_this_processs_change_bus(
    supervisor: ServiceContext,
) -> None:
    """Another process (its own Database on the same URL) holds an order: this process hears
    it on its change bus, through LISTEN/NOTIFY on PostgreSQL or the poll on SQLite."""
    here = supervisor.database
    elsewhere = Database(here.url)
    other = replace(supervisor, database=elsewhere)
    heard: list[ChangeSet] = []
    got = threading.Event()
    here.changes.subscribe(lambda c: (heard.append(c), got.set()))
    remote = RemoteChanges(here, poll_seconds=0.1).start()
    try:
        assert remote.ready.wait(10)
        assert not got.wait(0.3)  # nothing happened yet: no false alarm
        page = queue.load_page(
            other, queue.QueueRequest(queue.QueueFilter(statuses=("new",)), limit=1)
        )
        orders.hold_orders(other, list(page.ids), "address check")
        assert got.wait(10)
        assert heard[0].remote and Topic.ORDERS in heard[0]
    finally:
        remote.stop()
        elsewhere.dispose()
    assert not remote.running


def test_printing_without_a_document_printer_says_what_to_do(
    supervisor: ServiceContext, tmp_path: Path
) -> None:
    from wms_desk.services.errors import ValidationFailed
    from wms_desk.settings import load_settings

    settings = load_settings(cli={}, environ={}, config_path=tmp_path / "none.toml")
    page = queue.load_page(supervisor, queue.QueueRequest(limit=2))
    with pytest.raises(ValidationFailed, match="no document printer"):
        queue.print_documents(supervisor, list(page.ids), "slips", settings)
