"""The durable print queue (an outbox) and named counters such as the SSCC serial."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wms_desk.db.models.base import Base, utcnow

PRINT_JOB_STATES = ("queued", "sending", "sent", "failed", "unknown", "cancelled")


class PrintJob(Base):
    """A job is written with the business change that causes it; a worker sends it after commit."""

    __tablename__ = "print_jobs"
    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in PRINT_JOB_STATES) + ")", name="status"
        ),
        Index("ix_print_jobs_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    document: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200), default="")
    format: Mapped[str] = mapped_column(String(8))
    printer_url: Mapped[str] = mapped_column(String(300))
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)
    package_id: Mapped[int | None] = mapped_column(ForeignKey("packages.id"))
    reprint_of: Mapped[str | None] = mapped_column(ForeignKey("print_jobs.id"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class Counter(Base):
    """A named, never-reused sequence; incremented under a row lock (works on both backends)."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)
