"""Pick and pack state: cartons, what each box holds, captured serials, shortages, progress."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wms_desk.db.models.base import Base, Grams, utcnow


class Carton(Base):
    """A box type: inner dimensions, the most it may carry, its own weight and its barcode."""

    __tablename__ = "cartons"
    __table_args__ = (
        CheckConstraint(
            "length_mm > 0 AND width_mm > 0 AND height_mm > 0", name="dimensions_positive"
        ),
        CheckConstraint("max_weight_g > 0 AND tare_g >= 0", name="weights_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    barcode: Mapped[str] = mapped_column(String(64), unique=True)
    length_mm: Mapped[int]
    width_mm: Mapped[int]
    height_mm: Mapped[int]
    max_weight_g: Mapped[Decimal] = mapped_column(Grams)
    tare_g: Mapped[Decimal] = mapped_column(Grams, default=Decimal(0))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PackageItem(Base):
    """How many units of one order line went into one box."""

    __tablename__ = "package_items"
    __table_args__ = (CheckConstraint("qty > 0", name="qty_positive"),)

    package_id: Mapped[int] = mapped_column(
        ForeignKey("packages.id", ondelete="CASCADE"), primary_key=True
    )
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    qty: Mapped[int]


class PackCapture(Base):
    """A serial or lot number scanned for one packed unit; a serial is packed once per line."""

    __tablename__ = "pack_captures"
    __table_args__ = (UniqueConstraint("order_line_id", "kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), index=True
    )
    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # serial | lot
    value: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LineShortage(Base):
    """Units of a line that could not be picked, or that a supervisor let go short at packing."""

    __tablename__ = "line_shortages"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        Index("ix_line_shortages_created_at", "created_at"),
    )

    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), primary_key=True
    )
    stage: Mapped[str] = mapped_column(String(8), primary_key=True)  # pick | pack
    qty: Mapped[int]
    reason: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PackProgress(Base):
    """Where packing of an order stands beyond its counts: the open box, a pending serial scan."""

    __tablename__ = "pack_progress"
    # Covering (migration 0011): throughput reads packer, station and order from the index.
    __table_args__ = (
        Index(
            "ix_pack_progress_completed_at",
            "completed_at",
            "completed_by_id",
            "station_id",
            "order_id",
        ),
    )

    order_id: Mapped[int] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    current_seq: Mapped[int] = mapped_column(default=1)
    awaiting_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("order_lines.id", ondelete="SET NULL")
    )
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The station that completed packing (reports count per station; NULL before 0011).
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))


class PickProgress(Base):
    """Where a picker stands in an order or a batch: the bin confirmed, goods awaiting a tote."""

    __tablename__ = "pick_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), unique=True
    )
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("pick_batches.id", ondelete="CASCADE"), unique=True
    )
    bin_line_id: Mapped[int | None]
    bin_id: Mapped[int | None]
    tote_line_id: Mapped[int | None]
    tote_bin_id: Mapped[int | None]
    # "line_id:bin_id" -> how often the task was skipped to the end.
    skipped: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class StationRule(Base):
    """A station's scan policy and work filter (domain StationRules as a document)."""

    __tablename__ = "station_rules"

    station_id: Mapped[int] = mapped_column(
        ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True
    )
    rules: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
