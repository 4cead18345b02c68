"""Shared set-up for the returns tests: a catalogue, stock, and shipped orders (no tests here)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from wms_desk.db.models import (
    Bin,
    BinStock,
    Channel,
    Order,
    OrderLine,
    Product,
    ProductBarcode,
    StockMove,
)
from wms_desk.db.models.base import utcnow
from wms_desk.services.context import ServiceContext
from wms_desk.services.stock import set_bin_quantity

MUG_CODE = "4006381333931"
TEE_CODE = "5012345678900"


def seed_catalogue(ctx: ServiceContext) -> None:
    """Two products with barcodes, two pick bins; 3 mugs in A-01-01."""
    with ctx.database.write_session() as session, session.begin():
        session.add(Channel(name="shop", kind="manual"))
        for n, code in enumerate(("A-01-01", "A-01-02"), start=1):
            session.add(Bin(code=code, zone="A", pick_sequence=n, active=True))
        for sku, barcode in (("MUG", MUG_CODE), ("TEE", TEE_CODE)):
            product = Product(sku=sku, name=sku.title())
            product.barcodes.append(ProductBarcode(code=barcode, quantity=1))
            session.add(product)
    set_bin_quantity(ctx, "A-01-01", "MUG", 3, "initial count")


def shipped_order(
    ctx: ServiceContext,
    number: str,
    lines: list[tuple[str, int, str, str, str]],
    status: str = "shipped",
    shipping: str = "4.99",
    order_discount: str = "0",
    order_tax: str = "0",
    **extra: object,
) -> int:
    """An order that shipped everything: lines are (sku, qty, unit price, discount, tax)."""
    with ctx.database.write_session() as session, session.begin():
        channel_id = session.scalar(select(Channel.id).where(Channel.name == "shop"))
        products = dict(session.execute(select(Product.sku, Product.id)).all())
        line_tax = sum((Decimal(t) for *_, t in lines), Decimal(0))
        done = status in ("shipped", "partly_returned", "returned")
        order = Order(
            channel_id=channel_id,
            external_id=f"x-{number}",
            number=number,
            status=status,
            customer_name=str(extra.pop("customer", "Ada Lovelace")),
            ship_name="Ada Lovelace",
            ship_street1="1 Analytical Way",
            ship_city="London",
            ship_country="GB",
            currency="EUR",
            shipping_total=Decimal(shipping),
            discount_total=Decimal(order_discount),
            tax_total=line_tax + Decimal(order_tax),
            shipped_at=utcnow() - timedelta(days=2) if done else None,
            **extra,
        )
        for n, (sku, qty, price, discount, tax) in enumerate(lines, start=1):
            order.lines.append(
                OrderLine(
                    line_no=n,
                    sku=sku,
                    product_id=products[sku],
                    name=sku.title(),
                    qty=qty,
                    unit_price=Decimal(price),
                    discount=Decimal(discount),
                    tax=Decimal(tax),
                    picked_qty=qty if done else 0,
                    packed_qty=qty if done else 0,
                )
            )
        session.add(order)
        session.flush()
        return order.id


def on_hand(ctx: ServiceContext, bin_code: str, sku: str) -> int:
    with ctx.database.read_session() as session:
        value = session.scalar(
            select(BinStock.on_hand)
            .join(Bin, Bin.id == BinStock.bin_id)
            .join(Product, Product.id == BinStock.product_id)
            .where(Bin.code == bin_code, Product.sku == sku)
        )
        return int(value or 0)


def moves(
    ctx: ServiceContext, reference: str
) -> list[tuple[str, str, str | None, str | None, int]]:
    """(sku, reason, from bin, to bin, qty) of the ledger rows an RMA made, in order."""
    with ctx.database.read_session() as session:
        bins = dict(session.execute(select(Bin.id, Bin.code)).all())
        rows = session.execute(
            select(
                Product.sku,
                StockMove.reason,
                StockMove.from_bin_id,
                StockMove.to_bin_id,
                StockMove.qty,
            )
            .join(Product, Product.id == StockMove.product_id)
            .where(StockMove.reference == reference)
            .order_by(StockMove.id)
        ).all()
        return [(s, r, bins.get(f), bins.get(t), q) for s, r, f, t, q in rows]


def order_status(ctx: ServiceContext, order_id: int) -> str:
    with ctx.database.read_session() as session:
        return session.get(Order, order_id).status
