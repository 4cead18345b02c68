"""The outbox core on both backends: idempotent enqueue, backoff, DEAD, retry, crash recovery."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from wms_desk.db.models import AuditEvent
from wms_desk.db.models import OutboxMessage as OutboxRow
from wms_desk.db.models.base import utcnow
from wms_desk.domain.errors import PermissionDenied
from wms_desk.domain.roles import Role
from wms_desk.services import outbox
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.outbox import OutboxKind, OutboxMessage, OutboxStatus
from wms_desk.services.stations import ensure_station
from wms_desk.services.uow import UnitOfWork, run_unit_of_work


@pytest.fixture
def ctx(any_db_url: str) -> Iterator[ServiceContext]:
    database = Database(any_db_url)
    station = ensure_station(database, "outbox-station")
    yield ServiceContext(database, system_actor(station.id, station.name))
    database.dispose()


class Recorder:
    """A delivery that keeps what it was given; `outcomes` scripts failures, in order."""

    def __init__(self, *outcomes: Exception | None) -> None:
        self.outcomes = list(outcomes)
        self.delivered: list[OutboxMessage] = []
        self.calls = 0

    def deliver(self, message: OutboxMessage) -> str:
        self.calls += 1
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome
        self.delivered.append(message)
        return f"ref-{message.key}"


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _enqueue(ctx: ServiceContext, key: str, body: dict[str, Any] | None = None) -> bool:
    payload = json.dumps(body or {"to": "a@example.com"})
    return run_unit_of_work(ctx, lambda uow: outbox.enqueue(uow, OutboxKind.EMAIL, key, payload))


def _worker(ctx: ServiceContext, delivery: Any, clock: Clock, **kw: Any) -> outbox.OutboxWorker:
    return outbox.OutboxWorker(
        ctx.database, deliveries={OutboxKind.EMAIL: lambda _ctx: delivery}, clock=clock, **kw
    )


def _one(ctx: ServiceContext) -> outbox.OutboxInfo:
    (info,) = outbox.list_messages(ctx)
    return info


def _as(ctx: ServiceContext, role: str) -> ServiceContext:
    """A context acting as a new user with `role` on this test's database (either backend)."""
    from wms_desk.services import users
    from wms_desk.services.context import Actor

    info = users.add_user(ctx, f"{role}-{uuid.uuid4().hex[:6]}", role, "secret-pw")
    actor = Actor(info.id, info.username, info.display_name, Role(role), ctx.actor.station_id, "")
    return ctx.as_actor(actor)


def _audits(ctx: ServiceContext, action: str) -> list[AuditEvent]:
    with ctx.database.read_session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_enqueue_is_idempotent_by_key_and_only_with_the_business_change(
    ctx: ServiceContext,
) -> None:
    assert _enqueue(ctx, "shipment-email:1") is True
    assert _enqueue(ctx, "shipment-email:1", {"to": "other@example.com"}) is False

    def rolled_back(uow: UnitOfWork) -> None:
        outbox.enqueue(uow, OutboxKind.EMAIL, "shipment-email:2", "{}")
        raise ValidationFailed("the label purchase failed")

    with pytest.raises(ValidationFailed):
        run_unit_of_work(ctx, rolled_back)
    info = _one(ctx)
    assert (info.key, info.status, json.loads(info.payload)) == (
        "shipment-email:1",
        OutboxStatus.QUEUED,
        {"to": "a@example.com"},
    )


def test_delivered_once_with_reference_and_never_again(ctx: ServiceContext) -> None:
    _enqueue(ctx, "k1")
    delivery, clock = Recorder(), Clock()
    worker = _worker(ctx, delivery, clock)
    (done,) = worker.drain()
    assert (done.status, done.reference, done.attempts) == (OutboxStatus.SENT, "ref-k1", 1)
    assert done.confirmed and done.sent_at is not None
    clock.advance(86400)
    assert worker.drain() == [] and delivery.calls == 1


def test_temporary_failures_back_off_exponentially_then_send(ctx: ServiceContext) -> None:
    _enqueue(ctx, "k1")
    delivery = Recorder(
        outbox.TemporaryFailure("connection refused"), outbox.TemporaryFailure("421")
    )
    clock = Clock()
    worker = _worker(ctx, delivery, clock, backoff_base=10, backoff_cap=1000)
    (first,) = worker.drain()
    assert (first.status, first.last_error) == (OutboxStatus.FAILED, "connection refused")
    assert first.next_attempt_at == clock.now + timedelta(seconds=10)
    clock.advance(9)
    assert worker.drain() == []  # not due yet
    clock.advance(1)
    (second,) = worker.drain()
    assert (second.status, second.attempts) == (OutboxStatus.FAILED, 2)
    assert second.next_attempt_at == clock.now + timedelta(seconds=20)
    clock.advance(20)
    (third,) = worker.drain()
    assert (third.status, third.attempts, delivery.calls) == (OutboxStatus.SENT, 3, 3)


def test_too_many_temporary_failures_give_up_as_dead(ctx: ServiceContext) -> None:
    _enqueue(ctx, "k1")
    delivery = Recorder(*[outbox.TemporaryFailure("timed out")] * 3)
    clock = Clock()
    worker = _worker(ctx, delivery, clock, backoff_base=1, max_attempts=3)
    for _ in range(3):
        worker.drain()
        clock.advance(10)
    info = _one(ctx)
    assert (info.status, info.attempts) == (OutboxStatus.DEAD, 3)
    assert info.last_error == "Gave up after 3 attempts. timed out"
    assert worker.drain() == [] and delivery.calls == 3


def test_permanent_failure_is_dead_audited_and_retry_sends_it(ctx: ServiceContext) -> None:
    _enqueue(ctx, "k1")
    delivery, clock = Recorder(outbox.PermanentFailure("550 mailbox unavailable")), Clock()
    worker = _worker(ctx, delivery, clock)
    (dead,) = worker.drain()
    assert (dead.status, dead.last_error) == (OutboxStatus.DEAD, "550 mailbox unavailable")
    assert [a.subject_id for a in _audits(ctx, "outbox.dead")] == [dead.id]
    clock.advance(86400)
    assert worker.drain() == []  # dead stays dead until a person says otherwise

    packer = _as(ctx, "packer")
    with pytest.raises(PermissionDenied):
        outbox.retry(packer, dead.id)
    supervisor = _as(ctx, "supervisor")
    again = outbox.retry(supervisor, dead.id)
    assert (again.status, again.attempts) == (OutboxStatus.QUEUED, 0)
    (sent,) = worker.drain()
    assert (sent.status, sent.attempts) == (OutboxStatus.SENT, 1)
    assert [a.user_id for a in _audits(ctx, "outbox.retried")] == [supervisor.actor.user_id]
    with pytest.raises(ValidationFailed, match="is sent; only queued, failed or dead"):
        outbox.retry(supervisor, dead.id)


def test_cancelled_message_is_never_sent(ctx: ServiceContext) -> None:
    _enqueue(ctx, "k1")
    info = outbox.cancel(_as(ctx, "supervisor"), _one(ctx).id)
    assert info.status is OutboxStatus.CANCELLED
    delivery = Recorder()
    assert _worker(ctx, delivery, Clock()).drain() == [] and delivery.calls == 0


def _claim_and_die(ctx: ServiceContext, clock: Clock, hand_over: bool) -> OutboxMessage:
    """A worker claims the message (and maybe hands it over), then stops existing."""
    dying = _worker(ctx, Recorder(), clock)
    message = run_unit_of_work(ctx, lambda uow: dying._claim(uow, ["email"]))
    assert message is not None
    if hand_over:
        outbox.hand_over(ctx, message)
    return message


def test_a_claim_that_died_before_hand_over_is_sent_again_after_its_lease(
    ctx: ServiceContext,
) -> None:
    _enqueue(ctx, "k1")
    clock = Clock()
    _claim_and_die(ctx, clock, hand_over=False)
    delivery = Recorder()
    worker = _worker(ctx, delivery, clock)
    assert worker.drain() == []  # the lease still runs: its worker may be alive
    assert _one(ctx).status is OutboxStatus.SENDING
    clock.advance(outbox.LEASE.total_seconds() + 1)
    (sent,) = worker.drain()
    assert (sent.status, sent.attempts, delivery.calls) == (OutboxStatus.SENT, 2, 1)
    assert len(_audits(ctx, "outbox.recovered")) == 1


def test_a_claim_that_died_after_hand_over_is_never_sent_again(ctx: ServiceContext) -> None:
    _enqueue(ctx, "k1")
    clock = Clock()
    _claim_and_die(ctx, clock, hand_over=True)
    delivery = Recorder()
    clock.advance(outbox.LEASE.total_seconds() + 1)
    assert _worker(ctx, delivery, clock).drain() == []
    info = _one(ctx)
    assert (info.status, info.confirmed, delivery.calls) == (OutboxStatus.SENT, False, 0)
    assert info.last_error.startswith(outbox.UNCONFIRMED)
    assert len(_audits(ctx, "outbox.unconfirmed")) == 1


def test_a_slow_worker_whose_claim_was_recovered_may_not_hand_over(ctx: ServiceContext) -> None:
    _enqueue(ctx, "k1")
    slow_clock = Clock()
    message = _claim_and_die(ctx, slow_clock, hand_over=False)
    later = Clock()
    later.advance(outbox.LEASE.total_seconds() + 1)
    delivery = Recorder()
    (sent,) = _worker(ctx, delivery, later).drain()
    assert sent.status is OutboxStatus.SENT and delivery.calls == 1
    with pytest.raises(outbox.LeaseLost, match="expired before it was handed over"):
        outbox.hand_over(ctx, message)  # the slow one wakes up: it must not send too


def test_listing_filters_by_status_and_kind(ctx: ServiceContext) -> None:
    _enqueue(ctx, "a")
    run_unit_of_work(
        ctx,
        lambda uow: outbox.enqueue(uow, OutboxKind.CHANNEL_FULFILMENT, "fulfil:1", "{}"),
    )
    assert [m.key for m in outbox.list_messages(ctx, kind="email")] == ["a"]
    assert {m.key for m in outbox.list_messages(ctx, status="queued")} == {"a", "fulfil:1"}
    assert outbox.list_messages(ctx, status=OutboxStatus.SENT) == []
    # a worker that cannot deliver channel fulfilments leaves them alone
    _worker(ctx, Recorder(), Clock()).drain()
    with ctx.database.read_session() as session:
        rows = {r.key: r.status for r in session.scalars(select(OutboxRow))}
    assert rows == {"a": "sent", "fulfil:1": "queued"}


def test_worker_thread_wakes_on_the_commit_that_enqueues(ctx: ServiceContext) -> None:
    delivered = threading.Event()
    heard: list[outbox.OutboxInfo] = []

    def listener(info: outbox.OutboxInfo) -> None:
        heard.append(info)
        delivered.set()

    worker = outbox.OutboxWorker(
        ctx.database,
        deliveries={OutboxKind.EMAIL: lambda _ctx: Recorder()},
        listener=listener,
        poll_seconds=60,  # far longer than the wait below: only the change bus can wake it
    )
    worker.start()
    try:
        assert delivered.wait(0.5) is False  # idle: nothing to do yet
        _enqueue(ctx, "k1")
        assert delivered.wait(10)
    finally:
        worker.stop()
    assert [(i.key, i.status) for i in heard] == [("k1", OutboxStatus.SENT)]
    assert not worker.running


def test_workers_racing_on_one_database_deliver_each_message_once(ctx: ServiceContext) -> None:
    from tests.printing.helpers import run_together

    def many(uow: UnitOfWork) -> None:
        for i in range(30):
            outbox.enqueue(uow, OutboxKind.EMAIL, f"race:{i}", "{}")

    run_unit_of_work(ctx, many)
    lock = threading.Lock()
    delivered: list[str] = []

    class Shared:
        def deliver(self, message: OutboxMessage) -> str:
            with lock:
                delivered.append(message.key)
            return message.key

    workers = [
        outbox.OutboxWorker(ctx.database, deliveries={OutboxKind.EMAIL: lambda _c: Shared()})
        for _ in range(3)
    ]
    run_together(lambda worker: worker.drain(), workers)
    assert sorted(delivered) == sorted(f"race:{i}" for i in range(30))
    assert {m.status for m in outbox.list_messages(ctx)} == {OutboxStatus.SENT}
