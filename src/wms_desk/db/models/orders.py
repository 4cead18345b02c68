"""Orders, their lines and tags, pick batches (waves) and packages."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms_desk.db.models.base import Base, Grams, utcnow
from wms_desk.domain import order_status

# The lifecycle, defined once in domain.order_status; the CHECK constraint spells it out.
ORDER_STATUSES = order_status.VALUES
_STATUS_CHECK = "status IN (" + ", ".join(f"'{s}'" for s in ORDER_STATUSES) + ")"


class PickBatch(Base):
    """A wave: orders picked together, each in its own tote."""

    __tablename__ = "pick_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    rule: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A picker's claim on the whole batch: a lease like an order's (station, user, expiry).
    claimed_by_station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    claimed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    claimed_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("channel_id", "external_id"),
        CheckConstraint(_STATUS_CHECK, name="status"),
        Index("ix_orders_status_ship_by", "status", "ship_by"),
        Index("ix_orders_ship_by", "ship_by"),
        Index("ix_orders_number", "number"),
        # A pg_trgm GIN index on PostgreSQL (substring search; its options are added with a
        # PostgreSQL engine: db/models/postgresql_options.py); a plain index on SQLite.
        Index("ix_orders_customer_name", "customer_name"),
        Index("ix_orders_created_at", "created_at"),
        # The queue sorts within each status: one short index range per status (migration 0002).
        Index("ix_orders_status_created_at", "status", "created_at"),
        Index("ix_orders_status_number", "status", "number"),
        Index("ix_orders_status_customer_name", "status", "customer_name"),
        Index("ix_orders_status_priority_ship_by", "status", "priority", "ship_by"),
        Index("ix_orders_assigned_station_id", "assigned_station_id"),
        Index("ix_orders_assigned_user_id", "assigned_user_id"),
        Index("ix_orders_ship_email", "ship_email"),
        Index("ix_orders_updated_at", "updated_at"),
        # Reports read shipped orders by the day they shipped, from the index alone (0011).
        Index(
            "ix_orders_shipped_at",
            "shipped_at",
            "ordered_at",
            "created_at",
            "picked_at",
            "ship_by",
            "channel_id",
            "id",
        ),
        Index("ix_orders_created_at_status", "created_at", "status", "channel_id", "ship_by", "id"),
        Index("ix_orders_picked_at", "picked_at", "channel_id", "id"),
        Index("ix_orders_requested_service", "requested_service"),
        Index(
            "ix_orders_status_counts",
            "status",
            "channel_id",
            "requested_service",
            "priority",
            "ship_by",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    external_id: Mapped[str] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="new")
    # The status an order was put on hold from, so a release returns it there.
    held_from: Mapped[str | None] = mapped_column(String(16))
    hold_reason: Mapped[str | None] = mapped_column(String(200))
    # Something a supervisor must look at (e.g. the channel cancelled an order that has shipped).
    attention: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(default=1)

    customer_name: Mapped[str] = mapped_column(String(200), default="")
    ship_name: Mapped[str] = mapped_column(String(200), default="")
    ship_company: Mapped[str] = mapped_column(String(200), default="")
    ship_street1: Mapped[str] = mapped_column(String(200), default="")
    ship_street2: Mapped[str] = mapped_column(String(200), default="")
    ship_street3: Mapped[str] = mapped_column(String(200), default="")
    ship_city: Mapped[str] = mapped_column(String(100), default="")
    ship_region: Mapped[str] = mapped_column(String(100), default="")
    ship_postal_code: Mapped[str] = mapped_column(String(20), default="")
    ship_country: Mapped[str] = mapped_column(String(2), default="")
    ship_phone: Mapped[str] = mapped_column(String(40), default="")
    ship_email: Mapped[str] = mapped_column(String(200), default="")
    # Bill-to is printed on the slip only; kept as one document: {"name": ..., "street1": ...}
    bill_to: Mapped[dict[str, Any]] = mapped_column(default=dict)

    ordered_at: Mapped[datetime | None]
    ship_by: Mapped[datetime | None]
    priority: Mapped[int] = mapped_column(default=0)
    requested_service: Mapped[str] = mapped_column(String(64), default="")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    subtotal: Mapped[Decimal] = mapped_column(default=Decimal(0))
    shipping_total: Mapped[Decimal] = mapped_column(default=Decimal(0))
    tax_total: Mapped[Decimal] = mapped_column(default=Decimal(0))
    # A discount on the whole order (not on a line); refunds share it out over the lines.
    discount_total: Mapped[Decimal] = mapped_column(default=Decimal(0))
    total: Mapped[Decimal] = mapped_column(default=Decimal(0))
    is_gift: Mapped[bool] = mapped_column(default=False)
    gift_message: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")

    assigned_station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    assigned_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A claim is a lease: it lapses at lease_until unless the station's heartbeat renews it.
    claimed_by_station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    claimed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lease_until: Mapped[datetime | None]
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("pick_batches.id"), index=True)
    tote: Mapped[str | None] = mapped_column(String(32))

    # Hash of the channel payload last imported: re-importing the same data changes nothing.
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    shipped_at: Mapped[datetime | None]
    # Set by tracking when every live shipment of the order is delivered (the last delivery).
    delivered_at: Mapped[datetime | None]
    # When the last unit was picked (set by picking; NULL for orders picked before 0011).
    picked_at: Mapped[datetime | None]

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.line_no"
    )
    tags: Mapped[list[OrderTag]] = relationship(cascade="all, delete-orphan")
    packages: Mapped[list[Package]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="Package.seq"
    )

    __mapper_args__ = {"version_id_col": version}


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (
        UniqueConstraint("order_id", "line_no"),
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("picked_qty >= 0 AND picked_qty <= qty", name="picked_within_qty"),
        CheckConstraint("packed_qty >= 0 AND packed_qty <= qty", name="packed_within_qty"),
        Index("ix_order_lines_sku", "sku"),
        # Covering (0011): reports count units and lines per order from the index.
        Index("ix_order_lines_order_id_qty", "order_id", "qty", "packed_qty", "sku"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int]
    external_line_id: Mapped[str] = mapped_column(String(64), default="")
    sku: Mapped[str | None] = mapped_column(String(64))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    qty: Mapped[int]
    unit_price: Mapped[Decimal] = mapped_column(default=Decimal(0))
    # The line's own discount and tax, as totals for the line (what the customer paid).
    discount: Mapped[Decimal] = mapped_column(default=Decimal(0))
    tax: Mapped[Decimal] = mapped_column(default=Decimal(0))
    # Lines without a SKU or for digital goods are kept on the order but never picked.
    pickable: Mapped[bool] = mapped_column(default=True)
    picked_qty: Mapped[int] = mapped_column(default=0)
    packed_qty: Mapped[int] = mapped_column(default=0)

    order: Mapped[Order] = relationship(back_populates="lines")


class OrderTag(Base):
    __tablename__ = "order_tags"
    __table_args__ = (Index("ix_order_tags_tag", "tag"),)

    order_id: Mapped[int] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True
    )
    tag: Mapped[str] = mapped_column(String(64), primary_key=True)


class Package(Base):
    """One box of an order: package `seq` of the order's packages."""

    __tablename__ = "packages"
    __table_args__ = (
        UniqueConstraint("order_id", "seq"),
        Index("ix_packages_weighed_at", "weighed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    seq: Mapped[int]
    carton: Mapped[str] = mapped_column(String(32), default="")
    carton_id: Mapped[int | None] = mapped_column(ForeignKey("cartons.id"))
    weight_g: Mapped[Decimal | None] = mapped_column(Grams)
    # Item weights plus the carton's tare, kept current as items go in.
    expected_weight_g: Mapped[Decimal | None] = mapped_column(Grams)
    # "scale" or "typed" (typed only at a station without a scale, audited).
    weight_source: Mapped[str] = mapped_column(String(8), default="", server_default="")
    weight_check: Mapped[str] = mapped_column(String(8), default="", server_default="")
    weight_approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    weighed_at: Mapped[datetime | None]
    # A weight counts only if taken after this: a box's reading is never an earlier box's.
    last_item_at: Mapped[datetime | None]
    sscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    order: Mapped[Order] = relationship(back_populates="packages")
