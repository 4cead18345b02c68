"""Returns: RMAs and their lines, each received unit with its inspection, refunds, order notes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms_desk.db.models.base import Base, utcnow

_RMA_STATUS = "status IN ('open', 'receiving', 'received', 'resolved', 'cancelled')"
_RESOLUTION = "resolution IN ('refund', 'exchange', 'credit')"
_REASON = (
    "reason IN ('damaged', 'wrong_item', 'not_as_described', 'no_longer_needed', "
    "'arrived_late', 'other')"
)
_CONDITION = "condition IS NULL OR condition IN ('new', 'opened', 'used', 'damaged')"
_DISPOSITION = (
    "disposition IS NULL OR disposition IN ('restock', 'quarantine', 'scrap', 'return_to_vendor')"
)


class Rma(Base):
    """A return authorisation for (part of) one shipped order."""

    __tablename__ = "rmas"
    __table_args__ = (
        CheckConstraint(_RMA_STATUS, name="status"),
        CheckConstraint(_RESOLUTION, name="resolution"),
        Index("ix_rmas_order_id", "order_id"),
        Index("ix_rmas_status_created_at", "status", "created_at"),
        Index("ix_rmas_return_tracking", "return_tracking"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    status: Mapped[str] = mapped_column(String(16), default="open")
    resolution: Mapped[str] = mapped_column(String(16), default="refund")
    # Received without an RMA announced first: created on the spot at the returns station.
    unexpected: Mapped[bool] = mapped_column(default=False)
    # The return label's tracking number, once the carrier interface issues one.
    return_tracking: Mapped[str | None] = mapped_column(String(64))
    replacement_order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    lines: Mapped[list[RmaLine]] = relationship(
        back_populates="rma", cascade="all, delete-orphan", order_by="RmaLine.id"
    )

    __mapper_args__ = {"version_id_col": version}


class RmaLine(Base):
    __tablename__ = "rma_lines"
    __table_args__ = (
        UniqueConstraint("rma_id", "order_line_id"),
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("received_qty >= 0 AND received_qty <= qty", name="received_within_qty"),
        CheckConstraint(_REASON, name="reason"),
        Index("ix_rma_lines_order_line_id", "order_line_id"),
        Index("ix_rma_lines_rma_id", "rma_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rma_id: Mapped[int] = mapped_column(ForeignKey("rmas.id", ondelete="CASCADE"))
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"))
    qty: Mapped[int]
    reason: Mapped[str] = mapped_column(String(32))
    reason_note: Mapped[str] = mapped_column(String(300), default="")
    received_qty: Mapped[int] = mapped_column(default=0)

    rma: Mapped[Rma] = relationship(back_populates="lines")


class RmaUnit(Base):
    """One received unit; inspection adds its condition and where it went."""

    __tablename__ = "rma_units"
    __table_args__ = (
        CheckConstraint(_CONDITION, name="condition"),
        CheckConstraint(_DISPOSITION, name="disposition"),
        Index("ix_rma_units_rma_line_id", "rma_line_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rma_line_id: Mapped[int] = mapped_column(ForeignKey("rma_lines.id", ondelete="CASCADE"))
    # The scan's client event id: a replayed scan finds the unit it made and adds none.
    event_id: Mapped[str] = mapped_column(String(64), unique=True)
    serial: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    condition: Mapped[str | None] = mapped_column(String(16))
    disposition: Mapped[str | None] = mapped_column(String(20))
    bin_id: Mapped[int | None] = mapped_column(ForeignKey("bins.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    photo_path: Mapped[str | None] = mapped_column(String(500))
    inspected_at: Mapped[datetime | None]
    inspected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Refund(Base):
    """What an RMA gives back, broken down; exported for the payment gateway, never sent by us."""

    __tablename__ = "refunds"
    __table_args__ = (Index("ix_refunds_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rma_id: Mapped[int] = mapped_column(ForeignKey("rmas.id"), unique=True)
    method: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str] = mapped_column(String(120), default="")
    currency: Mapped[str] = mapped_column(String(3))
    goods: Mapped[Decimal]
    discount: Mapped[Decimal]
    tax: Mapped[Decimal]
    restocking_fee: Mapped[Decimal]
    shipping: Mapped[Decimal]
    total: Mapped[Decimal]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrderNote(Base):
    """A service-desk note on an order (who, when, what the customer said)."""

    __tablename__ = "order_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
