"""What a scanned code stands for in this database, for feedback when no screen could use it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.db.models import Bin, Channel, Order, Product, ProductBarcode
from wms_desk.services.uow import read_only


@dataclass(frozen=True)
class OrderMatch:
    order_id: int
    number: str
    channel: str
    status: str


@dataclass(frozen=True)
class ProductMatch:
    product_id: int
    sku: str
    name: str
    quantity: int  # units the scanned code stands for (a case barcode: its pack size)


@dataclass(frozen=True)
class CodeMatch:
    """Everything the code could mean here: orders with that number (several channels may share
    one), the product whose barcode or SKU it is, or the bin it labels."""

    code: str
    orders: tuple[OrderMatch, ...] = ()
    product: ProductMatch | None = None
    bin_code: str | None = None

    @property
    def found(self) -> bool:
        return bool(self.orders or self.product or self.bin_code)


MAX_CODE = 64  # the longest order number, SKU or barcode the schema stores


def gtin_forms(gtin: str | None) -> tuple[str, ...]:
    """A GTIN-14 as a catalogue may store it: 14, 13 (EAN-13), 12 (UPC-A) or 8 digits."""
    if not gtin:
        return ()
    forms = [gtin]
    for length in (13, 12, 8):
        if gtin.startswith("0" * (14 - length)):
            forms.append(gtin[14 - length :])
    return tuple(forms)


@read_only
def identify_code(session: Session, code: str, gtin: str | None = None) -> CodeMatch:
    code = code.strip()
    if not code or len(code) > MAX_CODE:
        return CodeMatch(code)
    orders = tuple(
        OrderMatch(order_id, number, channel, status)
        for order_id, number, channel, status in session.execute(
            select(Order.id, Order.number, Channel.name, Order.status)
            .join(Channel, Channel.id == Order.channel_id)
            .where(Order.number == code)
            .order_by(Order.id)
            .limit(10)
        )
    )
    product = next(
        (p for c in (code, *gtin_forms(gtin)) if (p := _product(session, c)) is not None), None
    )
    bin_code = session.scalar(select(Bin.code).where(Bin.code == code))
    return CodeMatch(code, orders, product, bin_code)


def _product(session: Session, code: str) -> ProductMatch | None:
    row = session.execute(
        select(Product.id, Product.sku, Product.name, ProductBarcode.quantity)
        .join(ProductBarcode, ProductBarcode.product_id == Product.id)
        .where(ProductBarcode.code == code)
    ).first()
    if row is None:
        row = session.execute(
            select(Product.id, Product.sku, Product.name, 1).where(Product.sku == code)
        ).first()
    return ProductMatch(*row) if row is not None else None
