"""Stock: an append-only ledger of moves, the per-bin cache kept beside it, and reservations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from wms_desk.db.models.base import Base, utcnow


class StockMove(Base):
    """One ledger row. Receipts have no from-bin, shipments and scrap have no to-bin."""

    __tablename__ = "stock_moves"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("from_bin_id IS NOT NULL OR to_bin_id IS NOT NULL", name="has_a_bin"),
        Index("ix_stock_moves_product_time", "product_id", "created_at"),
        Index("ix_stock_moves_reference", "reference", "reason"),
        Index("ix_stock_moves_reason_created_at", "reason", "created_at", "product_id", "qty"),
        # The ledger summed per bin and product in index order (reconciliation, 0011).
        Index("ix_stock_moves_to_bin", "to_bin_id", "product_id", "qty"),
        Index("ix_stock_moves_from_bin", "from_bin_id", "product_id", "qty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    from_bin_id: Mapped[int | None] = mapped_column(ForeignKey("bins.id"))
    to_bin_id: Mapped[int | None] = mapped_column(ForeignKey("bins.id"))
    qty: Mapped[int]
    reason: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str] = mapped_column(String(120), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    station_id: Mapped[int | None] = mapped_column(ForeignKey("stations.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BinStock(Base):
    """Cached on-hand and reserved per bin and product, kept in the same transaction as a move."""

    __tablename__ = "bin_stock"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="on_hand_not_negative"),
        CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="reserved_within_on_hand"),
        Index("ix_bin_stock_product", "product_id"),
    )

    bin_id: Mapped[int] = mapped_column(ForeignKey("bins.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    on_hand: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)


class Reservation(Base):
    """Stock held in one bin for one order line."""

    __tablename__ = "reservations"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        UniqueConstraint("order_line_id", "bin_id"),
        Index("ix_reservations_product_bin", "product_id", "bin_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(
        ForeignKey("order_lines.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    bin_id: Mapped[int] = mapped_column(ForeignKey("bins.id"))
    qty: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
