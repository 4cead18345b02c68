"""Realistic demo data: a catalogue with barcodes, bins in zones, stock, orders in every state."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from wms_desk.db.models import (
    Bin,
    BinStock,
    Carton,
    Channel,
    Order,
    OrderLine,
    OrderTag,
    Package,
    Product,
    ProductBarcode,
    Reservation,
    StockMove,
)
from wms_desk.domain import order_status
from wms_desk.domain.roles import Permission
from wms_desk.services.context import ServiceContext
from wms_desk.services.database import Database
from wms_desk.services.demo_accounts import DEMO_USERS
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.uow import UnitOfWork, unit_of_work

CHANNELS = (("Shopify", "shopify"), ("WooCommerce", "woocommerce"), ("Wholesale CSV", "csv"))
ZONES = ("A", "B", "C")
SERVICES = ("Ground", "Priority", "Express", "Economy")

_ADJECTIVES = (
    "Classic",
    "Organic",
    "Compact",
    "Deluxe",
    "Travel",
    "Everyday",
    "Premium",
    "Recycled",
    "Ceramic",
    "Bamboo",
    "Steel",
    "Linen",
)
_ITEMS = (
    "Coffee Mug",
    "Water Bottle",
    "Notebook A5",
    "Desk Lamp",
    "Tea Towel",
    "Phone Case",
    "Yoga Mat",
    "Cutting Board",
    "Scented Candle",
    "Backpack",
    "Wool Socks",
    "Plant Pot",
    "Glass Jar",
    "Bath Towel",
    "Pen Set",
    "Lunch Box",
)
_FIRST = (
    "Anna",
    "Ben",
    "Chloé",
    "David",
    "Emma",
    "Felix",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kai",
    "Lena",
    "Mateo",
    "Noah",
    "Olivia",
    "Zoë",
    "Łucja",
    "Søren",
    "Maël",
    "Yuki",
)
_LAST = (
    "Müller",
    "Smith",
    "García",
    "Nowak",
    "Rossi",
    "Dubois",
    "Jensen",
    "Brown",
    "Kowalski",
    "Schmidt",
    "Tanaka",
    "O'Neil",
    "Fischer",
    "Novak",
    "Silva",
)
_PLACES = (
    ("Springfield", "IL", "62701", "US"),
    ("Portland", "OR", "97201", "US"),
    ("Austin", "TX", "73301", "US"),
    ("Berlin", "BE", "10115", "DE"),
    ("Łódź", "LD", "90-001", "PL"),
    ("Toronto", "ON", "M5H 2N2", "CA"),
    ("Manchester", "", "M1 1AE", "GB"),
    ("Lyon", "", "69001", "FR"),
)
_STREETS = ("Main St", "Oak Avenue", "Hauptstraße", "High Street", "Rue de la Paix", "Elm Road")

# Every status, weighted the way a real queue looks: most work is new or in progress.
_STATUS_MIX = (
    ("new", 70),
    ("allocated", 60),
    ("backordered", 20),
    ("picking", 15),
    ("picked", 12),
    ("packing", 8),
    ("packed", 15),
    ("shipped", 60),
    ("cancelled", 12),
    ("on_hold", 12),
    ("partly_returned", 8),
    ("returned", 8),
)


def check_digit(digits: str) -> str:
    """GS1 mod-10 check digit for GTIN-8/12/13/14 and SSCC data digits."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


@dataclass(frozen=True)
class DemoSummary:
    products: int
    bins: int
    orders: int
    users: tuple[str, ...]


def has_catalogue(database: Database) -> bool:
    """Cheap check (no count over a big table) whether the demo data is already there."""
    with database.read_session() as session:
        return session.scalar(select(Product.id).limit(1)) is not None


def seed_demo(ctx: ServiceContext, orders: int = 300, seed: int = 7) -> DemoSummary:
    """Fill an empty database with demo data; refuses a database that already has products."""
    # Imported here: every demo start checks has_catalogue(), only the first one seeds, and
    # returns and shipping pull in carriers and printing (about 0.2 s the station waits for).
    from wms_desk.services.demo_returns import seed_demo_returns
    from wms_desk.services.demo_shipping import seed_demo_shipping
    from wms_desk.services.users import add_user

    summary = _seed_data(ctx, orders, seed)
    seed_demo_returns(ctx)
    for user in DEMO_USERS:
        add_user(ctx, user.username, user.role, user.password, user.badge, user.display_name)
    seed_demo_shipping(ctx, with_orders=orders >= 300)  # small test demos keep their counts
    return DemoSummary(
        summary.products, summary.bins, summary.orders, tuple(u.username for u in DEMO_USERS)
    )


@unit_of_work(Permission.MANAGE_USERS)
def _seed_data(uow: UnitOfWork, orders: int, seed: int) -> DemoSummary:
    session = uow.session
    if session.scalar(select(func.count()).select_from(Product)):
        raise ValidationFailed(
            "This database already has products; demo data goes into a new, empty database."
        )
    rng = random.Random(seed)
    now = uow.now

    bins: list[dict[str, object]] = []
    for zone in ZONES:
        for aisle in range(1, 6):
            for rack in range(1, 11):
                bins.append(
                    {
                        "code": f"{zone}-{aisle:02d}-{rack:02d}",
                        "zone": zone,
                        "pick_sequence": len(bins) + 1,
                        "active": True,
                    }
                )
    session.execute(insert(Bin), bins)
    bin_ids = list(session.scalars(select(Bin.id).order_by(Bin.pick_sequence)))

    products, barcodes = [], []
    for n in range(64):
        sku = f"SKU-{1000 + n}"
        name = f"{_ADJECTIVES[n % len(_ADJECTIVES)]} {_ITEMS[n % len(_ITEMS)]}"
        products.append(
            {
                "sku": sku,
                "name": name,
                "unit_weight_g": Decimal(rng.randrange(80, 2400)),
                "length_mm": rng.randrange(60, 400),
                "width_mm": rng.randrange(40, 300),
                "height_mm": rng.randrange(20, 200),
                "needs_serial": n % 17 == 0,
                "needs_lot": n % 13 == 0,
                "fragile": n % 5 == 0,
                "is_digital": False,
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
        )
    for product in products:  # after the random draws, so the rest of the data is unchanged
        if product["sku"] == SCALE_SKU:
            product["unit_weight_g"] = SCALE_ITEM_G
            product["length_mm"], product["width_mm"], product["height_mm"] = SCALE_DIMS
    session.execute(insert(Product), products)
    product_ids = {sku: pid for sku, pid in session.execute(select(Product.sku, Product.id))}
    for n, sku in enumerate(sorted(product_ids)):
        # A quarter carry 12-digit UPC-A codes, the rest EAN-13.
        code = f"0{36000 + n:05d}{n:05d}"[:11] if n % 4 == 3 else f"400{n:09d}"
        code += check_digit(code)
        barcodes.append({"product_id": product_ids[sku], "code": code, "quantity": 1})
        if n % 6 == 0:  # a case of 6 has its own GTIN-14 (indicator digit 1)
            case = "1" + (code if len(code) == 13 else "0" + code)[:12]
            barcodes.append(
                {"product_id": product_ids[sku], "code": case + check_digit(case), "quantity": 6}
            )
    session.execute(insert(ProductBarcode), barcodes)

    # Opening stock: every product in one to three bins, written as ledger receipts.
    stock: dict[tuple[int, int], int] = {}
    for product_id in product_ids.values():
        for bin_id in rng.sample(bin_ids, rng.randint(1, 3)):
            stock[(bin_id, product_id)] = rng.randrange(40, 160)
    # Backordered demo orders must really be short: they wait for these two SKUs, which have
    # one unit per bin and are on no other order (a backorder beside free stock is a bug).
    scarce = sorted(product_ids)[-2:]
    for key in stock:
        if key[1] in {product_ids[sku] for sku in scarce}:
            stock[key] = 1
    session.execute(
        insert(StockMove),
        [
            {
                "product_id": p,
                "from_bin_id": None,
                "to_bin_id": b,
                "qty": q,
                "reason": "receive",
                "reference": "demo opening stock",
                "user_id": None,
                "station_id": uow.actor.station_id,
                "created_at": now - timedelta(days=30),
            }
            for (b, p), q in stock.items()
        ],
    )
    reserved: dict[tuple[int, int], int] = dict.fromkeys(stock, 0)
    bins_of: dict[int, list[int]] = {}
    for b, p in sorted(stock, key=lambda key: bin_ids.index(key[0])):
        bins_of.setdefault(p, []).append(b)

    channel_ids = []
    for name, kind in CHANNELS:
        channel = Channel(name=name, kind=kind, settings={}, created_at=now)
        session.add(channel)
        session.flush()
        channel_ids.append(channel.id)

    statuses = [s for s, weight in _STATUS_MIX for _ in range(weight)]
    skus = [sku for sku in sorted(product_ids) if sku not in scarce]
    names = {str(p["sku"]): str(p["name"]) for p in products}
    internal = _demo_packing_setup(session, now)
    moved: dict[tuple[int, int], int] = {}
    scale_done = False
    ship_moves = []
    for n in range(orders):
        status = statuses[n % len(statuses)] if n < len(statuses) else rng.choice(statuses)
        channel_index = n % 3
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        city, region, postal, country = rng.choice(_PLACES)
        # Finished orders are older; open ones came in over the last three days.
        finished = status in order_status.CLOSED
        ordered_at = now - timedelta(
            hours=rng.randrange(72 if finished else 1, 24 * 6 if finished else 72)
        )
        order = Order(
            channel_id=channel_ids[channel_index],
            external_id=str(5000 + n),
            number=("#" if channel_index == 0 else "W" if channel_index == 1 else "CSV-")
            + str(1001 + n),
            status=status,
            customer_name=f"{first} {last}",
            ship_name=f"{first} {last}",
            ship_street1=f"{rng.randrange(1, 250)} {rng.choice(_STREETS)}",
            ship_city=city,
            ship_region=region,
            ship_postal_code=postal,
            ship_country=country,
            ship_email=f"{first.lower()}.{n}@example.com",
            ship_phone="+1 555 0100",
            bill_to={"name": f"{first} {last}", "city": city, "country": country},
            ordered_at=ordered_at,
            # A real mix: a few late, some due today, most later.
            ship_by=ordered_at + timedelta(hours=rng.choice((24, 48, 72, 96, 120))),
            priority=rng.choice((0, 0, 0, 1, 2)),
            requested_service=rng.choice(SERVICES),
            currency="USD",
            is_gift=n % 19 == 0,
            gift_message="Happy birthday! Love, Sam" if n % 19 == 0 else "",
            created_at=ordered_at,
            updated_at=ordered_at,
        )
        if status == "on_hold":
            order.held_from, order.hold_reason = "allocated", "Address check with the customer"
        if status in order_status.SHIPPED_OR_LATER:
            order.shipped_at = ordered_at + timedelta(hours=20)
        subtotal = Decimal(0)
        for line_no, sku in enumerate(rng.sample(skus, rng.choice((1, 1, 1, 2, 2, 3, 4))), 1):
            qty = rng.choice((1, 1, 1, 2, 3))
            price = Decimal(rng.randrange(499, 8999)) / 100
            subtotal += price * qty
            done = status == "packed" or status in order_status.SHIPPED_OR_LATER
            order.lines.append(
                OrderLine(
                    line_no=line_no,
                    sku=sku,
                    product_id=product_ids[sku],
                    qty=qty,
                    name=names[sku],
                    unit_price=price,
                    pickable=True,
                    picked_qty=qty if status in {"picked", "packing"} or done else 0,
                    packed_qty=qty if done else 0,
                )
            )
        if status == "backordered":
            sku = scarce[n % len(scarce)]
            short = sum(q for (_, p), q in stock.items() if p == product_ids[sku]) + 2
            order.lines.append(
                OrderLine(
                    line_no=len(order.lines) + 1,
                    sku=sku,
                    product_id=product_ids[sku],
                    qty=short,
                    name=names[sku],
                    unit_price=Decimal("12.50"),
                    pickable=True,
                    picked_qty=0,
                    packed_qty=0,
                )
            )
            subtotal += Decimal("12.50") * short
        if status == "picked" and not scale_done:
            scale_done = True
            price = order.lines[0].unit_price
            order.lines[:] = [
                OrderLine(
                    line_no=1,
                    sku=SCALE_SKU,
                    product_id=product_ids[SCALE_SKU],
                    qty=1,
                    name=names[SCALE_SKU],
                    unit_price=price,
                    pickable=True,
                    picked_qty=1,
                )
            ]
            subtotal = price
            order.tags.append(OrderTag(tag=SCALE_TAG))
        order.subtotal, order.shipping_total = subtotal, Decimal("5.99")
        order.tax_total = (subtotal * Decimal("0.08")).quantize(Decimal("0.01"))
        order.total = order.subtotal + order.shipping_total + order.tax_total
        if n % 7 == 0:
            order.tags.append(OrderTag(tag="vip"))
        if n % 11 == 0:
            order.tags.append(OrderTag(tag="fragile"))
        session.add(order)
        session.flush()
        # Held demo orders were held from allocated, so they keep their reservations; picked
        # and later ones moved their goods out of the bins instead.
        if status in order_status.HOLDS_STOCK - _MOVED or status == "on_hold":
            for line in order.lines:
                assert line.product_id is not None  # every demo line is for a product
                _reserve_demo(session, line, bins_of[line.product_id], stock, reserved, now)
        if status in _MOVED:
            # Picked goods wait in staging (packed ones at the dock), moved there in the ledger.
            where = "DOCK" if status == "packed" else "STAGE"
            for line in order.lines:
                pid = line.product_id
                assert pid is not None
                _pick_demo(
                    session,
                    uow,
                    pid,
                    line.qty,
                    bins_of[pid],
                    stock,
                    reserved,
                    where,
                    order.number,
                    internal,
                    moved,
                )
        if status in order_status.SHIPPED_OR_LATER:
            session.add(
                Package(
                    order_id=order.id,
                    seq=1,
                    carton="M",
                    weight_g=Decimal(rng.randrange(300, 4000)),
                    created_at=now,
                )
            )
            for line in order.lines:
                pid = line.product_id
                assert pid is not None
                bin_id = next(
                    b for b in bins_of[pid] if stock[(b, pid)] - reserved[(b, pid)] >= line.qty
                )
                stock[(bin_id, pid)] -= line.qty
                ship_moves.append(
                    {
                        "product_id": line.product_id,
                        "from_bin_id": bin_id,
                        "to_bin_id": None,
                        "qty": line.qty,
                        "reason": "ship",
                        "reference": order.number,
                        "user_id": None,
                        "station_id": uow.actor.station_id,
                        "created_at": order.shipped_at,
                    }
                )
    if ship_moves:
        session.execute(insert(StockMove), ship_moves)
    session.execute(
        insert(BinStock),
        [
            {"bin_id": b, "product_id": p, "on_hand": q, "reserved": reserved[(b, p)]}
            for (b, p), q in stock.items()
        ]
        + [
            {"bin_id": b, "product_id": p, "on_hand": q, "reserved": 0}
            for (b, p), q in moved.items()
        ],
    )
    uow.audit("demo.seeded", "database", "demo", after={"orders": orders, "seed": seed})
    return DemoSummary(len(products), len(bins), orders, ())


# Statuses whose goods left the storage bins for staging (picked) or the dock (packed).
_MOVED = frozenset(
    {
        order_status.OrderStatus.PICKED,
        order_status.OrderStatus.PACKING,
        order_status.OrderStatus.PACKED,
    }
)

# Carton types: code, inner length x width x height (mm), maximum weight and tare (g).
DEMO_CARTONS = (
    ("S", "Small box", (200, 150, 100), 5000, 120),
    ("M", "Medium box", (350, 250, 200), 15000, 250),
    ("L", "Large box", (600, 400, 400), 25000, 600),
    ("ENV", "Padded envelope", (300, 220, 30), 1000, 40),
)
# The demo scale simulator starts at 1.250 kg: one of this product in a small box (tare 120 g)
# weighs exactly that; the first picked demo order (tagged "scale-demo") is one of it.
SCALE_SKU, SCALE_ITEM_G, SCALE_DIMS = "SKU-1001", Decimal(1130), (180, 140, 90)
SCALE_TAG = "scale-demo"


def _demo_packing_setup(session: Session, now: datetime) -> dict[str, int]:
    """Cartons, and the staging and dock bins picking and packing move goods through."""
    for code, name, (length, width, height), max_g, tare in DEMO_CARTONS:
        session.add(
            Carton(
                code=code,
                name=name,
                barcode=f"CARTON-{code}",
                length_mm=length,
                width_mm=width,
                height_mm=height,
                max_weight_g=Decimal(max_g),
                tare_g=Decimal(tare),
                created_at=now,
            )
        )
    ids = {}
    for code, zone in (("STAGE", "TOTE"), ("DOCK", "OUT")):
        internal_bin = Bin(code=code, zone=zone, pick_sequence=0, active=False)
        session.add(internal_bin)
        session.flush()
        ids[code] = internal_bin.id
    return ids


def _pick_demo(
    session: Session,
    uow: UnitOfWork,
    product_id: int,
    qty: int,
    bins: list[int],
    stock: dict[tuple[int, int], int],
    reserved: dict[tuple[int, int], int],
    where: str,
    reference: str,
    internal: dict[str, int],
    moved: dict[tuple[int, int], int],
) -> None:
    """A demo order's goods taken from its bins (free stock) to staging or the dock."""
    for bin_id in bins:
        take = min(qty, stock[(bin_id, product_id)] - reserved[(bin_id, product_id)])
        if take <= 0:
            continue
        stock[(bin_id, product_id)] -= take
        key = (internal[where], product_id)
        moved[key] = moved.get(key, 0) + take
        session.add(
            StockMove(
                product_id=product_id,
                from_bin_id=bin_id,
                to_bin_id=internal[where],
                qty=take,
                reason="pick",
                reference=reference,
                station_id=uow.actor.station_id,
                created_at=uow.now,
            )
        )
        qty -= take
        if qty == 0:
            return
    raise ValidationFailed(f"Demo stock ran out picking order {reference}.")


def _reserve_demo(
    session: Session,
    line: OrderLine,
    bins: list[int],
    stock: dict[tuple[int, int], int],
    reserved: dict[tuple[int, int], int],
    now: datetime,
) -> None:
    """Reserve a line from the first bins (by pick sequence) with free stock."""
    needed, pid = line.qty, line.product_id
    assert pid is not None
    for bin_id in bins:
        free = stock[(bin_id, pid)] - reserved[(bin_id, pid)]
        take = min(free, needed)
        if take <= 0:
            continue
        reserved[(bin_id, pid)] += take
        session.add(
            Reservation(
                order_line_id=line.id,
                product_id=line.product_id,
                bin_id=bin_id,
                qty=take,
                created_at=now,
            )
        )
        needed -= take
        if needed == 0:
            return
