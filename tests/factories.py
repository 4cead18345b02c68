"""Small builders for test data through the real models (shared by tests of several layers)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from wms_desk.db.models import Bin, Channel, Order, OrderLine, Product
from wms_desk.services.database import Database


def add_product(database: Database, sku: str = "SKU-1", name: str = "Mug") -> int:
    with database.write_session() as session, session.begin():
        product = Product(sku=sku, name=name, unit_weight_g=Decimal("350"))
        session.add(product)
        session.flush()
        return product.id


def add_bin(database: Database, code: str = "A-01-01", sequence: int = 1) -> int:
    with database.write_session() as session, session.begin():
        bin_ = Bin(code=code, zone=code.split("-")[0], pick_sequence=sequence)
        session.add(bin_)
        session.flush()
        return bin_.id


def add_order(
    database: Database,
    number: str = "#1001",
    status: str = "new",
    sku: str | None = None,
    qty: int = 1,
    channel: str = "Shopify",
) -> int:
    with database.write_session() as session, session.begin():
        channel_row = session.scalar(select(Channel).where(Channel.name == channel))
        if channel_row is None:
            channel_row = Channel(name=channel, kind="shopify", settings={})
            session.add(channel_row)
            session.flush()
        order = Order(
            channel_id=channel_row.id,
            external_id=number.strip("#"),
            number=number,
            status=status,
            customer_name="Zoë Müller",
            ship_name="Zoë Müller",
            ship_country="DE",
        )
        if sku:
            product_id = session.scalar(select(Product.id).where(Product.sku == sku))
            order.lines.append(
                OrderLine(line_no=1, sku=sku, product_id=product_id, qty=qty, name=sku)
            )
        session.add(order)
        session.flush()
        return order.id
