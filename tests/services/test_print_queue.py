"""The print queue: outbox semantics, retries, unknown outcomes, reprints, restarts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.printing.servers import closed_port, raw_printer
from wms_desk.db.models import AuditEvent, PrintJob
from wms_desk.db.models.base import utcnow
from wms_desk.domain.errors import PermissionDenied
from wms_desk.services import print_queue
from wms_desk.services.context import ServiceContext
from wms_desk.services.database import Database
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.uow import run_unit_of_work

ZPL = b"^XA^FO10,10^A0N,30,30^FH_^FDhello^FS^XZ\n"


def _enqueue(ctx: ServiceContext, url: str, payload: bytes = ZPL) -> str:
    return run_unit_of_work(
        ctx,
        lambda uow: print_queue.enqueue(
            uow, document="label", payload=payload, fmt="zpl", printer_url=url, title="Label 1"
        ),
    )


def _worker(ctx: ServiceContext, **kw: Any) -> print_queue.PrintWorker:
    return print_queue.PrintWorker(ctx.database, ctx.actor.station_id, **kw)


def _audits(database: Database, action: str) -> list[AuditEvent]:
    with database.read_session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_job_is_only_queued_if_the_business_change_commits(system_ctx: ServiceContext) -> None:
    def work(uow: Any) -> None:
        print_queue.enqueue(
            uow,
            document="label",
            payload=ZPL,
            fmt="zpl",
            printer_url="tcp://127.0.0.1:9",
            title="x",
        )
        raise ValidationFailed("the pack step failed")

    with pytest.raises(ValidationFailed):
        run_unit_of_work(system_ctx, work)
    assert print_queue.list_jobs(system_ctx) == []


def test_worker_sends_exact_bytes_after_commit(system_ctx: ServiceContext) -> None:
    with raw_printer() as printer:
        job_id = _enqueue(system_ctx, printer.url)
        events: list[tuple[str, str]] = []
        worker = _worker(system_ctx, listener=lambda e, job: events.append((e, job.id)))
        assert worker.run_pending() == 1
        assert printer.jobs == [ZPL]
    job = print_queue.get_job(system_ctx, job_id)
    assert (job.status, job.attempts, job.sent_at is not None) == ("sent", 1, True)
    assert events == [("sent", job_id)]
    assert worker.run_pending() == 0  # a sent job is never sent again


def test_closed_port_fails_then_retries_with_backoff(system_ctx: ServiceContext) -> None:
    now = [utcnow() + timedelta(seconds=1)]
    port = closed_port()
    job_id = _enqueue(system_ctx, f"tcp://127.0.0.1:{port}")
    worker = _worker(system_ctx, clock=lambda: now[0], backoff=(10, 60))
    assert worker.run_pending() == 1
    job = print_queue.get_job(system_ctx, job_id)
    assert (job.status, job.attempts) == ("failed", 1)
    assert "Cannot connect" in job.last_error
    assert worker.run_pending() == 0  # backing off: not due yet
    now[0] += timedelta(seconds=11)
    assert worker.run_pending() == 1
    assert print_queue.get_job(system_ctx, job_id).attempts == 2
    # The printer comes back; the next due retry delivers the job exactly once.
    with raw_printer() as printer:
        run_unit_of_work(
            system_ctx,
            lambda uow: setattr(uow.session.get(PrintJob, job_id), "printer_url", printer.url),
        )
        now[0] += timedelta(seconds=61)
        assert worker.run_pending() == 1
        assert printer.jobs == [ZPL]
    assert print_queue.get_job(system_ctx, job_id).status == "sent"


def test_stalled_printer_gives_unknown_and_no_silent_duplicate(
    system_ctx: ServiceContext,
) -> None:
    now = [utcnow() + timedelta(seconds=1)]
    with raw_printer(stall=True) as printer:
        job_id = _enqueue(system_ctx, printer.url + "?timeout=0.3")
        worker = _worker(system_ctx, clock=lambda: now[0])
        assert worker.run_pending() == 1
        now[0] += timedelta(hours=1)
        assert worker.run_pending() == 0  # never re-sent on its own
        assert printer.connections == 1
    job = print_queue.get_job(system_ctx, job_id)
    assert job.status == "unknown" and "may or may not have printed" in job.last_error
    assert len(_audits(system_ctx.database, "print.unknown")) == 1
    with pytest.raises(ValidationFailed, match="supervisor"):
        print_queue.retry(system_ctx, job_id)


def test_unknown_needs_a_supervisor_reprint_with_a_reason(
    system_ctx: ServiceContext, make_ctx: Any
) -> None:
    job_id = _enqueue(system_ctx, "tcp://127.0.0.1:9")
    run_unit_of_work(
        system_ctx, lambda uow: setattr(uow.session.get(PrintJob, job_id), "status", "unknown")
    )
    packer, supervisor = make_ctx("packer"), make_ctx("supervisor")
    with pytest.raises(PermissionDenied):
        print_queue.reprint(packer, job_id, "label jammed")
    with pytest.raises(ValidationFailed):
        print_queue.reprint(supervisor, job_id, "  ")
    new_id = print_queue.reprint(supervisor, job_id, "label jammed in the printer")
    new = print_queue.get_job(system_ctx, new_id)
    assert (new.status, new.reprint_of, new.reason) == (
        "queued",
        job_id,
        "label jammed in the printer",
    )
    assert print_queue.job_payload(system_ctx, new_id) == ZPL
    audits = _audits(system_ctx.database, "print.reprinted")
    assert len(audits) == 1 and audits[0].user_id == supervisor.actor.user_id
    assert audits[0].after["reason"] == "label jammed in the printer"


def test_retry_and_cancel(system_ctx: ServiceContext) -> None:
    job_id = _enqueue(system_ctx, f"tcp://127.0.0.1:{closed_port()}")
    _worker(system_ctx).run_pending()
    assert print_queue.retry(system_ctx, job_id).status == "queued"
    assert print_queue.cancel(system_ctx, job_id).status == "cancelled"
    assert _worker(system_ctx).run_pending() == 0
    with pytest.raises(ValidationFailed):
        print_queue.cancel(system_ctx, job_id)
    assert len(_audits(system_ctx.database, "print.retried")) == 1
    assert len(_audits(system_ctx.database, "print.cancelled")) == 1


def test_jobs_queued_before_a_restart_are_sent_after_it(
    system_ctx: ServiceContext, db_url: str
) -> None:
    with raw_printer() as printer:
        ids = [_enqueue(system_ctx, printer.url, ZPL + bytes([65 + i])) for i in range(3)]
        system_ctx.database.dispose()  # the app stops before its worker ran
        restarted = Database(db_url)
        try:
            worker = print_queue.PrintWorker(restarted, system_ctx.actor.station_id)
            worker.start()
            try:
                ctx = ServiceContext(restarted, system_ctx.actor)
                worker.wake()
                deadline = utcnow() + timedelta(seconds=20)
                while len(printer.jobs) < 3 and utcnow() < deadline:
                    printer.received.wait(0.5)
                    printer.received.clear()
            finally:
                worker.stop()
            assert sorted(printer.jobs) == [ZPL + b"A", ZPL + b"B", ZPL + b"C"]
            assert {print_queue.get_job(ctx, i).status for i in ids} == {"sent"}
        finally:
            restarted.dispose()


def test_a_job_left_sending_by_a_dead_worker_becomes_unknown(system_ctx: ServiceContext) -> None:
    job_id = _enqueue(system_ctx, "tcp://127.0.0.1:9")

    def crash(uow: Any) -> None:
        job = uow.session.get(PrintJob, job_id)
        job.status, job.next_attempt_at = "sending", utcnow() - timedelta(minutes=10)

    run_unit_of_work(system_ctx, crash)
    assert _worker(system_ctx).recover() == 1
    assert print_queue.get_job(system_ctx, job_id).status == "unknown"


def test_other_stations_jobs_are_left_alone(system_ctx: ServiceContext) -> None:
    _enqueue(system_ctx, "tcp://127.0.0.1:9")
    other = print_queue.PrintWorker(system_ctx.database, station_id=-1)
    assert other.run_pending() == 0


def test_reprint_of_a_waiting_job_replaces_it(system_ctx: ServiceContext, make_ctx: Any) -> None:
    job_id = _enqueue(system_ctx, f"tcp://127.0.0.1:{closed_port()}")
    _worker(system_ctx).run_pending()  # failed, would be retried
    new_id = print_queue.reprint(
        make_ctx("supervisor"), job_id, "send to the spare printer", "file:///tmp/spare"
    )
    assert print_queue.get_job(system_ctx, job_id).status == "cancelled"
    assert print_queue.get_job(system_ctx, new_id).printer_url == "file:///tmp/spare"
    audit = _audits(system_ctx.database, "print.reprinted")[0]
    assert audit.before == {"status": "failed"}
