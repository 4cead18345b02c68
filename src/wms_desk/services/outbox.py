"""The durable outbox: messages to the outside world, written with the business change, sent after.

A message is a row written in the caller's transaction (`enqueue`), so it exists only if the
business change commits; its `key` is UNIQUE, so the same intent enqueued twice is one message.
`OutboxWorker` claims due messages (a short transaction: status `sending` with a lease), calls the
kind's `Delivery` outside any transaction and records the outcome. The exactly-once rule (what a
message found `sending` after a crash becomes) is in docs/outbox.md: a delivery calls
`hand_over()` just before its point of no return; a stale claim that never got that far is sent
again, one that did is recorded as sent (unconfirmed) and never sent again on our own.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.db.models import OutboxMessage as OutboxRow
from wms_desk.db.models.base import utcnow
from wms_desk.domain.roles import Permission
from wms_desk.services.background import BackgroundThread
from wms_desk.services.changes import ChangeSet, Topic
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.uow import (
    UnitOfWork,
    insert_ignoring_duplicates,
    read_only,
    run_unit_of_work,
    unit_of_work,
)

log = logging.getLogger(__name__)

KEY_LENGTH = 200
BACKOFF_BASE_SECONDS = 30.0
BACKOFF_CAP_SECONDS = 3600.0
MAX_ATTEMPTS = 8
# Longer than any delivery can take (SMTP: a few socket timeouts); a claim older than this
# belongs to a worker that died.
LEASE = timedelta(minutes=10)
UNCONFIRMED = "Not confirmed by the far side: "


class OutboxKind(StrEnum):
    EMAIL = "email"
    CHANNEL_FULFILMENT = "channel_fulfilment"


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # will be retried after its backoff
    DEAD = "dead"  # gave up (a permanent refusal, or too many tries): needs a person
    CANCELLED = "cancelled"


DUE = (OutboxStatus.QUEUED.value, OutboxStatus.FAILED.value)
RETRYABLE = (OutboxStatus.QUEUED.value, OutboxStatus.FAILED.value, OutboxStatus.DEAD.value)


@dataclass(frozen=True)
class OutboxMessage:
    """What a delivery gets; never an ORM object. `payload` is JSON text of the kind's own
    dataclass. `claim` identifies this delivery attempt (for `hand_over`)."""

    id: str
    kind: OutboxKind
    key: str
    payload: str
    order_id: int | None
    attempts: int
    created_at: datetime
    claim: str = ""


@dataclass(frozen=True)
class OutboxInfo:
    """A message as screens and the CLI show it."""

    id: str
    kind: OutboxKind
    key: str
    status: OutboxStatus
    attempts: int
    last_error: str
    reference: str
    order_id: int | None
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    payload: str

    @property
    def confirmed(self) -> bool:
        return self.status is OutboxStatus.SENT and not self.last_error.startswith(UNCONFIRMED)

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "key": self.key,
            "status": self.status.value,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "reference": self.reference,
            "order_id": self.order_id,
            "created_at": self.created_at.isoformat(),
            "next_attempt_at": self.next_attempt_at.isoformat(),
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
        }


def _info(row: OutboxRow) -> OutboxInfo:
    return OutboxInfo(
        row.id,
        OutboxKind(row.kind),
        row.key,
        OutboxStatus(row.status),
        row.attempts,
        row.last_error,
        row.reference,
        row.order_id,
        row.created_at,
        row.next_attempt_at,
        row.sent_at,
        row.payload,
    )


class TemporaryFailure(Exception):
    """Try again later with backoff (timeouts, connection refused, a server's 'try later')."""


class PermanentFailure(Exception):
    """No retry: the message becomes DEAD and this text is shown to the supervisor."""


class DeliveredUnconfirmed(Exception):
    """The far side probably has it (the point of no return passed) but never said so: the
    message is recorded as sent, flagged unconfirmed, and never sent again on our own."""

    def __init__(self, reference: str, why: str) -> None:
        super().__init__(why)
        self.reference = reference


class LeaseLost(TemporaryFailure):
    """This worker's claim expired and another worker may have taken the message over."""


class Delivery(Protocol):
    def deliver(self, message: OutboxMessage) -> str:
        """Send it; return a reference (SMTP Message-ID, fulfilment id)."""
        ...


DeliveryFactory = Callable[[ServiceContext], Delivery]
_DELIVERIES: dict[OutboxKind, DeliveryFactory] = {}


def register_delivery(kind: OutboxKind, factory: DeliveryFactory) -> None:
    """Say how messages of `kind` are delivered; the factory runs once per claimed message, so
    a changed setting (an SMTP host) counts from the next message on."""
    _DELIVERIES[OutboxKind(kind)] = factory


def registered_deliveries() -> dict[OutboxKind, DeliveryFactory]:
    return dict(_DELIVERIES)


def enqueue(
    uow: UnitOfWork, kind: OutboxKind, key: str, payload: str, order_id: int | None = None
) -> bool:
    """Add a message in the caller's transaction; False (nothing written) if `key` exists."""
    kind = OutboxKind(kind)
    if not key or len(key) > KEY_LENGTH:
        raise ValidationFailed(f"An outbox key must be 1 to {KEY_LENGTH} characters: {key!r}.")
    json.loads(payload)  # a payload that is not JSON is a bug in the caller: fail with it
    values = {
        "id": str(uuid.uuid4()),
        "kind": kind.value,
        "key": key,
        "payload": payload,
        "status": OutboxStatus.QUEUED.value,
        "attempts": 0,
        "last_error": "",
        "reference": "",
        "next_attempt_at": uow.now,
        "claimed_by": "",
        "order_id": order_id,
        "station_id": uow.actor.station_id,
        "created_by_id": uow.actor.user_id,
        "created_at": uow.now,
    }
    return insert_ignoring_duplicates(uow.session, OutboxRow, values, "key")


def _row(uow: UnitOfWork, message_id: str) -> OutboxRow:
    row = uow.session.get(OutboxRow, message_id)
    if row is None:
        raise NotFound(f"Outbox message {message_id} does not exist.")
    return row


def _title(row: OutboxRow) -> str:
    return f"{row.kind.replace('_', ' ')} {row.key}"


@unit_of_work(Permission.MANAGE_OUTBOX)
def retry(uow: UnitOfWork, message_id: str) -> OutboxInfo:
    """Send a failed or dead message again now, with a fresh count of attempts."""
    row = _row(uow, message_id)
    if row.status not in RETRYABLE:
        raise ValidationFailed(
            f"The {_title(row)} is {row.status}; only queued, failed or dead messages are retried."
            + (" To send it again, resend it (a new message)." if row.status == "sent" else "")
        )
    before = {"status": row.status, "attempts": row.attempts, "error": row.last_error}
    row.status, row.attempts, row.next_attempt_at = OutboxStatus.QUEUED.value, 0, uow.now
    row.handed_over_at, row.lease_until, row.claimed_by = None, None, ""
    uow.audit("outbox.retried", "outbox_message", row.id, before=before, after={"key": row.key})
    return _info(row)


@unit_of_work(Permission.MANAGE_OUTBOX)
def cancel(uow: UnitOfWork, message_id: str) -> OutboxInfo:
    """Never send a queued, failed or dead message."""
    row = _row(uow, message_id)
    if row.status not in RETRYABLE:
        raise ValidationFailed(f"The {_title(row)} is {row.status}; it cannot be cancelled.")
    before = {"status": row.status}
    row.status = OutboxStatus.CANCELLED.value
    uow.audit("outbox.cancelled", "outbox_message", row.id, before=before, after={"key": row.key})
    return _info(row)


@unit_of_work()
def _hand_over(uow: UnitOfWork, message_id: str, claim: str, reference: str) -> None:
    # The row lock orders this against a recovering worker: whichever is second sees the
    # other's decision (a recovered claim is refused here; a handed-over one is never resent).
    row = uow.session.get(OutboxRow, message_id, with_for_update=True)
    if row is None:
        raise NotFound(f"Outbox message {message_id} does not exist.")
    lease_ok = row.lease_until is not None and row.lease_until > uow.now
    if row.status != OutboxStatus.SENDING.value or row.claimed_by != claim or not lease_ok:
        raise LeaseLost(
            f"The claim on {_title(row)} expired before it was handed over; another worker "
            "will send it, this one stops."
        )
    row.handed_over_at = uow.now
    row.reference = reference[:300]  # what recovery records if this worker dies from here on


def hand_over(ctx: ServiceContext, message: OutboxMessage, reference: str = "") -> None:
    """A delivery's fence before its point of no return (SMTP: before the final dot).

    Commits that the far side may get the message from now on, if this claim is still ours;
    raises LeaseLost otherwise, and the delivery must stop without sending.
    """
    _hand_over(ctx, message.id, message.claim, reference)


@read_only
def list_messages(
    session: Session,
    status: OutboxStatus | str | None = None,
    kind: OutboxKind | str | None = None,
    order_id: int | None = None,
    limit: int = 200,
) -> list[OutboxInfo]:
    query = select(OutboxRow).order_by(OutboxRow.created_at.desc(), OutboxRow.id).limit(limit)
    if status is not None:
        query = query.where(OutboxRow.status == OutboxStatus(status).value)
    if kind is not None:
        query = query.where(OutboxRow.kind == OutboxKind(kind).value)
    if order_id is not None:
        query = query.where(OutboxRow.order_id == order_id)
    return [_info(row) for row in session.scalars(query)]


@read_only
def get_message(session: Session, message_id: str) -> OutboxInfo:
    row = session.get(OutboxRow, message_id)
    if row is None:
        raise NotFound(f"Outbox message {message_id} does not exist.")
    return _info(row)


Listener = Callable[[OutboxInfo], None]


class OutboxWorker:
    """Claims due messages of the kinds it can deliver and delivers them, one at a time.

    `run_once()` handles one due message, `drain()` every message due now (each once);
    `start()` runs passes on a thread woken by the change bus (Topic.OUTBOX), `wake()`, or
    every `poll_seconds`. Every pass first recovers claims whose lease expired (see the module
    docstring). `listener(info)` hears each outcome, on the worker's thread.
    """

    def __init__(
        self,
        database: Database,
        *,
        deliveries: Mapping[OutboxKind, DeliveryFactory] | None = None,
        listener: Listener | None = None,
        clock: Callable[[], datetime] = utcnow,
        backoff_base: float = BACKOFF_BASE_SECONDS,
        backoff_cap: float = BACKOFF_CAP_SECONDS,
        max_attempts: int = MAX_ATTEMPTS,
        lease: timedelta = LEASE,
        poll_seconds: float = 5.0,
        name: str = "outbox-worker",
        station_id: int | None = None,
    ) -> None:
        self.ctx = ServiceContext(database, system_actor(station_id, name))
        self._deliveries = dict(deliveries) if deliveries is not None else None
        self._listener, self._clock = listener, clock
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        self.max_attempts, self.lease, self.poll_seconds = max_attempts, lease, poll_seconds
        self.worker_id = f"{name[:40]}-{uuid.uuid4().hex[:8]}"  # fits claimed_by
        self._wake = threading.Event()
        self._background = BackgroundThread(name, self._loop)
        self._stop = self._background.stop_requested
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def deliveries(self) -> dict[OutboxKind, DeliveryFactory]:
        # Read each time: a delivery registered after the worker was built still counts.
        return dict(self._deliveries) if self._deliveries is not None else registered_deliveries()

    def backoff(self, attempts: int) -> float:
        return float(min(self.backoff_cap, self.backoff_base * 2 ** max(attempts - 1, 0)))

    def _pending(self, kinds: list[str]) -> tuple[bool, bool]:
        """(anything due, any claim gone stale): a read first, so that on SQLite an idle
        poll never takes the write lock."""
        now = self._clock()
        ready = select(OutboxRow.id).where(
            OutboxRow.kind.in_(kinds),
            OutboxRow.status.in_(DUE),
            OutboxRow.next_attempt_at <= now,
        )
        stale = select(OutboxRow.id).where(
            OutboxRow.status == OutboxStatus.SENDING.value, OutboxRow.lease_until < now
        )
        session = self.ctx.database.read_session()
        try:
            with session.begin():
                return (
                    session.scalar(ready.limit(1)) is not None,
                    session.scalar(stale.limit(1)) is not None,
                )
        finally:
            session.close()

    def recover(self) -> list[OutboxInfo]:
        """Claims whose lease expired: sent again if never handed over, else sent-unconfirmed."""

        def work(uow: UnitOfWork) -> list[OutboxInfo]:
            now = self._clock()
            query = select(OutboxRow).where(
                OutboxRow.status == OutboxStatus.SENDING.value, OutboxRow.lease_until < now
            )
            rows = list(uow.session.scalars(query.with_for_update(skip_locked=True)))
            for row in rows:
                before = {"status": row.status, "claimed_by": row.claimed_by}
                if row.handed_over_at is not None:
                    why = "the app stopped after handing it over, before the answer was recorded."
                    self._sent(row, now, row.reference or f"<{row.id}>", UNCONFIRMED + why)
                    action = "outbox.unconfirmed"
                else:
                    why = "The app stopped before the message was handed over; it is sent again."
                    self._failed(row, now, why, delay=0.0)
                    action = "outbox.recovered"
                after = {"status": row.status, "error": row.last_error}
                uow.audit(action, "outbox_message", row.id, before=before, after=after)
            return [_info(row) for row in rows]

        return run_unit_of_work(self.ctx, work)

    def _claim(
        self, uow: UnitOfWork, kinds: list[str], skip: Collection[str] = ()
    ) -> OutboxMessage | None:
        now = self._clock()
        query = (
            select(OutboxRow)
            .where(OutboxRow.kind.in_(kinds), OutboxRow.status.in_(DUE))
            .where(OutboxRow.next_attempt_at <= now)
            .where(OutboxRow.id.not_in(list(skip)))
            .order_by(OutboxRow.next_attempt_at, OutboxRow.created_at)
            .limit(1)
            # PostgreSQL: two stations' workers never claim one message.
            .with_for_update(skip_locked=True)
        )
        row = uow.session.scalars(query).first()
        if row is None:
            return None
        claim = f"{self.worker_id}:{row.attempts + 1}"
        row.status, row.attempts = OutboxStatus.SENDING.value, row.attempts + 1
        row.lease_until, row.claimed_by, row.handed_over_at = now + self.lease, claim, None
        return OutboxMessage(
            row.id,
            OutboxKind(row.kind),
            row.key,
            row.payload,
            row.order_id,
            row.attempts,
            row.created_at,
            claim,
        )

    @staticmethod
    def _sent(row: OutboxRow, now: datetime, reference: str, note: str = "") -> None:
        row.status, row.sent_at, row.lease_until = OutboxStatus.SENT.value, now, None
        row.reference, row.last_error = reference[:300], note[:2000]

    def _failed(self, row: OutboxRow, now: datetime, why: str, delay: float | None = None) -> None:
        row.lease_until = None
        if row.attempts >= self.max_attempts:
            row.status = OutboxStatus.DEAD.value
            row.last_error = f"Gave up after {row.attempts} attempts. {why}"[:2000]
            return
        row.status, row.last_error = OutboxStatus.FAILED.value, why[:2000]
        wait = self.backoff(row.attempts) if delay is None else delay
        row.next_attempt_at = now + timedelta(seconds=wait)

    def _finish(
        self, uow: UnitOfWork, message: OutboxMessage, reference: str, error: Exception | None
    ) -> OutboxInfo:
        row = uow.session.get(OutboxRow, message.id, with_for_update=True)
        if row is None:
            raise NotFound(f"Outbox message {message.id} does not exist.")
        if row.status != OutboxStatus.SENDING.value or row.claimed_by != message.claim:
            return _info(row)  # recovered by another worker meanwhile: its record stands
        now = self._clock()
        if error is None:
            self._sent(row, now, reference)
        elif isinstance(error, DeliveredUnconfirmed):
            self._sent(row, now, error.reference, UNCONFIRMED + str(error))
            uow.audit("outbox.unconfirmed", "outbox_message", row.id, after={"error": str(error)})
        elif isinstance(error, PermanentFailure):
            row.status, row.lease_until = OutboxStatus.DEAD.value, None
            row.last_error = str(error)[:2000] or type(error).__name__
        elif row.handed_over_at is not None and not isinstance(error, TemporaryFailure):
            # An unexpected error past the point of no return: it may well have arrived.
            self._sent(row, now, f"<{row.id}>", UNCONFIRMED + str(error))
            uow.audit("outbox.unconfirmed", "outbox_message", row.id, after={"error": str(error)})
        else:
            self._failed(row, now, str(error) or type(error).__name__)
        if row.status == OutboxStatus.DEAD.value:
            uow.audit("outbox.dead", "outbox_message", row.id, after={"error": row.last_error})
        return _info(row)

    def _deliver(
        self, factory: DeliveryFactory, message: OutboxMessage
    ) -> tuple[str, Exception | None]:
        try:
            return factory(self.ctx).deliver(message), None
        except (TemporaryFailure, PermanentFailure, DeliveredUnconfirmed) as exc:
            return "", exc
        except Exception as exc:  # a bug or an odd OS error: recorded, the worker lives on
            log.exception(
                "outbox message %s (%s): unexpected delivery failure", message.id, message.key
            )
            return "", exc

    def run_once(self, skip: Collection[str] = ()) -> OutboxInfo | None:
        """Claim, deliver and record one due message (not one of `skip`); None when none is."""
        deliveries = self.deliveries
        kinds = [kind.value for kind in deliveries]
        if not kinds:
            return None
        due, stale = self._pending(kinds)
        if stale:
            due = bool(self.recover()) or due
        if not due:
            return None
        message = run_unit_of_work(self.ctx, lambda uow: self._claim(uow, kinds, skip))
        if message is None:
            return None
        reference, error = self._deliver(deliveries[message.kind], message)
        info = run_unit_of_work(self.ctx, lambda uow: self._finish(uow, message, reference, error))
        if self._listener is not None:
            try:
                self._listener(info)
            except Exception:
                log.exception("outbox listener failed")
        return info

    def drain(self, limit: int = 1000) -> list[OutboxInfo]:
        """Everything due now, each message at most once (a failure waits for its backoff)."""
        done: dict[str, OutboxInfo] = {}
        while len(done) < limit:
            info = self.run_once(skip=done.keys())
            if info is None:
                break
            done[info.id] = info
        return list(done.values())

    # -- thread lifecycle ---------------------------------------------------------------

    def start(self) -> None:
        self._unsubscribe = self.ctx.database.changes.subscribe(self._heard)
        self._background.start()

    def _heard(self, changes: ChangeSet) -> None:
        if Topic.OUTBOX in changes:
            self._wake.set()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._stop.set()
        self._wake.set()
        self._background.stop(timeout)

    @property
    def running(self) -> bool:
        return self._background.running

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                while not self._stop.is_set() and self.run_once() is not None:
                    pass
            except Exception:  # the database may be away; keep the worker alive
                log.exception("outbox worker: pass failed")
            self._wake.wait(self.poll_seconds)
