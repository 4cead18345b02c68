"""The Inventory screen's reads: products, stock per bin, ledger history (adjusting is stock's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from wms_desk.db.queries import inventory as q
from wms_desk.domain.roles import Permission
from wms_desk.services.context import ServiceContext
from wms_desk.services.stock import BinQuantity, set_bin_quantity
from wms_desk.services.uow import read_only

__all__ = [
    "BinQuantity",
    "BinRow",
    "LedgerRow",
    "ProductRow",
    "bin_codes",
    "ledger",
    "product_bins",
    "search_products",
    "set_bin_quantity",
]


@dataclass(frozen=True)
class ProductRow:
    id: int
    sku: str
    name: str
    active: bool
    barcodes: tuple[str, ...]
    on_hand: int
    reserved: int

    @property
    def free(self) -> int:
        return self.on_hand - self.reserved


@dataclass(frozen=True)
class BinRow:
    bin: str
    zone: str
    on_hand: int
    reserved: int
    free: int


@dataclass(frozen=True)
class LedgerRow:
    id: int
    at: datetime
    from_bin: str
    to_bin: str
    qty: int
    reason: str
    reference: str
    user: str
    station: str


@read_only
def _search(session: Session, term: str, offset: int, limit: int) -> list[ProductRow]:
    return [ProductRow(**r) for r in q.search_products(session, term, offset, limit)]


def search_products(
    ctx: ServiceContext, term: str = "", offset: int = 0, limit: int = 200
) -> list[ProductRow]:
    """Products whose SKU or name contains `term` or with a barcode starting with it."""
    ctx.actor.require(Permission.VIEW_STOCK)
    return _search(ctx, term, offset, limit)


@read_only
def _bins(session: Session, product_id: int) -> list[BinRow]:
    return [BinRow(**r) for r in q.product_bins(session, product_id)]


def product_bins(ctx: ServiceContext, product_id: int) -> list[BinRow]:
    ctx.actor.require(Permission.VIEW_STOCK)
    return _bins(ctx, product_id)


@read_only
def _ledger(session: Session, product_id: int, offset: int, limit: int) -> list[LedgerRow]:
    return [LedgerRow(**r) for r in q.product_ledger(session, product_id, offset, limit)]


def ledger(
    ctx: ServiceContext, product_id: int, offset: int = 0, limit: int = 200
) -> list[LedgerRow]:
    """A product's ledger moves, newest first."""
    ctx.actor.require(Permission.VIEW_STOCK)
    return _ledger(ctx, product_id, offset, limit)


@read_only
def _bin_codes(session: Session, prefix: str) -> list[str]:
    return q.bin_codes(session, prefix)


def bin_codes(ctx: ServiceContext, prefix: str = "") -> list[str]:
    ctx.actor.require(Permission.VIEW_STOCK)
    return _bin_codes(ctx, prefix)
