"""Builders for shipping tests: the documented rate card imported, packed orders with boxes."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from tests.carriers.conftest import documented_card_text
from wms_desk.db.models import AppSetting, Channel, Order, OrderLine, Package
from wms_desk.services.context import ServiceContext
from wms_desk.services.database import Database
from wms_desk.services.shipping.accounts import import_rate_card


def import_nordpost(ctx: ServiceContext) -> None:
    import_rate_card(ctx, "docs/carriers.md", "nordpost", documented_card_text())


def ship_from_sweden(database: Database) -> None:
    """The warehouse ships from Sweden, like the documented card: SE orders are domestic."""
    from wms_desk.services.shipping.customs import HOME_KEY

    with database.write_session() as session, session.begin():
        session.merge(AppSetting(key=HOME_KEY, value={"country": "SE"}))


def packed_order(
    database: Database,
    number: str,
    weights: tuple[int, ...] = (900, 1400),
    country: str = "SE",
    postal: str = "164 40",
) -> int:
    """A packed order with one package per weight (grams), as pack COMPLETE leaves it."""
    with database.write_session() as session, session.begin():
        channel = session.scalar(select(Channel).where(Channel.name == "web"))
        if channel is None:
            channel = Channel(name="web", kind="csv")
            session.add(channel)
            session.flush()
        order = Order(
            channel_id=channel.id,
            external_id=number,
            number=number,
            status="packed",
            customer_name="Eva Lind",
            ship_name="Eva Lind",
            ship_street1="Storgatan 1",
            ship_city="Kista",
            ship_postal_code=postal,
            ship_country=country,
            currency="EUR",
            subtotal=Decimal("40.00"),
        )
        order.lines.append(OrderLine(line_no=1, sku="SKU-1", name="Thing", qty=len(weights)))
        for seq, grams in enumerate(weights, 1):
            order.packages.append(Package(seq=seq, weight_g=Decimal(grams)))
        session.add(order)
        session.flush()
        return order.id
