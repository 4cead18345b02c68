"""Acceptance: an e-mail reaches the SMTP server exactly once, even with a restart while sending.

A worker runs in its own process and is killed with SIGKILL at a known point of the SMTP
conversation (the server holds the conversation there); a new worker then finishes the outbox.
Both windows of docs/outbox.md are covered: killed before the hand-over (the server has nothing:
it is sent again) and killed after the final dot (the server has it: it is never sent again).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

import wms_desk
from tests.services.smtp_server import SmtpRecorder, smtp_server, use_server
from wms_desk.db.models.base import utcnow
from wms_desk.domain.emails import EmailKind, OutgoingEmail
from wms_desk.services import outbox
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.emails import smtp
from wms_desk.services.outbox import OutboxKind, OutboxStatus
from wms_desk.services.stations import ensure_station
from wms_desk.services.uow import run_unit_of_work

pytestmark = pytest.mark.timeout(120)

WORKER = """
import sys
from wms_desk.services.database import Database
from wms_desk.services.emails import smtp
from wms_desk.services.outbox import OutboxWorker
smtp.register()
print("sent" if OutboxWorker(Database(sys.argv[1])).run_once() else "idle", flush=True)
"""


@pytest.fixture
def ctx(any_db_url: str) -> Iterator[ServiceContext]:
    database = Database(any_db_url)
    station = ensure_station(database, "mail-station")
    yield ServiceContext(database, system_actor(station.id, station.name))
    database.dispose()


def _queue_email(ctx: ServiceContext) -> str:
    email = OutgoingEmail(
        "eva@example.com", "Your order 1001 has shipped", "Tracking: RR1SE", EmailKind.SHIPMENT
    )
    run_unit_of_work(
        ctx,
        lambda uow: outbox.enqueue(uow, OutboxKind.EMAIL, "shipment-email:1", email.to_json()),
    )
    (info,) = outbox.list_messages(ctx)
    return info.id


def _worker_process(url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(wms_desk.__file__).parents[1])}
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, url], env=env, stdout=subprocess.PIPE, text=True
    )


def _kill_at(server: SmtpRecorder, step: str, url: str) -> None:
    server.pause_at = step
    worker = _worker_process(url)
    try:
        assert server.reached.wait(60), f"the worker never reached {step}"
        os.kill(worker.pid, signal.SIGKILL)
        assert worker.wait(30) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    server.pause_at = None
    server.release.set()  # the server notices the dead line and ends that session


def _restarted_worker(ctx: ServiceContext) -> outbox.OutboxWorker:
    """The next start, after the dead worker's lease ran out (its clock an hour ahead)."""
    smtp.register()
    return outbox.OutboxWorker(ctx.database, clock=lambda: utcnow() + timedelta(hours=1))


def test_killed_before_the_hand_over_the_new_worker_sends_it_once(
    ctx: ServiceContext, any_db_url: str
) -> None:
    message_id = _queue_email(ctx)
    with smtp_server() as server:
        use_server(ctx, server)
        _kill_at(server, "rcpt", any_db_url)
        assert server.received == []  # the dead worker never got as far as the message
        stuck = outbox.get_message(ctx, message_id)
        assert (stuck.status, stuck.attempts) == (OutboxStatus.SENDING, 1)

        (done,) = _restarted_worker(ctx).drain()
        assert (done.status, done.attempts, done.confirmed) == (OutboxStatus.SENT, 2, True)
        assert len(server.received) == 1
        assert server.message_ids() == [smtp.message_id(message_id, "shop@example.com")]
        assert done.reference == server.message_ids()[0]
        assert _restarted_worker(ctx).drain() == []
    assert len(server.received) == 1


def test_killed_after_the_final_dot_the_message_is_never_sent_again(
    ctx: ServiceContext, any_db_url: str
) -> None:
    message_id = _queue_email(ctx)
    with smtp_server() as server:
        use_server(ctx, server)
        _kill_at(server, "data", any_db_url)
        assert len(server.received) == 1  # the whole message arrived before the kill

        assert _restarted_worker(ctx).drain() == []
        info = outbox.get_message(ctx, message_id)
        assert (info.status, info.confirmed) == (OutboxStatus.SENT, False)
        assert info.last_error.startswith(outbox.UNCONFIRMED)
        assert info.reference == smtp.message_id(message_id, "shop@example.com")
        assert _restarted_worker(ctx).drain() == []
    assert server.message_ids() == [smtp.message_id(message_id, "shop@example.com")]


def test_a_worker_whose_lease_ran_out_stops_before_the_dot(ctx: ServiceContext) -> None:
    """A slow worker (its lease gone before the hand-over) must not complete the message,
    since another worker may already be sending it: the server gets nothing from it."""
    message_id = _queue_email(ctx)
    with smtp_server() as server:
        use_server(ctx, server)
        smtp.register()
        slow = outbox.OutboxWorker(ctx.database, lease=timedelta(0))
        (stopped,) = slow.drain()
        assert (stopped.status, stopped.attempts) == (OutboxStatus.FAILED, 1)
        assert "expired before it was handed over" in stopped.last_error
        assert server.received == []
        later = outbox.OutboxWorker(ctx.database, clock=lambda: utcnow() + timedelta(minutes=5))
        (sent,) = later.drain()  # after the backoff
        assert (sent.id, sent.status, sent.attempts) == (message_id, OutboxStatus.SENT, 2)
    assert len(server.received) == 1
