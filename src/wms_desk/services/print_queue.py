"""The durable print queue: jobs written with the business change (outbox), sent after commit.

States: queued -> sending -> sent; a send that fails before any byte left -> failed, retried
with backoff; a send that fails after bytes left -> unknown, which only a supervisor's audited
reprint resolves. The worker never sends a job twice on its own.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.db.models import PrintJob, Station
from wms_desk.db.models.base import utcnow
from wms_desk.domain.roles import Permission
from wms_desk.printing import transports
from wms_desk.services.background import BackgroundThread
from wms_desk.services.changes import ChangeSet, Topic
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from wms_desk.services.uow import UnitOfWork, read_only, run_unit_of_work, unit_of_work

log = logging.getLogger(__name__)

BACKOFF_SECONDS = (2, 5, 15, 60, 300)
MAX_ATTEMPTS = 6
RETRYABLE = ("queued", "failed")


@dataclass(frozen=True)
class PrintJobInfo:
    id: str
    document: str
    title: str
    format: str
    printer_url: str
    status: str
    attempts: int
    last_error: str
    next_attempt_at: datetime
    created_at: datetime
    sent_at: datetime | None
    order_id: int | None
    package_id: int | None
    reprint_of: str | None
    reason: str
    station_id: int | None

    @property
    def printer(self) -> str:
        return transports.describe(self.printer_url)


def _info(job: PrintJob) -> PrintJobInfo:
    return PrintJobInfo(
        job.id,
        job.document,
        job.title,
        job.format,
        job.printer_url,
        job.status,
        job.attempts,
        job.last_error,
        job.next_attempt_at,
        job.created_at,
        job.sent_at,
        job.order_id,
        job.package_id,
        job.reprint_of,
        job.reason,
        job.station_id,
    )


def enqueue(
    uow: UnitOfWork,
    *,
    document: str,
    payload: bytes,
    fmt: str,
    printer_url: str,
    title: str = "",
    order_id: int | None = None,
    package_id: int | None = None,
    reprint_of: str | None = None,
    reason: str = "",
) -> str:
    """Add a job in the caller's transaction: it exists only if the business change commits."""
    if not printer_url:
        raise ValidationFailed(f"No printer is set for {document}; bind one in station settings.")
    try:
        printer_url = transports.check_address(printer_url)
    except transports.BadAddress as exc:
        what = f"the {document} of order {order_id}" if order_id else f"the {document}"
        raise ValidationFailed(f"Cannot queue {what}. {exc}") from exc
    job = PrintJob(
        id=str(uuid.uuid4()),
        document=document,
        title=title[:200],
        format=fmt,
        printer_url=printer_url,
        payload=payload,
        status="queued",
        attempts=0,
        last_error="",
        next_attempt_at=uow.now,
        order_id=order_id,
        package_id=package_id,
        reprint_of=reprint_of,
        reason=reason[:200],
        station_id=uow.actor.station_id,
        created_by_id=uow.actor.user_id,
        created_at=uow.now,
    )
    uow.session.add(job)
    return job.id


@unit_of_work()
def submit(
    uow: UnitOfWork,
    document: str,
    payload: bytes,
    fmt: str,
    printer_url: str,
    title: str = "",
    order_id: int | None = None,
) -> str:
    """Queue a job on its own (the CLI's `--printer`): nothing else to commit with it."""
    return enqueue(
        uow,
        document=document,
        payload=payload,
        fmt=fmt,
        printer_url=printer_url,
        title=title,
        order_id=order_id,
    )


def _job(uow: UnitOfWork, job_id: str) -> PrintJob:
    job = uow.session.get(PrintJob, job_id)
    if job is None:
        raise NotFound(f"Print job {job_id} does not exist.")
    return job


@unit_of_work()
def retry(uow: UnitOfWork, job_id: str) -> PrintJobInfo:
    """Send a failed job again now. An `unknown` job may have printed: that needs a reprint."""
    job = _job(uow, job_id)
    if job.status not in RETRYABLE:
        raise ValidationFailed(
            f"Job {job.title or job.id} is {job.status}; only queued or failed jobs are retried"
            + (" (a supervisor can reprint it with a reason)." if job.status == "unknown" else ".")
        )
    before = {"status": job.status, "attempts": job.attempts}
    job.status, job.attempts, job.next_attempt_at = "queued", 0, uow.now
    uow.audit("print.retried", "print_job", job.id, before=before, after={"status": "queued"})
    return _info(job)


class OtherStationsJob(PermissionDenied):
    """A packer tried to cancel a print job another station queued."""

    def __init__(self, role: str, title: str, station: str) -> None:
        self.role, self.permission = role, Permission.REPRINT.value
        DomainError.__init__(
            self,
            f"{title} was queued at station {station}; a {role} may cancel only this station's "
            "print jobs. Ask a supervisor to cancel it.",
        )


@unit_of_work()
def cancel(uow: UnitOfWork, job_id: str) -> PrintJobInfo:
    """Cancel a queued or failed job: a packer their own station's, a supervisor any."""
    job = _job(uow, job_id)
    if job.station_id != uow.actor.station_id and not uow.actor.can(Permission.REPRINT):
        station = uow.session.get(Station, job.station_id) if job.station_id else None
        raise OtherStationsJob(
            uow.actor.role.value,
            job.title or f"Print job {job.id}",
            station.name if station else "?",
        )
    if job.status not in RETRYABLE:
        raise ValidationFailed(f"Job {job.title or job.id} is {job.status}; it cannot be cancelled")
    before = {"status": job.status}
    job.status = "cancelled"
    uow.audit("print.cancelled", "print_job", job.id, before=before, after={"status": "cancelled"})
    return _info(job)


@unit_of_work(Permission.REPRINT)
def reprint(uow: UnitOfWork, job_id: str, reason: str, printer_url: str | None = None) -> str:
    """A supervisor's reprint: a new job with the same bytes, the reason audited."""
    reason = " ".join(reason.split())
    if len(reason) < 3:
        raise ValidationFailed("Say why the document is printed again (at least 3 characters).")
    job = _job(uow, job_id)
    if job.status == "sending":
        raise ValidationFailed(f"Job {job.title or job.id} is being sent right now; wait for it.")
    before = {"status": job.status}
    if job.status in RETRYABLE:  # the copy replaces it: never both
        job.status = "cancelled"
    new_id = enqueue(
        uow,
        document=job.document,
        payload=job.payload,
        fmt=job.format,
        printer_url=printer_url or job.printer_url,
        title=job.title,
        order_id=job.order_id,
        package_id=job.package_id,
        reprint_of=job.id,
        reason=reason,
    )
    after = {"reprint": new_id, "reason": reason, "printer": printer_url or job.printer_url}
    uow.audit("print.reprinted", "print_job", job.id, before=before, after=after)
    return new_id


@read_only
def list_jobs(
    session: Session,
    statuses: Sequence[str] | None = None,
    station_id: int | None = None,
    limit: int = 200,
) -> list[PrintJobInfo]:
    query = select(PrintJob).order_by(PrintJob.created_at.desc(), PrintJob.id).limit(limit)
    if statuses:
        query = query.where(PrintJob.status.in_(list(statuses)))
    if station_id is not None:
        query = query.where(PrintJob.station_id == station_id)
    return [_info(job) for job in session.scalars(query)]


@read_only
def get_job(session: Session, job_id: str) -> PrintJobInfo:
    job = session.get(PrintJob, job_id)
    if job is None:
        raise NotFound(f"Print job {job_id} does not exist.")
    return _info(job)


@read_only
def job_payload(session: Session, job_id: str) -> bytes:
    job = session.get(PrintJob, job_id)
    if job is None:
        raise NotFound(f"Print job {job_id} does not exist.")
    return bytes(job.payload)


Sender = Callable[[str, bytes, str, str, str], None]
Listener = Callable[[str, PrintJobInfo], None]


class PrintWorker:
    """Claims due jobs of one station (or all, with station_id=None) and sends them.

    `run_pending()` sends everything due, synchronously; `start()` runs it on a thread that
    wakes when a commit on this database announces print jobs (the change bus), on `wake()`,
    or every `poll_seconds`. `listener(event, job)` hears "sent", "failed"
    and "unknown" (from the worker thread). Jobs still `sending` after `stale_after` belong
    to a worker that died mid-send, so `recover()` marks them unknown, never re-sends them.
    """

    def __init__(
        self,
        database: Database,
        station_id: int | None = None,
        *,
        send: Sender = transports.send,
        listener: Listener | None = None,
        clock: Callable[[], datetime] = utcnow,
        backoff: Sequence[float] = BACKOFF_SECONDS,
        max_attempts: int = MAX_ATTEMPTS,
        poll_seconds: float = 2.0,
        stale_after: timedelta = timedelta(minutes=5),
    ) -> None:
        self.ctx = ServiceContext(database, system_actor(station_id, "print-worker"))
        self.station_id = station_id
        self._send, self._listener, self._clock = send, listener, clock
        self.backoff, self.max_attempts = tuple(backoff), max_attempts
        self.poll_seconds, self.stale_after = poll_seconds, stale_after
        self._wake = threading.Event()
        self._background = BackgroundThread("print-worker", self._loop)
        self._stop = self._background.stop_requested
        self._unsubscribe: Callable[[], None] | None = None

    def _claim(
        self, uow: UnitOfWork, job_id: str | None = None
    ) -> tuple[str, bytes, str, str, str] | None:
        now = self._clock()
        query = (
            select(PrintJob)
            .where(
                PrintJob.status.in_(RETRYABLE),
                PrintJob.attempts < self.max_attempts,
                PrintJob.next_attempt_at <= now,
            )
            .order_by(PrintJob.next_attempt_at, PrintJob.created_at)
            .limit(1)
            # PostgreSQL: two workers never claim one job; SQLite serialises writers anyway.
            .with_for_update(skip_locked=True)
        )
        if self.station_id is not None:
            query = query.where(PrintJob.station_id == self.station_id)
        if job_id is not None:
            query = query.where(PrintJob.id == job_id)
        job = uow.session.scalars(query).first()
        if job is None:
            return None
        job.status, job.attempts, job.next_attempt_at = "sending", job.attempts + 1, now
        return job.id, bytes(job.payload), job.printer_url, job.format, job.title

    def _finish(self, uow: UnitOfWork, job_id: str, error: Exception | None) -> PrintJobInfo:
        job = _job(uow, job_id)
        now = self._clock()
        if error is None:
            job.status, job.sent_at, job.last_error = "sent", now, ""
        elif isinstance(error, transports.PrinterUnreachable):
            delay = self.backoff[min(job.attempts - 1, len(self.backoff) - 1)]
            job.status, job.last_error = "failed", str(error)[:2000]
            job.next_attempt_at = now + timedelta(seconds=delay)
        else:  # bytes may have left (or we cannot tell): never re-send on our own
            job.status, job.last_error = "unknown", str(error)[:2000]
            uow.audit("print.unknown", "print_job", job.id, after={"error": job.last_error})
        return _info(job)

    def _anything_due(self) -> bool:
        """A read first: on SQLite an idle poll must not take the write lock every time."""
        query = select(PrintJob.id).where(
            PrintJob.status.in_(RETRYABLE),
            PrintJob.attempts < self.max_attempts,
            PrintJob.next_attempt_at <= self._clock(),
        )
        if self.station_id is not None:
            query = query.where(PrintJob.station_id == self.station_id)
        session = self.ctx.database.read_session()
        try:
            with session.begin():
                return session.scalar(query.limit(1)) is not None
        finally:
            session.close()

    def process_one(self, job_id: str | None = None) -> PrintJobInfo | None:
        """Claim, send and record one due job (or just `job_id`); None when nothing is due."""
        if job_id is None and not self._anything_due():
            return None
        claimed = run_unit_of_work(self.ctx, lambda uow: self._claim(uow, job_id))
        if claimed is None:
            return None
        job_id, payload, url, fmt, title = claimed
        error: Exception | None = None
        try:
            self._send(url, payload, job_id, fmt, title)
        except transports.SendError as exc:
            error = exc
        except Exception as exc:  # a bug or an odd OS error: treat as possibly printed
            log.exception("print job %s: unexpected send failure", job_id)
            error = transports.OutcomeUnknown(f"Unexpected error while sending: {exc}")
        info = run_unit_of_work(self.ctx, lambda uow: self._finish(uow, job_id, error))
        if self._listener is not None:
            self._listener("sent" if error is None else info.status, info)
        return info

    def run_pending(self, limit: int = 1000) -> int:
        count = 0
        while count < limit and self.process_one() is not None:
            count += 1
        return count

    def recover(self) -> int:
        """Jobs left `sending` by a dead worker become `unknown` (they may have printed)."""

        def work(uow: UnitOfWork) -> int:
            cutoff = self._clock() - self.stale_after
            query = select(PrintJob).where(
                PrintJob.status == "sending", PrintJob.next_attempt_at < cutoff
            )
            if self.station_id is not None:
                query = query.where(PrintJob.station_id == self.station_id)
            jobs = list(uow.session.scalars(query.with_for_update(skip_locked=True)))
            for job in jobs:
                job.status = "unknown"
                job.last_error = "The app stopped while this job was being sent."
                uow.audit("print.unknown", "print_job", job.id, after={"error": job.last_error})
            return len(jobs)

        return run_unit_of_work(self.ctx, work)

    # -- thread lifecycle ---------------------------------------------------------------

    def start(self) -> None:
        self._unsubscribe = self.ctx.database.changes.subscribe(self._heard)
        self._background.start()

    def _heard(self, changes: ChangeSet) -> None:
        if Topic.PRINT_JOBS in changes:
            self._wake.set()

    def wake(self) -> None:
        """Send what is due now (a commit that queues jobs wakes the worker by itself)."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._stop.set()
        self._wake.set()  # out of its wait at once
        self._background.stop(timeout)

    @property
    def running(self) -> bool:
        return self._background.running

    def _loop(self) -> None:
        try:
            self.recover()
        except Exception:
            log.exception("print worker: recovery failed")
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.run_pending()
            except Exception:  # the database may be away; keep the worker alive
                log.exception("print worker: pass failed")
            self._wake.wait(self.poll_seconds)
