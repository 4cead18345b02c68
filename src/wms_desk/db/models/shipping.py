"""Shipping: carrier accounts, tracking counters, rules, shipments, their labels and manifests."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms_desk.db.models.base import Base, Grams, utcnow

SHIPMENT_STATUSES = ("bought", "voided")
CARRIER_KINDS = ("rate_card", "easypost", "manual")
INTENT_STATUSES = ("open", "bought", "abandoned")


class CarrierAccount(Base):
    """A carrier we ship with: a rate card (its TOML text), an EasyPost key source, or manual."""

    __tablename__ = "carrier_accounts"
    __table_args__ = (
        CheckConstraint(
            "kind IN (" + ", ".join(f"'{k}'" for k in CARRIER_KINDS) + ")", name="kind"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(16))
    rate_card: Mapped[str] = mapped_column(Text, default="")
    # Where an API key is (an environment variable name or a key file path), never the key.
    key_source: Mapped[str] = mapped_column(String(300), default="")
    # An online account's connection: {"api_base": URL, "timeout_s": N, "retries": N}.
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TrackingCounter(Base):
    """The next unused serial of a rate card's tracking range: taken with UPDATE ... RETURNING."""

    __tablename__ = "tracking_counters"

    card_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_serial: Mapped[int] = mapped_column(BigInteger)


class ShippingRuleSet(Base):
    """A supervisor's service-selection rules (domain ShippingRules as a document) per scope:
    "" for every channel, else a channel name."""

    __tablename__ = "shipping_rules"

    scope: Mapped[str] = mapped_column(String(100), primary_key=True)
    rules: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ShippingManifest(Base):
    """An end-of-day form; written once, never edited (later labels go on a new one)."""

    __tablename__ = "shipping_manifests"
    __table_args__ = (Index("ix_shipping_manifests_carrier_date", "carrier", "ship_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier: Mapped[str] = mapped_column(String(64))
    ship_date: Mapped[date]
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    package_count: Mapped[int]
    total_weight_g: Mapped[Decimal] = mapped_column(Grams)
    document: Mapped[bytes] = mapped_column(LargeBinary)
    csv: Mapped[str] = mapped_column(Text)
    # The carrier's own form (EasyPost's SCAN form PDF) when it makes one; ours is `document`.
    carrier_document: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Shipment(Base):
    """What one purchase bought for an order: one label per package (or one per shipment)."""

    __tablename__ = "shipments"
    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in SHIPMENT_STATUSES) + ")", name="status"
        ),
        Index("ix_shipments_carrier_date_status", "carrier", "ship_date", "status"),
        Index(
            "ix_shipments_bought_at",
            "bought_at",
            "status",
            "carrier",
            "service",
            "currency",
            "order_id",
            "price",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    carrier: Mapped[str] = mapped_column(String(64))
    service: Mapped[str] = mapped_column(String(64))
    service_name: Mapped[str] = mapped_column(String(100), default="")
    price: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    master_tracking: Mapped[str] = mapped_column(String(64))
    shipment_ref: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(16), default="bought")
    ship_date: Mapped[date]
    bought_at: Mapped[datetime] = mapped_column(default=utcnow)
    bought_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    voided_at: Mapped[datetime | None]
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    void_reason: Mapped[str] = mapped_column(String(200), default="")
    # A label is on at most one manifest: the shipment points at it, once.
    manifest_id: Mapped[int | None] = mapped_column(ForeignKey("shipping_manifests.id"), index=True)
    # Where the parcels stand by the carrier's tracking (domain.tracking.shipment_state of its
    # labels' events, kept current by services/shipping/tracking.py); "" before any event.
    tracking_status: Mapped[str] = mapped_column(String(24), default="", server_default="")
    delivered_at: Mapped[datetime | None]

    labels: Mapped[list[ShipmentLabel]] = relationship(
        back_populates="shipment", cascade="all, delete-orphan", order_by="ShipmentLabel.seq"
    )


class ShipmentLabel(Base):
    """One package's label: its tracking number and the carrier's bytes, printed as they are."""

    __tablename__ = "shipment_labels"
    __table_args__ = (Index("ix_shipment_labels_shipment_id_seq", "shipment_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[int] = mapped_column(
        ForeignKey("shipments.id", ondelete="CASCADE"), index=True
    )
    package_id: Mapped[int | None] = mapped_column(ForeignKey("packages.id", ondelete="SET NULL"))
    seq: Mapped[int]
    count: Mapped[int]
    tracking: Mapped[str] = mapped_column(String(64), unique=True)
    format: Mapped[str] = mapped_column(String(8))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    weight_g: Mapped[Decimal] = mapped_column(Grams)
    print_job_id: Mapped[str | None] = mapped_column(String(36))
    # The carrier's tracking page for this number (the shipment e-mail's link); "" if none.
    tracking_url: Mapped[str] = mapped_column(String(500), default="")
    handed_over_at: Mapped[datetime | None]
    handed_over_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    shipment: Mapped[Shipment] = relationship(back_populates="labels")


class PurchaseIntent(Base):
    """An online purchase about to be made: the carrier's shipment id, written and committed
    before the buy call. A retry (or another station) resumes the open intent and buys that same
    shipment, which the carrier sells once, so a lost answer never becomes a second label."""

    __tablename__ = "purchase_intents"
    __table_args__ = (
        CheckConstraint(
            "status IN (" + ", ".join(f"'{s}'" for s in INTENT_STATUSES) + ")", name="status"
        ),
        # At most one open purchase per package of an order, whichever station starts it.
        Index(
            "uq_purchase_intents_open",
            "order_id",
            "package_seq",
            unique=True,
            sqlite_where=text("status = 'open'"),  # PostgreSQL's: db/models/postgresql_options.py
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    carrier: Mapped[str] = mapped_column(String(64))
    package_seq: Mapped[int]
    shipment_ref: Mapped[str] = mapped_column(String(100), unique=True)
    rate_ref: Mapped[str] = mapped_column(String(100))
    service: Mapped[str] = mapped_column(String(64))
    service_name: Mapped[str] = mapped_column(String(100), default="")
    amount: Mapped[Decimal]
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    finished_at: Mapped[datetime | None]
