"""Demo shipping: a rate-card carrier (US and international zones), rules, packed orders."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from wms_desk.db.models import AppSetting, Channel, Order, OrderLine, Package, Product
from wms_desk.domain.roles import Permission
from wms_desk.domain.service_selection import Exclusion, ServiceMapping, ShippingRules, Strategy
from wms_desk.services.context import ServiceContext
from wms_desk.services.shipping.accounts import import_rate_card
from wms_desk.services.shipping.customs import HOME_KEY
from wms_desk.services.shipping.rules import save_rules
from wms_desk.services.uow import UnitOfWork, unit_of_work

DEMO_CARRIER = "demopost"

DEMO_RATE_CARD = """\
# Demo Post: a made-up regional carrier so a newcomer can ship offline. Prices in USD.
[carrier]
code = "DEMOPOST-2026"
name = "Demo Post"
currency = "USD"
dim_divisor = 5000
void_window_hours = 24
multi_piece = true

[tracking]
prefix = "DP"
suffix = "US"
start = 20000000
end = 29999999
digits = 8
rule = "s10"

[surcharges]
residential = 1.50
oversize = 12.00
oversize_longest_cm = 120
fuel_percent = 8

[[service]]
code = "GROUND"
name = "Ground"
transit_days = 4

[[service]]
code = "2DAY"
name = "2 Day"
transit_days = 2

[[service]]
code = "INTL"
name = "International"
transit_days = 7

[[zone]]
country = "US"
postal_prefix = "6"
zone = "D1"
routing = "MID"

[[zone]]
country = "US"
zone = "D2"
routing = "US-X"

[[zone]]
country = "CA"
zone = "I1"
routing = "CA"

[[zone]]
country = "DE"
zone = "I2"
routing = "EU"

[[zone]]
country = "GB"
zone = "I2"
routing = "EU"

[[price]]
service = "GROUND"
zone = "D1"
breaks = [[1, 6.20], [5, 9.40], [20, 18.00]]
per_extra_kg = 0.90

[[price]]
service = "GROUND"
zone = "D2"
breaks = [[1, 7.80], [5, 11.90], [20, 22.00]]

[[price]]
service = "2DAY"
zone = "D1"
breaks = [[1, 12.50], [5, 19.00]]

[[price]]
service = "2DAY"
zone = "D2"
breaks = [[1, 15.00], [5, 24.00]]

[[price]]
service = "INTL"
zone = "I1"
breaks = [[1, 19.00], [5, 34.00], [20, 70.00]]

[[price]]
service = "INTL"
zone = "I2"
breaks = [[1, 24.00], [5, 42.00], [20, 85.00]]
"""

DEMO_RULES = ShippingRules(
    strategy=Strategy.CHEAPEST_ON_TIME,
    mappings=(ServiceMapping("Express", DEMO_CARRIER, "2DAY"),),
    exclusions=(Exclusion(DEMO_CARRIER, "2DAY", max_weight_g=Decimal(5000)),),
    preferred_carrier=DEMO_CARRIER,
)

# (number, packages in grams, city, region, postal code, country, channel service)
_ORDERS = (
    ("SHIP-1001", (1250,), "Springfield", "IL", "62701", "US", ""),
    ("SHIP-1002", (900, 1600), "Portland", "OR", "97201", "US", "Express"),
    ("SHIP-1003", (700,), "Austin", "TX", "73301", "US", ""),
    ("SHIP-2001", (1100,), "Toronto", "ON", "M5H 2N2", "CA", ""),
    ("SHIP-2002", (800, 950), "Berlin", "BE", "10115", "DE", ""),
)


def seed_demo_shipping(ctx: ServiceContext, with_orders: bool = True) -> None:
    """The carrier with its card, the rules, and (the full demo) five packed orders ready for
    the Ship screen; smaller demos that tests count order by order get no extra orders."""
    import_rate_card(ctx, "demo", DEMO_CARRIER, DEMO_RATE_CARD)
    save_rules(ctx, DEMO_RULES)
    if with_orders:
        _packed_orders(ctx)
        # Imported here: tracking reaches the shipping services, which import this module's
        # neighbours; the demo's delivered orders come from the real tracking path.
        from wms_desk.services.demo_tracking import seed_demo_tracking

        seed_demo_tracking(ctx, DEMO_CARRIER)


@unit_of_work(Permission.MANAGE_USERS)
def _packed_orders(uow: UnitOfWork) -> None:
    session = uow.session
    channel = session.scalar(select(Channel).order_by(Channel.id))
    if channel is None:
        channel = Channel(name="demo-shipping", kind="csv", settings={})
        session.add(channel)
        session.flush()
    # Customs-ready goods (HS code, origin, description), shipped from the US.
    session.merge(AppSetting(key=HOME_KEY, value={"country": "US"}))
    product = Product(
        sku="DEMO-SHIP-MUG",
        name="Demo mug",
        unit_weight_g=Decimal(350),
        hs_code="691200",
        origin_country="PT",
        customs_description="Ceramic mug",
    )
    session.add(product)
    session.flush()
    for number, weights, city, region, postal, country, service in _ORDERS:
        order = Order(
            channel_id=channel.id,
            external_id=number,
            number=number,
            status="packed",
            customer_name=f"Demo customer {number}",
            ship_name=f"Demo customer {number}",
            ship_street1="1 Example Street",
            ship_city=city,
            ship_region=region,
            ship_postal_code=postal,
            ship_country=country,
            requested_service=service,
            currency="USD",
            subtotal=Decimal("60.00"),
            ordered_at=uow.now - timedelta(hours=5),
            ship_by=uow.now + timedelta(days=5),
        )
        order.lines.append(
            OrderLine(
                line_no=1,
                sku=product.sku,
                product_id=product.id,
                name=product.name,
                qty=len(weights),
                packed_qty=len(weights),
                picked_qty=len(weights),
                unit_price=Decimal("12.00"),
            )
        )
        for seq, grams in enumerate(weights, 1):
            order.packages.append(
                Package(seq=seq, weight_g=Decimal(grams), weight_source="scale", weighed_at=uow.now)
            )
        session.add(order)
