"""A small, hand-countable history for the report tests (see test_reports.py for the counts).

All times are UTC in the first week of March 2026; the range asked for is 2026-03-02..06.
Order O7 lies before the range and must never be counted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from wms_desk.db.models import (
    AuditEvent,
    Bin,
    BinStock,
    Channel,
    LineShortage,
    Order,
    OrderLine,
    Package,
    PackProgress,
    Product,
    Refund,
    Rma,
    RmaLine,
    Shipment,
    ShipmentLabel,
    Station,
    StockMove,
    User,
)
from wms_desk.services.database import Database


def t(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass(frozen=True)
class Ids:
    anna: int
    ben: int
    pack1: int
    pack2: int


def _user(session: Session, name: str) -> User:
    user = User(username=name, display_name=name.title(), role="packer")
    session.add(user)
    return user


def seed_history(database: Database) -> Ids:
    with database.write_session() as session, session.begin():
        shop = Channel(name="Shop", kind="manual")
        wholesale = Channel(name="Wholesale", kind="csv")
        pack1, pack2 = Station(name="PACK-1"), Station(name="PACK-2")
        anna, ben = _user(session, "anna"), _user(session, "ben")
        session.add_all([shop, wholesale, pack1, pack2])
        products = {s: Product(sku=s, name=f"Product {s}") for s in ("SKU-A", "SKU-B", "SKU-C")}
        session.add_all(products.values())
        bin1 = Bin(code="BIN-1", zone="A", pick_sequence=1)
        bin2 = Bin(code="BIN-2", zone="A", pick_sequence=2)
        tote = Bin(code="TOTE-1", zone="TOTE", pick_sequence=99, active=False)
        session.add_all([bin1, bin2, tote])
        session.flush()

        def order(
            n: int,
            channel: Channel,
            status: str,
            placed: datetime,
            lines: list[tuple[str, int]],
            ship_by: datetime | None = None,
            picked: datetime | None = None,
            packed: tuple[datetime, User, Station] | None = None,
            shipped: datetime | None = None,
        ) -> Order:
            o = Order(
                channel_id=channel.id,
                external_id=f"E{n}",
                number=f"O{n}",
                status=status,
                ordered_at=placed,
                created_at=placed,
                ship_by=ship_by,
                picked_at=picked,
                shipped_at=shipped,
            )
            packed_qty = packed is not None
            o.lines = [
                OrderLine(
                    line_no=i + 1,
                    sku=sku,
                    product_id=products[sku].id,
                    qty=qty,
                    picked_qty=qty if picked else 0,
                    packed_qty=qty if packed_qty else 0,
                )
                for i, (sku, qty) in enumerate(lines)
            ]
            session.add(o)
            session.flush()
            if packed is not None:
                when, user, station = packed
                session.add(
                    PackProgress(
                        order_id=o.id,
                        started_at=when,
                        completed_at=when,
                        completed_by_id=user.id,
                        station_id=station.id,
                    )
                )
            return o

        o1 = order(
            1,
            shop,
            "shipped",
            t(2, 8),
            [("SKU-A", 1), ("SKU-B", 2)],
            t(3, 0),
            t(2, 9),
            (t(2, 10), anna, pack1),
            t(2, 12),
        )
        o2 = order(
            2,
            shop,
            "shipped",
            t(2, 9),
            [("SKU-A", 1)],
            t(3, 0),
            t(2, 11),
            (t(2, 11, 30), anna, pack1),
            t(3, 9),
        )
        o3 = order(
            3,
            wholesale,
            "shipped",
            t(3, 8),
            [("SKU-C", 4)],
            t(6, 0),
            t(3, 10),
            (t(3, 14), ben, pack2),
            t(5, 8),
        )
        o4 = order(
            4,
            shop,
            "packed",
            t(4, 10),
            [("SKU-B", 2)],
            datetime(2030, 1, 1, tzinfo=UTC),
            t(4, 11),
            (t(4, 12, 15), ben, pack2),
        )
        order(5, shop, "new", t(5, 10), [("SKU-A", 1)], t(5, 12))
        order(6, wholesale, "cancelled", t(5, 11), [("SKU-A", 1)], t(6, 12))
        o7 = order(
            7,
            shop,
            "shipped",
            t(20, 8, month=2),
            [("SKU-C", 1)],
            t(21, 8, month=2),
            t(20, 9, month=2),
            (t(20, 10, month=2), anna, pack1),
            t(21, 8, month=2),
        )

        # Packages: O1 warned on weight, O3 (two boxes) blocked once; weighed when packed.
        checks = {o1.id: ["warn"], o2.id: ["ok"], o3.id: ["block", "ok"], o4.id: ["ok"]}
        when = {o1.id: t(2, 10), o2.id: t(2, 11, 30), o3.id: t(3, 14), o4.id: t(4, 12, 15)}
        packages: dict[int, list[Package]] = {}
        for order_id, kinds in checks.items():
            packages[order_id] = []
            for seq, check in enumerate(kinds, start=1):
                p = Package(
                    order_id=order_id,
                    seq=seq,
                    weight_g=Decimal(500),
                    weight_check=check,
                    weighed_at=when[order_id],
                )
                session.add(p)
                packages[order_id].append(p)
        session.add(
            Package(order_id=o7.id, seq=1, weight_check="block", weighed_at=t(20, 10, month=2))
        )
        session.flush()

        # Scans: three wrong in range (two by anna on O1, one by ben on O3), one wrong before it.
        def scan(
            user: User,
            station: Station,
            o: Order,
            at: datetime,
            outcome: str,
            action: str = "pack.scan",
        ) -> None:
            session.add(
                AuditEvent(
                    event_id=str(uuid.uuid4()),
                    user_id=user.id,
                    station_id=station.id,
                    created_at=at,
                    action=action,
                    subject_type="order",
                    subject_id=str(o.id),
                    after={"outcome": outcome, "message": "m"},
                )
            )

        scan(anna, pack1, o1, t(2, 9, 40), "wrong_item")
        scan(anna, pack1, o1, t(2, 9, 41), "unknown_code")
        scan(anna, pack1, o1, t(2, 9, 42), "verified")
        scan(anna, pack1, o2, t(2, 11, 20), "verified")
        scan(ben, pack2, o3, t(3, 13, 50), "over_scan")
        scan(ben, pack2, o3, t(3, 13, 51), "verified")
        scan(anna, pack1, o7, t(20, 9, 50, month=2), "wrong_item")
        # One wrong pick scan in range (anna, picking O3), one accepted.
        scan(anna, pack1, o3, t(3, 9, 50), "wrong_bin", "pick.scan")
        scan(anna, pack1, o3, t(3, 9, 51), "picked", "pick.scan")

        # Short picks: O2's line one unit short at picking; O4's a pack-stage shortage (not a
        # short pick).
        session.add(
            LineShortage(
                order_line_id=o2.lines[0].id,
                stage="pick",
                qty=1,
                user_id=anna.id,
                created_at=t(2, 10, 45),
            )
        )
        session.add(
            LineShortage(
                order_line_id=o4.lines[0].id,
                stage="pack",
                qty=1,
                user_id=ben.id,
                created_at=t(4, 12),
            )
        )

        # Shipments: UPS for O1 and O3 (two labels), DHL for O2 after one voided purchase.
        def shipment(
            o: Order,
            carrier: str,
            service: str,
            price: str,
            at: datetime,
            labels: int,
            voided: bool = False,
        ) -> None:
            s = Shipment(
                order_id=o.id,
                carrier=carrier,
                service=service,
                price=Decimal(price),
                currency="USD",
                master_tracking=f"T{o.id}{carrier}{price}",
                status="voided" if voided else "bought",
                ship_date=at.date(),
                bought_at=at,
                voided_at=at if voided else None,
            )
            s.labels = [
                ShipmentLabel(
                    seq=i + 1,
                    count=labels,
                    tracking=f"{s.master_tracking}-{i}",
                    format="zpl",
                    data=b"",
                    weight_g=Decimal(500),
                )
                for i in range(labels)
            ]
            session.add(s)

        shipment(o1, "UPS", "Ground", "7.50", t(2, 11, 50), 1)
        shipment(o2, "DHL", "Express", "11.00", t(3, 8, 45), 1, voided=True)
        shipment(o2, "DHL", "Express", "12.00", t(3, 8, 50), 1)
        shipment(o3, "UPS", "Ground", "15.00", t(5, 7, 50), 2)
        shipment(o7, "UPS", "Ground", "9.00", t(21, 7, month=2), 1)

        # Returns: O1 one damaged unit (refunded 9.99), O3 two wrong items (refunded 25.00),
        # and a cancelled RMA on O2 that counts for nothing.
        def rma(
            n: int,
            o: Order,
            status: str,
            lines: list[tuple[OrderLine, int, str]],
            refund: str | None,
        ) -> None:
            r = Rma(number=f"R{n}", order_id=o.id, status=status, created_at=t(6, 9))
            r.lines = [RmaLine(order_line_id=ln.id, qty=q, reason=why) for ln, q, why in lines]
            session.add(r)
            session.flush()
            if refund is not None:
                amount = Decimal(refund)
                session.add(
                    Refund(
                        rma_id=r.id,
                        method="original",
                        currency="USD",
                        goods=amount,
                        discount=Decimal(0),
                        tax=Decimal(0),
                        restocking_fee=Decimal(0),
                        shipping=Decimal(0),
                        total=amount,
                        created_at=t(6, 10),
                    )
                )

        rma(1, o1, "resolved", [(o1.lines[0], 1, "damaged")], "9.99")
        rma(2, o3, "resolved", [(o3.lines[0], 2, "wrong_item")], "25.00")
        rma(3, o2, "cancelled", [(o2.lines[0], 1, "no_longer_needed")], None)

        # Stock: receipts, the picks above, and a cache that is one off for SKU-A in BIN-1.
        a, b, c = (products[s].id for s in ("SKU-A", "SKU-B", "SKU-C"))

        def move(
            product: int, qty: int, reason: str, src: Bin | None, dst: Bin | None, at: datetime
        ) -> None:
            session.add(
                StockMove(
                    product_id=product,
                    qty=qty,
                    reason=reason,
                    from_bin_id=src.id if src else None,
                    to_bin_id=dst.id if dst else None,
                    created_at=at,
                )
            )

        move(a, 13, "receive", None, bin1, t(1, 8))
        move(b, 2, "receive", None, bin1, t(1, 8))
        move(c, 105, "receive", None, bin2, t(1, 8, month=2))
        move(c, 1, "pick", bin2, tote, t(20, 9, month=2))  # O7, before the range
        move(a, 1, "pick", bin1, tote, t(2, 9))
        move(b, 2, "pick", bin1, tote, t(2, 9))
        move(a, 1, "pick", bin1, tote, t(2, 11))
        move(c, 4, "pick", bin2, tote, t(3, 10))
        for bin_, product, on_hand, reserved in (
            (bin1, a, 10, 2),  # the ledger says 11
            (bin1, b, 0, 0),
            (bin2, c, 100, 0),
            (tote, a, 2, 0),
            (tote, b, 2, 0),
            (tote, c, 5, 0),
        ):
            session.add(
                BinStock(bin_id=bin_.id, product_id=product, on_hand=on_hand, reserved=reserved)
            )
        return Ids(anna.id, ben.id, pack1.id, pack2.id)
