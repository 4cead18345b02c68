"""The Inventory screen in SQL: products by SKU, name or barcode; stock per bin; the ledger."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from wms_desk.db.models import Bin, BinStock, Product, ProductBarcode, Station, StockMove, User


def search_products(
    session: Session, term: str = "", offset: int = 0, limit: int = 200
) -> list[dict[str, Any]]:
    """Products matching `term` (SKU or name contains it, or a barcode starts with it), by SKU."""
    stmt = select(Product.id, Product.sku, Product.name, Product.active)
    term = term.strip()
    if term:
        pattern = "%" + term.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_") + "%"
        stmt = stmt.where(
            or_(
                Product.sku.ilike(pattern, escape="\\"),
                Product.name.ilike(pattern, escape="\\"),
                exists().where(
                    ProductBarcode.product_id == Product.id,
                    and_(ProductBarcode.code >= term, ProductBarcode.code < term + "\U0010ffff"),
                ),
            )
        )
    rows = session.execute(stmt.order_by(Product.sku).offset(offset).limit(limit)).all()
    ids = [r[0] for r in rows]
    stock: dict[int, tuple[int, int]] = {}
    codes: dict[int, list[str]] = {}
    if ids:
        for pid, on_hand, reserved in session.execute(
            select(BinStock.product_id, func.sum(BinStock.on_hand), func.sum(BinStock.reserved))
            .where(BinStock.product_id.in_(ids))
            .group_by(BinStock.product_id)
        ):
            stock[pid] = (int(on_hand or 0), int(reserved or 0))
        for pid, code, qty in session.execute(
            select(ProductBarcode.product_id, ProductBarcode.code, ProductBarcode.quantity)
            .where(ProductBarcode.product_id.in_(ids))
            .order_by(ProductBarcode.quantity, ProductBarcode.code)
        ):
            codes.setdefault(pid, []).append(code if qty == 1 else f"{code} (×{qty})")
    return [
        {
            "id": r[0],
            "sku": r[1],
            "name": r[2],
            "active": r[3],
            "barcodes": tuple(codes.get(r[0], ())),
            "on_hand": stock.get(r[0], (0, 0))[0],
            "reserved": stock.get(r[0], (0, 0))[1],
        }
        for r in rows
    ]


def product_bins(session: Session, product_id: int) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Bin.code, Bin.zone, BinStock.on_hand, BinStock.reserved)
        .join(Bin, Bin.id == BinStock.bin_id)
        .where(BinStock.product_id == product_id)
        .order_by(Bin.pick_sequence, Bin.code)
    ).all()
    return [
        {"bin": r[0], "zone": r[1], "on_hand": r[2], "reserved": r[3], "free": r[2] - r[3]}
        for r in rows
    ]


def product_ledger(
    session: Session, product_id: int, offset: int = 0, limit: int = 200
) -> list[dict[str, Any]]:
    """Ledger moves of one product, newest first (ix_stock_moves_product_time)."""
    src, dst = aliased(Bin), aliased(Bin)
    rows = session.execute(
        select(
            StockMove.id,
            StockMove.created_at,
            src.code,
            dst.code,
            StockMove.qty,
            StockMove.reason,
            StockMove.reference,
            User.display_name,
            Station.name,
        )
        .outerjoin(src, src.id == StockMove.from_bin_id)
        .outerjoin(dst, dst.id == StockMove.to_bin_id)
        .outerjoin(User, User.id == StockMove.user_id)
        .outerjoin(Station, Station.id == StockMove.station_id)
        .where(StockMove.product_id == product_id)
        .order_by(StockMove.created_at.desc(), StockMove.id.desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return [
        {
            "id": r[0],
            "at": r[1],
            "from_bin": r[2] or "",
            "to_bin": r[3] or "",
            "qty": r[4],
            "reason": r[5],
            "reference": r[6],
            "user": r[7] or "System",
            "station": r[8] or "",
        }
        for r in rows
    ]


def bin_codes(session: Session, prefix: str = "", limit: int = 500) -> list[str]:
    stmt = select(Bin.code).where(Bin.active)
    if prefix:
        stmt = stmt.where(Bin.code.cast(String).ilike(prefix.replace("%", "") + "%"))
    return list(session.scalars(stmt.order_by(Bin.pick_sequence, Bin.code).limit(limit)))


def find_product(session: Session, codes: Sequence[str]) -> tuple[int, str, str] | None:
    """(id, sku, name) of the product with SKU codes[0], else with any of the barcodes given."""
    if not codes:
        return None
    found = session.execute(
        select(Product.id, Product.sku, Product.name).where(Product.sku == codes[0])
    ).first()
    if found is None:
        found = session.execute(
            select(Product.id, Product.sku, Product.name)
            .join(ProductBarcode, ProductBarcode.product_id == Product.id)
            .where(ProductBarcode.code.in_(list(codes)))
            .order_by(ProductBarcode.quantity, Product.sku)
            .limit(1)
        ).first()
    return None if found is None else (found[0], found[1], found[2])
