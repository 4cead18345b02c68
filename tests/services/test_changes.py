"""The change bus: what a unit of work changed is published after commit, never on rollback."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.printing.servers import raw_printer
from wms_desk.services import print_queue
from wms_desk.services.changes import ChangeSet, Topic
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.uow import run_unit_of_work

ZPL = b"^XA^FDchange bus^FS^XZ\n"


def _enqueue(uow: Any, url: str) -> str:
    return print_queue.enqueue(
        uow, document="label", payload=ZPL, fmt="zpl", printer_url=url, title="Label 1"
    )


def test_published_after_commit_with_the_tables_topics(system_ctx: ServiceContext) -> None:
    heard: list[ChangeSet] = []
    system_ctx.database.changes.subscribe(heard.append)
    run_unit_of_work(system_ctx, lambda uow: _enqueue(uow, "tcp://127.0.0.1:9"))
    assert len(heard) == 1
    assert Topic.PRINT_JOBS in heard[0]
    assert not heard[0].remote


def test_nothing_published_when_the_work_rolls_back(system_ctx: ServiceContext) -> None:
    heard: list[ChangeSet] = []
    system_ctx.database.changes.subscribe(heard.append)

    def work(uow: Any) -> None:
        _enqueue(uow, "tcp://127.0.0.1:9")
        raise ValidationFailed("no")

    with pytest.raises(ValidationFailed):
        run_unit_of_work(system_ctx, work)
    assert heard == []


def test_a_read_only_unit_of_work_announces_nothing(system_ctx: ServiceContext) -> None:
    heard: list[ChangeSet] = []
    system_ctx.database.changes.subscribe(heard.append)
    run_unit_of_work(system_ctx, lambda uow: None)
    assert heard == []


def test_explicit_announcement_and_unsubscribe(system_ctx: ServiceContext) -> None:
    heard: list[ChangeSet] = []
    unsubscribe = system_ctx.database.changes.subscribe(heard.append)
    run_unit_of_work(system_ctx, lambda uow: uow.changed(Topic.SHIPMENTS, 7))
    assert heard[0].ids_of(Topic.SHIPMENTS) == {7}
    unsubscribe()
    run_unit_of_work(system_ctx, lambda uow: uow.changed(Topic.SHIPMENTS, 8))
    assert len(heard) == 1


def test_payload_round_trip() -> None:
    sent = ChangeSet(frozenset({Topic.ORDERS, Topic.STOCK}), station_id=3, origin="abc")
    heard = ChangeSet.from_payload(sent.payload())
    assert heard.topics == sent.topics and heard.station_id == 3 and heard.remote
    assert heard.origin == "abc"
    assert ChangeSet.from_payload("o:x:nonsense,orders").topics == {Topic.ORDERS}


def test_print_worker_is_woken_by_the_bus_alone(system_ctx: ServiceContext) -> None:
    """A service call queues a job; nobody calls wake(); the job is sent within a poll that
    would otherwise take a minute."""
    sent = threading.Event()
    worker = print_queue.PrintWorker(
        system_ctx.database,
        system_ctx.actor.station_id,
        poll_seconds=60,
        listener=lambda event, job: sent.set() if event == "sent" else None,
    )
    worker.start()
    try:
        with raw_printer() as printer:
            # Let the worker finish its start-up pass and go to sleep for its minute.
            assert worker.running
            run_unit_of_work(system_ctx, lambda uow: _enqueue(uow, printer.url))
            assert sent.wait(10), "the print worker did not wake on the change bus"
            assert printer.received.wait(5)
            assert printer.jobs == [ZPL]
    finally:
        worker.stop()
