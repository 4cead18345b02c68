"""Products, their barcodes, and bins (locations)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wms_desk.db.models.base import Base, Grams, utcnow


class Product(Base):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    unit_weight_g: Mapped[Decimal] = mapped_column(Grams, default=Decimal(0))
    length_mm: Mapped[int | None]
    width_mm: Mapped[int | None]
    height_mm: Mapped[int | None]
    image_path: Mapped[str | None] = mapped_column(String(500))
    hs_code: Mapped[str | None] = mapped_column(String(16))
    origin_country: Mapped[str | None] = mapped_column(String(2))
    # What a customs form says the goods are (e.g. "Ceramic mug"); the name when empty.
    customs_description: Mapped[str] = mapped_column(String(200), default="", server_default="")
    needs_serial: Mapped[bool] = mapped_column(default=False)
    needs_lot: Mapped[bool] = mapped_column(default=False)
    fragile: Mapped[bool] = mapped_column(default=False)
    is_digital: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    barcodes: Mapped[list[ProductBarcode]] = relationship(
        back_populates="product", cascade="all, delete-orphan"
    )


class ProductBarcode(Base):
    """A code that stands for `quantity` units of a product (a case barcode can mean 6)."""

    __tablename__ = "product_barcodes"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(64), unique=True)
    quantity: Mapped[int] = mapped_column(default=1)

    product: Mapped[Product] = relationship(back_populates="barcodes")


class Bin(Base):
    """A storage location; its code is also its barcode."""

    __tablename__ = "bins"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    zone: Mapped[str] = mapped_column(String(16), index=True)
    pick_sequence: Mapped[int] = mapped_column(index=True)
    active: Mapped[bool] = mapped_column(default=True)
