"""CSV exports for supervisors: every cell neutralised so no spreadsheet runs it as a formula."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TextIO

from wms_desk.domain.spreadsheet import neutralise
from wms_desk.services.context import ServiceContext
from wms_desk.services.import_setup import list_orders

ORDER_COLUMNS = ("number", "channel", "external_id", "status", "customer", "ship_by", "lines")


def write_csv(stream: TextIO, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write header and rows with `neutralise` on every cell; returns the rows written."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    count = 0
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
        count += 1
    return count


def export_orders_csv(
    ctx: ServiceContext,
    path: str | Path,
    status: str | None = None,
    search: str | None = None,
    limit: int = 100_000,
) -> int:
    """The orders list as CSV (UTF-8 with BOM, so Excel reads accents right)."""
    orders = list_orders(ctx, status=status, search=search, limit=limit)
    with open(path, "w", newline="", encoding="utf-8-sig") as stream:
        return write_csv(
            stream,
            ORDER_COLUMNS,
            ([o.to_json()[c] for c in ORDER_COLUMNS] for o in orders),
        )
