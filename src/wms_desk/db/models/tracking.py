"""Tracking events per label (one row per carrier scan) and supervisor alerts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wms_desk.db.models.base import Base, utcnow


class ShipmentEvent(Base):
    """One carrier scan of one label. `event_key` is UNIQUE: the same scan received twice
    (the same webhook file, a poll after a webhook, a CSV imported again) is one row."""

    __tablename__ = "shipment_events"
    __table_args__ = (Index("ix_shipment_events_label_id_at", "label_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    label_id: Mapped[int] = mapped_column(ForeignKey("shipment_labels.id", ondelete="CASCADE"))
    tracking: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(24))  # domain.tracking.TrackingStatus
    exception_kind: Mapped[str | None] = mapped_column(String(24))
    at: Mapped[datetime]
    where: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[str] = mapped_column(String(40), default="")
    event_key: Mapped[str] = mapped_column(String(64), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Alert(Base):
    """Something a supervisor must see and acknowledge. Generic: `kind` says what it is
    ("tracking.returned_to_sender", "tracking.damaged", "tracking.address_problem",
    "tracking.other"); open while `acknowledged_at` is NULL. `dedupe_key` is UNIQUE (for
    tracking, the event's key), so a replayed event raises nothing new."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_acknowledged_at_raised_at", "acknowledged_at", "raised_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"))
    message: Mapped[str] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(100), unique=True)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
