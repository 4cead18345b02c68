"""Builders for pick/pack tests: products with barcodes, cartons, stocked bins, orders to work."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from wms_desk.db.models import (
    Bin,
    BinStock,
    Carton,
    Channel,
    Order,
    OrderLine,
    Product,
    ProductBarcode,
    StockMove,
)
from wms_desk.services.database import Database


@dataclass(frozen=True)
class Item:
    sku: str
    code: str
    weight: Decimal = Decimal(250)
    case_code: str | None = None
    case_qty: int = 6
    needs_serial: bool = False
    dims: tuple[int, int, int] = (100, 80, 60)


def add_items(database: Database, *items: Item) -> dict[str, int]:
    ids = {}
    with database.write_session() as session, session.begin():
        for item in items:
            product = Product(
                sku=item.sku,
                name=f"Thing {item.sku}",
                unit_weight_g=item.weight,
                length_mm=item.dims[0],
                width_mm=item.dims[1],
                height_mm=item.dims[2],
                needs_serial=item.needs_serial,
            )
            product.barcodes.append(ProductBarcode(code=item.code, quantity=1))
            if item.case_code:
                product.barcodes.append(ProductBarcode(code=item.case_code, quantity=item.case_qty))
            session.add(product)
            session.flush()
            ids[item.sku] = product.id
    return ids


def add_cartons(database: Database) -> None:
    with database.write_session() as session, session.begin():
        for code, dims, tare in (
            ("S", (200, 150, 100), "120"),
            ("M", (350, 250, 200), "250"),
            ("L", (600, 400, 400), "600"),
        ):
            session.add(
                Carton(
                    code=code,
                    name=f"Box {code}",
                    barcode=f"CARTON-{code}",
                    length_mm=dims[0],
                    width_mm=dims[1],
                    height_mm=dims[2],
                    max_weight_g=Decimal(20000),
                    tare_g=Decimal(tare),
                )
            )


def stock(database: Database, bin_code: str, sku: str, qty: int, active: bool = True) -> None:
    with database.write_session() as session, session.begin():
        bin_ = session.scalar(select(Bin).where(Bin.code == bin_code))
        if bin_ is None:
            seq = int("".join(c for c in bin_code if c.isdigit()) or 0)
            bin_ = Bin(code=bin_code, zone=bin_code.split("-")[0], pick_sequence=seq, active=active)
            session.add(bin_)
            session.flush()
        pid = session.scalar(select(Product.id).where(Product.sku == sku))
        session.add(
            StockMove(product_id=pid, to_bin_id=bin_.id, qty=qty, reason="receive", reference="t")
        )
        row = session.get(BinStock, (bin_.id, pid))
        if row is None:
            session.add(BinStock(bin_id=bin_.id, product_id=pid, on_hand=qty, reserved=0))
        else:
            row.on_hand += qty


def order(
    database: Database,
    number: str,
    lines: list[tuple[str, int]],
    status: str = "picked",
    priority: int = 0,
) -> int:
    """An order; 'picked' ones have their goods in the staging bin, as picking leaves them."""
    with database.write_session() as session, session.begin():
        channel = session.scalar(select(Channel).where(Channel.name == "Test"))
        if channel is None:
            channel = Channel(name="Test", kind="csv", settings={})
            session.add(channel)
            session.flush()
        row = Order(
            channel_id=channel.id,
            external_id=number,
            number=number,
            status=status,
            customer_name="Zoë Müller",
            ship_name="Zoë Müller",
            ship_country="DE",
            priority=priority,
        )
        for n, (sku, qty) in enumerate(lines, 1):
            pid = session.scalar(select(Product.id).where(Product.sku == sku))
            row.lines.append(
                OrderLine(
                    line_no=n,
                    sku=sku,
                    product_id=pid,
                    qty=qty,
                    name=f"Thing {sku}",
                    picked_qty=qty if status == "picked" else 0,
                )
            )
        session.add(row)
        session.flush()
        order_id = row.id
    if status == "picked":
        for sku, qty in lines:
            stock(database, "STAGE", sku, qty, active=False)
    return order_id
