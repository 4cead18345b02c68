"""Fixtures for printing tests: orders created through the ORM, sample document data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from wms_desk.printing.model import Address, ShippingLabel, SsccLabel
from wms_desk.services.database import Database

SHIP_FROM = Address("Northwind Fulfilment", lines=("12 Dock Road", "Springfield, IL 62701", "US"))


@pytest.fixture
def ship_from() -> Address:
    return SHIP_FROM


@pytest.fixture
def sample_label() -> ShippingLabel:
    return ShippingLabel(
        ship_from=SHIP_FROM,
        ship_to=Address(
            "Zoë Müller", "Łódź Trading", ("Straße des 17. Juni 135",), "Berlin", "", "10623", "DE"
        ),
        service="GROUND",
        order_number="100234",
        ship_date=date(2026, 11, 26),
        tracking_number="PRV-100234-1",
        package_seq=1,
        package_count=2,
        weight_g=Decimal(1250),
        provisional=True,
    )


@pytest.fixture
def sample_sscc() -> SsccLabel:
    return SsccLabel(
        "006141411234567890",
        SHIP_FROM,
        Address(
            "山田 太郎",
            lines=("1-2-3 Shibuya",),
            city="Tokyo",
            postal_code="150-0002",
            country="JP",
        ),
        "100234",
        date(2026, 11, 26),
        1,
        1,
        Decimal(980),
    )


@pytest.fixture
def make_order(database: Database) -> Callable[..., int]:
    """Create an order with `lines` lines (bins reserved, barcodes set); returns its id."""
    from wms_desk.db.models import (
        Bin,
        Channel,
        Order,
        OrderLine,
        Package,
        PickBatch,
        Product,
        ProductBarcode,
        Reservation,
    )

    counter = {"n": 0}

    def make(
        number: str = "1001",
        lines: int = 3,
        ship_name: str = "Zoë Müller",
        packages: int = 0,
        gift: bool = False,
        batch: str | None = None,
        tote: str = "",
        **fields: Any,
    ) -> int:
        counter["n"] += 1
        n = counter["n"]
        with database.write_session() as session, session.begin():
            channel = Channel(name=f"shop-{n}", kind="csv", settings={})
            session.add(channel)
            batch_id = None
            if batch:
                from sqlalchemy import select

                found = session.scalar(select(PickBatch).where(PickBatch.name == batch))
                if found is None:
                    found = PickBatch(name=batch)
                    session.add(found)
                    session.flush()
                batch_id = found.id
            session.flush()
            order = Order(
                channel_id=channel.id,
                external_id=f"ext-{number}",
                number=number,
                status="allocated",
                customer_name=ship_name,
                ship_name=ship_name,
                ship_street1="Straße des 17. Juni 135",
                ship_city="Berlin",
                ship_postal_code="10623",
                ship_country="DE",
                requested_service="UPS GROUND",
                bill_to={
                    "name": "Łukasz Kowalski",
                    "street1": "ul. Piotrkowska 1",
                    "city": "Łódź",
                    "postal_code": "90-001",
                    "country": "PL",
                },
                ordered_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
                is_gift=gift,
                gift_message="Happy birthday!" if gift else "",
                subtotal=Decimal("30.00"),
                total=Decimal("35.00"),
                batch_id=batch_id,
                tote=tote or None,
                **fields,
            )
            session.add(order)
            session.flush()
            for i in range(lines):
                product = Product(sku=f"SKU-{n}-{i:03d}", name=f"Widget {i} ({number})")
                session.add(product)
                session.flush()
                session.add(ProductBarcode(product_id=product.id, code=f"{n:03d}{i:06d}X"))
                bin_ = Bin(
                    code=f"{'AB'[i % 2]}-{n:02d}-{i % 100:02d}",
                    zone="AB"[i % 2],
                    pick_sequence=(lines - i) * 10,
                )
                session.add(bin_)
                session.flush()
                line = OrderLine(
                    order_id=order.id,
                    line_no=i + 1,
                    sku=product.sku,
                    product_id=product.id,
                    name=product.name,
                    qty=2,
                    unit_price=Decimal("5.00"),
                )
                session.add(line)
                session.flush()
                session.add(
                    Reservation(order_line_id=line.id, product_id=product.id, bin_id=bin_.id, qty=2)
                )
            for seq in range(1, packages + 1):
                session.add(Package(order_id=order.id, seq=seq, weight_g=Decimal(500 * seq)))
            return order.id

    return make
