"""Table models for the Inventory screen: products, stock per bin, ledger moves (paged in SQL)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Qt

from wms_desk.services import inventory
from wms_desk.ui.context import UiContext
from wms_desk.ui.models.paged import ROW_ID_ROLE, PagedTableModel, PageTask

__all__ = ["ROW_ID_ROLE", "Field", "PagedModel", "bins_of", "ledger_of", "product_search"]


@dataclass(frozen=True)
class Field:
    title: str
    get: Callable[[Any], object]
    numeric: bool = False


def _time(value: datetime) -> str:
    return value.astimezone().strftime("%d %b %Y %H:%M")


class PagedModel(PagedTableModel):
    """A table of `fields` over what `fetch(ctx, offset, limit)` returns (frozen rows, each
    with an `id`); no fetch shows an empty table."""

    def __init__(
        self,
        ui: UiContext,
        fields: Sequence[Field],
        fetch: Callable[..., list[Any]] | None = None,
        page_size: int = 200,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(ui, page_size, parent)
        self._fields = tuple(fields)
        self._fetch = fetch

    def set_fetch(self, fetch: Callable[..., list[Any]] | None) -> None:
        self._fetch = fetch
        self.reload()

    def row(self, row: int) -> Any:
        return self.row_data(row)

    def page_task(self, offset: int, limit: int) -> PageTask | None:
        return None if self._fetch is None else PageTask(self._fetch, (offset, limit))

    def column_count(self) -> int:
        return len(self._fields)

    def header(self, section: int, role: int) -> Any:
        return self._fields[section].title if role == Qt.ItemDataRole.DisplayRole else None

    def cell(self, row: Any, column: int, role: int) -> Any:
        field = self._fields[column]
        if role == Qt.ItemDataRole.DisplayRole:
            value = field.get(row)
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and field.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


PRODUCT_FIELDS = (
    Field("SKU", lambda r: r.sku),
    Field("Name", lambda r: r.name),
    Field("Barcodes", lambda r: ", ".join(r.barcodes)),
    Field("On hand", lambda r: r.on_hand, numeric=True),
    Field("Reserved", lambda r: r.reserved, numeric=True),
    Field("Free", lambda r: r.free, numeric=True),
)
BIN_FIELDS = (
    Field("Bin", lambda r: r.bin),
    Field("Zone", lambda r: r.zone),
    Field("On hand", lambda r: r.on_hand, numeric=True),
    Field("Reserved", lambda r: r.reserved, numeric=True),
    Field("Free", lambda r: r.free, numeric=True),
)
LEDGER_FIELDS = (
    Field("When", lambda r: _time(r.at)),
    Field("From", lambda r: r.from_bin or "—"),
    Field("To", lambda r: r.to_bin or "—"),
    Field("Qty", lambda r: r.qty, numeric=True),
    Field("Reason", lambda r: r.reason),
    Field("Reference", lambda r: r.reference),
    Field("Who", lambda r: r.user + (f" @ {r.station}" if r.station else "")),
)


@dataclass(frozen=True)
class _KeyedBin:
    """A bin row keyed by its code (bins have no id in the service's answer)."""

    id: str
    row: inventory.BinRow

    def __getattr__(self, name: str) -> Any:
        return getattr(self.row, name)


def product_model(ui: UiContext, parent: QObject | None = None) -> PagedModel:
    return PagedModel(ui, PRODUCT_FIELDS, None, 200, parent)


def product_search(term: str) -> Callable[..., list[Any]]:
    def fetch(ctx: Any, offset: int, limit: int) -> list[Any]:
        return inventory.search_products(ctx, term, offset, limit)

    return fetch


def bins_of(product_id: int) -> Callable[..., list[Any]]:
    def fetch(ctx: Any, offset: int, limit: int) -> list[Any]:
        # A product sits in a handful of bins: one page holds them all.
        rows = inventory.product_bins(ctx, product_id) if offset == 0 else []
        return [_KeyedBin(r.bin, r) for r in rows]

    return fetch


def ledger_of(product_id: int) -> Callable[..., list[Any]]:
    def fetch(ctx: Any, offset: int, limit: int) -> list[Any]:
        return inventory.ledger(ctx, product_id, offset, limit)

    return fetch
