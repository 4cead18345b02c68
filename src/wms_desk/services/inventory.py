"""The Inventory screen's reads: products, stock per bin, ledger history (adjusting is stock's)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from wms_desk.db.queries import inventory as q
from wms_desk.domain.roles import Permission
from wms_desk.domain.scan import interpret
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import NotFound
from wms_desk.services.stock import BinQuantity, set_bin_quantity
from wms_desk.services.uow import read_only

__all__ = [
    "BinQuantity",
    "BinRow",
    "LedgerRow",
    "ProductRow",
    "StockPosition",
    "bin_codes",
    "ledger",
    "product_bins",
    "search_products",
    "set_bin_quantity",
    "stock_position",
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


@dataclass(frozen=True)
class StockPosition:
    """One product's stock: per bin (in pick sequence) and in total."""

    sku: str
    name: str
    bins: tuple[BinRow, ...]

    @property
    def on_hand(self) -> int:
        return sum(b.on_hand for b in self.bins)

    @property
    def reserved(self) -> int:
        return sum(b.reserved for b in self.bins)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved

    def to_json(self) -> dict[str, object]:
        return {
            "sku": self.sku,
            "bins": [
                {"bin": b.bin, "on_hand": b.on_hand, "reserved": b.reserved, "available": b.free}
                for b in self.bins
            ],
            "on_hand": self.on_hand,
            "reserved": self.reserved,
            "available": self.available,
        }


def _lookup_codes(text: str) -> list[str]:
    """The SKU as typed first, then the barcode spellings a GTIN may be stored under."""
    codes = [text]
    gtin = interpret(text).gtin
    if gtin:
        # Stored as printed (EAN-13, UPC-A 12, EAN-8 or GTIN-14); a scan gives the GTIN-14.
        codes += [gtin[14 - n :] for n in (14, 13, 12, 8) if gtin[: 14 - n].strip("0") == ""]
    return list(dict.fromkeys(codes))


@read_only
def _position(session: Session, text: str) -> StockPosition:
    found = q.find_product(session, _lookup_codes(text))
    if found is None:
        raise NotFound(
            f"No product has the SKU or barcode {text!r}. Check the spelling, or search the "
            "Inventory screen by name."
        )
    product_id, sku, name = found
    return StockPosition(sku, name, tuple(BinRow(**r) for r in q.product_bins(session, product_id)))


def stock_position(ctx: ServiceContext, sku_or_barcode: str) -> StockPosition:
    """On-hand, reserved and available per bin and in total, by SKU or any product barcode."""
    ctx.actor.require(Permission.VIEW_STOCK)
    text = sku_or_barcode.strip()
    if not text:
        raise NotFound("Give a SKU or a product barcode.")
    return _position(ctx, text)
