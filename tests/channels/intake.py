"""Helpers shared by the intake tests: a stocked catalogue and quick order lookups."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from wms_desk.db.models import Order
from wms_desk.services.catalog_import import import_products, import_stock
from wms_desk.services.context import ServiceContext

DATA = Path(__file__).parent / "data"


def stocked(ctx: ServiceContext, stock: bool = True) -> ServiceContext:
    """The test catalogue (8 products) and, unless told otherwise, its stock in 6 bins."""
    assert import_products(ctx, DATA / "products.csv").created == 8
    if stock:
        assert import_stock(ctx, DATA / "stock.csv").created == 6
    return ctx


def orders(ctx: ServiceContext) -> dict[str, Any]:
    """number -> a detached Order with its lines loaded."""
    session = ctx.database.read_session()
    try:
        rows = session.scalars(select(Order)).all()
        for order in rows:
            _ = [line.sku for line in order.lines], [t.tag for t in order.tags]
        return {order.number: order for order in rows}
    finally:
        session.close()


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def shopify_order(i: int, sku: str = "IPOD2008GREEN") -> dict[str, Any]:
    """A good, paid Shopify order number i (the Admin REST shape), for generated pages."""
    return {
        "id": 9_000_000 + i,
        "name": f"#G{i}",
        "email": f"c{i}@example.com",
        "created_at": "2024-03-01T10:00:00-05:00",
        "currency": "USD",
        "financial_status": "paid",
        "fulfillment_status": None,
        "subtotal_price": "19.90",
        "total_tax": "0.00",
        "total_price": "19.90",
        "tags": "web, spring",
        "shipping_address": {
            "first_name": "Ann",
            "last_name": f"Buyer {i}",
            "address1": f"{i} Main Street",
            "city": "Leeds",
            "zip": "LS1 1AA",
            "country_code": "GB",
        },
        "line_items": [
            {
                "id": i * 10 + 1,
                "sku": sku,
                "name": "IPod Nano",
                "quantity": 1,
                "price": "19.90",
                "requires_shipping": True,
            },
        ],
        "shipping_lines": [{"title": "Standard", "price": "0.00"}],
    }
