"""Two workers on one PostgreSQL database never claim the same job (SKIP LOCKED)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from tests.printing.helpers import run_together
from wms_desk.db.models import PrintJob
from wms_desk.services import print_queue
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.stations import ensure_station
from wms_desk.services.uow import run_unit_of_work

pytestmark = pytest.mark.postgresql


@pytest.fixture
def pg_ctx(pg_db_url: str) -> Iterator[ServiceContext]:
    database = Database(pg_db_url)
    station = ensure_station(database, "pg-station")
    yield ServiceContext(database, system_actor(station.id, station.name))
    database.dispose()


def _enqueue_many(ctx: ServiceContext, n: int) -> list[str]:
    def work(uow: print_queue.UnitOfWork) -> list[str]:
        return [
            print_queue.enqueue(
                uow,
                document="label",
                payload=b"^XA^XZ",
                fmt="zpl",
                printer_url="tcp://printer:9100",
                title=f"job {i}",
            )
            for i in range(n)
        ]

    return run_unit_of_work(ctx, work)


def test_a_locked_job_is_skipped_not_shared(pg_ctx: ServiceContext, pg_db_url: str) -> None:
    first, second = _enqueue_many(pg_ctx, 2)
    sent: list[str] = []
    worker = print_queue.PrintWorker(
        pg_ctx.database,
        pg_ctx.actor.station_id,
        send=lambda url, payload, job_id, fmt, title: sent.append(job_id),
    )
    # Another worker is mid-claim on the oldest job: it holds that row's lock.
    other = Database(pg_db_url)
    try:
        with other.write_session() as session, session.begin():
            locked = session.scalars(
                select(PrintJob).where(PrintJob.id == first).with_for_update()
            ).one()
            assert locked.status == "queued"
            assert worker.process_one() is not None  # does not wait for the lock
            assert sent == [second]
    finally:
        other.dispose()


def test_two_workers_send_each_job_exactly_once(pg_ctx: ServiceContext, pg_db_url: str) -> None:
    ids = _enqueue_many(pg_ctx, 40)
    sent: Counter[str] = Counter()
    by_worker: Counter[str] = Counter()
    lock = threading.Lock()
    databases = [Database(pg_db_url), Database(pg_db_url)]

    def make_send(name: str):
        def send(url: str, payload: bytes, job_id: str, fmt: str, title: str) -> None:
            with lock:
                sent[job_id] += 1
                by_worker[name] += 1

        return send

    workers = [
        print_queue.PrintWorker(db, pg_ctx.actor.station_id, send=make_send(f"w{i}"))
        for i, db in enumerate(databases)
    ]
    try:
        run_together(lambda worker: worker.run_pending(), workers)
    finally:
        for db in databases:
            db.dispose()
    assert sorted(sent) == sorted(ids)
    assert set(sent.values()) == {1}
    statuses = {job.status for job in print_queue.list_jobs(pg_ctx)}
    assert statuses == {"sent"}
