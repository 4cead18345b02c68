"""Stock: days of cover from recent demand, low stock, and the ledger reconciled against on-hand.

Demand is the units picked (ledger moves with reason "pick") in the range, or in the 28 days up
to today when no range is given. Available is on-hand less reserved in storage bins (active bins;
totes, staging and the dock are not stock to sell). Days of cover = available / demand per day;
a product is low when its cover is under LOW_COVER_DAYS. The reconciliation lists every bin and
product whose cached on-hand differs from the sum of its ledger moves.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select

from wms_desk.db.models import Bin, BinStock, Product, StockMove
from wms_desk.db.queries.reports import ledger, stock_days
from wms_desk.db.queries.reports.common import Parts, Query, in_window
from wms_desk.domain import report_periods
from wms_desk.domain.reports import Chart, ChartKind, Column, Figure, Series, Table, ValueKind

DEFAULT_DAYS = 28
LOW_COVER_DAYS = 14
MOST_ROWS = 200  # the cover table lists the products closest to running out first


def demand_days(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    return start, end


def build(q: Query) -> Parts:
    f = q.scope.filters
    tz = report_periods.zone(f.timezone)
    first, last = demand_days(f.start, f.end, q.scope.now.astimezone(tz).date())
    days = (last - first).days + 1
    window = report_periods.window(first, last, f.timezone)
    bs, b, m, p = BinStock.__table__, Bin.__table__, StockMove.__table__, Product.__table__

    stock = {
        pid: (int(on_hand), int(reserved))
        for pid, on_hand, reserved in q.rows(
            select(bs.c.product_id, func.sum(bs.c.on_hand), func.sum(bs.c.reserved))
            .select_from(bs.join(b, b.c.id == bs.c.bin_id))
            .where(b.c.active.is_(True))
            .group_by(bs.c.product_id)
        )
    }
    if stock_days.eligible(q):
        demand = stock_days.demand(q)
    else:
        demand = {
            pid: int(units)
            for pid, units in q.rows(
                select(m.c.product_id, func.sum(m.c.qty))
                .where(m.c.reason == "pick", *in_window(m.c.created_at, window))
                .group_by(m.c.product_id)
            )
        }
    mismatches = _reconcile(q)
    wanted = set(demand) | {pid for _, pid, _, _ in mismatches}
    skus: dict[int, tuple[str, str]] = {}
    if wanted:
        skus = {
            pid: (sku, name)
            for pid, sku, name in q.rows(
                select(p.c.id, p.c.sku, p.c.name).where(p.c.id.in_(wanted))
            )
        }
    bins: dict[int, str] = {}
    if mismatches:
        bins = dict(
            q.rows(select(b.c.id, b.c.code).where(b.c.id.in_({bid for bid, *_ in mismatches})))
        )

    cover_rows: list[tuple[Any, ...]] = []
    for pid, units in demand.items():
        on_hand, reserved = stock.get(pid, (0, 0))
        available = on_hand - reserved
        per_day = (Decimal(units) / days).quantize(Decimal("0.01"), ROUND_HALF_UP)
        cover = (Decimal(available) * days / units).quantize(Decimal("0.1"), ROUND_HALF_UP)
        sku, name = skus.get(pid, ("", ""))
        cover_rows.append((sku, name, on_hand, reserved, available, units, per_day, cover))
    cover_rows.sort(key=lambda r: (r[7], r[0]))
    low = tuple(r for r in cover_rows if r[7] < LOW_COVER_DAYS)
    cover_columns = (
        Column("sku", "SKU"),
        Column("name", "Product"),
        Column("on_hand", "On hand", ValueKind.COUNT),
        Column("reserved", "Reserved", ValueKind.COUNT),
        Column("available", "Available", ValueKind.COUNT),
        Column("demand_units", f"Picked in {days} days", ValueKind.COUNT),
        Column("demand_per_day", "Per day", ValueKind.NUMBER),
        Column("days_of_cover", "Days of cover", ValueKind.NUMBER),
    )
    recon_rows = tuple(
        (bins.get(bid, str(bid)), skus.get(pid, (str(pid), ""))[0], cached, ledger, ledger - cached)
        for bid, pid, cached, ledger in mismatches
    )
    figures = (
        Figure("demand_days", "Days of demand", days),
        Figure("products_with_demand", "Products picked", len(cover_rows)),
        Figure("low_stock_products", f"Products under {LOW_COVER_DAYS} days of cover", len(low)),
        Figure("ledger_mismatches", "Bins where on-hand differs from the ledger", len(recon_rows)),
    )
    tables = (
        Table("low_stock", f"Low stock (under {LOW_COVER_DAYS} days of cover)", cover_columns, low),
        Table("days_of_cover", "Days of cover", cover_columns, tuple(cover_rows[:MOST_ROWS])),
        Table(
            "ledger_mismatches",
            "On-hand against the ledger",
            (
                Column("bin", "Bin"),
                Column("sku", "SKU"),
                Column("on_hand", "On hand (cached)", ValueKind.COUNT),
                Column("ledger", "Ledger", ValueKind.COUNT),
                Column("difference", "Ledger - on hand", ValueKind.COUNT),
            ),
            recon_rows,
        ),
    )
    notes: list[str] = [f"Demand counted from {first} to {last} ({f.timezone})."]
    if len(cover_rows) > MOST_ROWS:
        notes.append(f"Days of cover lists the {MOST_ROWS} products closest to running out.")
    if not recon_rows:
        notes.append("The ledger agrees with on-hand in every bin.")
    ignored = [
        n
        for n, v in (
            ("channel", f.channel),
            ("carrier", f.carrier),
            ("station", f.station),
            ("packer", f.packer),
        )
        if v
    ]
    if ignored:
        notes.append(f"Stock is the whole site's: the {', '.join(ignored)} filter does not apply.")
    chart = Chart(
        ChartKind.BAR,
        "Days of cover, lowest first",
        "SKU",
        "Days of cover",
        (Series("Days of cover", tuple((str(r[0]), r[7]) for r in cover_rows[:20])),),
    )
    return Parts(figures, tables, chart, tuple(notes))


def _reconcile(q: Query) -> list[tuple[int, int, int, int]]:
    """(bin, product, cached, ledger) wherever they differ.

    The ledger is the checkpoint's sums (moves up to N, ledger.py) plus the moves after N,
    summed per bin and product: the same numbers as summing every move, without reading a
    year of moves. Without a checkpoint N is 0 and every move is summed.
    """
    bs = BinStock.__table__
    q.check()
    through, ledger_sums = ledger.checkpoint(q.session)
    q.check()
    # No checkpoint yet: the whole ledger, grouped in index order; else the moves after it.
    after = ledger.tail(q.session, through) if through else ledger.sums(q.session, 0, None)
    q.check()
    for key, qty in after.items():
        ledger_sums[key] = ledger_sums.get(key, 0) + qty
    cached = {
        (int(bid), int(pid)): int(n)
        for bid, pid, n in q.rows(select(bs.c.bin_id, bs.c.product_id, bs.c.on_hand))
    }
    return [
        (bid, pid, cached.get((bid, pid), 0), ledger_sums.get((bid, pid), 0))
        for bid, pid in sorted(set(ledger_sums) | set(cached))
        if cached.get((bid, pid), 0) != ledger_sums.get((bid, pid), 0)
    ]
