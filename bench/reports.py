"""Time every report on a seeded database: prints ONE JSON line of milliseconds per report.

Usage: python bench/reports.py URL [--seed N] [--repeat 3]
With --seed N the (empty) database is first seeded with N orders over a year of history
(bench/seed_million.py --days 365, in a child process so its memory is returned). Each report runs
for the last year, the last 7 days and today (what a dashboard refresh asks for: status and
throughput of today); the figure is the best of --repeat runs, after one warm-up.
Pre-aggregates (closed-day rollups, the ledger checkpoint) are dropped first and brought up to
date for the year, each report timed on its own: `cold_refresh_ms` (what the first report after
an upgrade pays; --keep-rollups skips this); the report times are then warm (`rollups`), and
`day_gap_refresh_ms` is what the first report of a new day pays (yesterday computed and stored).
With --filter KIND=VALUE (channel=Shopify, carrier=UPS, station=PACK-01, packer=packer1;
repeatable, combined into one filter set) every report is also run for the year under those
filters. Every filtered scope's days are dropped first (the site's stay). One kind alone:
`filtered_first_kind_ms` is each report's first run of that kind (its split pass computes the
year for every value of the kind at once: what the first run of a kind after the upgrade pays),
`filtered_other_value_ms` the first run of another value of the kind (`filtered_other_value`;
it reads the stored days), and `filtered_cold_ms` what a supervisor's first filtered run costs
once the kind has been asked for: the first run of a new day (yesterday forgotten under every
scope; the run splits it for the kind, the site's refresh does not). A combination of kinds is
computed for its own scope: `filtered_cold_ms` is its first run (the year for it alone).
`filtered_warm_ms` is the best of --repeat runs after those, and `filtered_slowest_report`
names the slowest warm one.
Goal (issue 13): every report under 1 s, filtered or not; the dashboard's refresh under 100 ms.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sqlalchemy import delete, select

from wms_desk.db.models import (
    Channel,
    LedgerCheckpoint,
    LedgerCheckpointSum,
    PackProgress,
    ReportRollup,
    Shipment,
    Station,
    User,
)
from wms_desk.db.queries.reports import common
from wms_desk.domain.reports import ReportFilters, ReportName
from wms_desk.services import report_rollups
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.reports import report_list, run_report

HERE = Path(__file__).resolve().parent


def _best_ms(ctx: ServiceContext, name: ReportName, filters: ReportFilters, repeat: int) -> float:
    run_report(ctx, name, filters)  # warm caches and the plan
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run_report(ctx, name, filters)
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def _forget(database: Database, day: date | None = None) -> None:
    """Drop the stored days (only `day` if given) and, for all, the ledger checkpoint."""
    with database.write_session() as session, session.begin():
        if day is not None:
            session.execute(delete(ReportRollup).where(ReportRollup.day == day))
            return
        session.execute(delete(ReportRollup))
        session.execute(delete(LedgerCheckpointSum))
        session.execute(delete(LedgerCheckpoint))


def _refresh_ms(ctx: ServiceContext, filters: ReportFilters) -> dict[str, float]:
    out = {}
    for name in (*report_rollups.ROLLUPS, ReportName.STOCK):
        started = time.perf_counter()
        report_rollups.bring_up_to_date(ctx, name, filters)
        out[name.value] = round((time.perf_counter() - started) * 1000, 1)
    return out


FILTER_KINDS = ("channel", "carrier", "station", "packer")


def parse_filters(pairs: list[str]) -> dict[str, str]:
    """KIND=VALUE pairs as ReportFilters keyword arguments."""
    out = {}
    for pair in pairs:
        kind, sep, value = pair.partition("=")
        if not sep or kind not in FILTER_KINDS or not value:
            raise SystemExit(f"--filter wants KIND=VALUE with KIND one of {FILTER_KINDS}: {pair!r}")
        out[kind] = value
    return out


def _drop_filtered(database: Database) -> None:
    """Forget every filtered scope's days (and split markers), the site's stay: as after an
    upgrade to split passes, or as the 0015 triggers do for the days of a changed order."""
    with database.write_session() as session, session.begin():
        session.execute(delete(ReportRollup).where(ReportRollup.scope != ""))


def _first_runs(ctx: ServiceContext, filters: ReportFilters) -> dict[str, float]:
    out = {}
    for name in report_list():
        started = time.perf_counter()
        run_report(ctx, name, filters)
        out[name.value] = round((time.perf_counter() - started) * 1000, 1)
    return out


def _other_value(ctx: ServiceContext, kind: str, value: str) -> str | None:
    """Another value of the same filter kind that has rows (another channel, carrier ...)."""
    columns = {
        "channel": Channel.name,
        "station": Station.name,
        "packer": User.username,
        "carrier": Shipment.carrier,
    }
    column = columns[kind]
    with ctx.database.read_session() as session:
        if kind == "packer":  # a user who packed
            pick = select(User.username).where(
                User.id.in_(select(PackProgress.completed_by_id).limit(1000))
            )
        else:
            pick = select(column).distinct()
        for other in session.scalars(pick.order_by(column)):
            if other and other != value:
                return str(other)
    return None


def _filtered(
    ctx: ServiceContext, filters: ReportFilters, repeat: int, yesterday: date
) -> dict[str, Any]:
    """First (cold) and warm runs of every report under `filters`; see the module docstring."""
    with ctx.database.read_session() as session:
        resolved = common.resolve(session, filters)
        scope = common.scope_key(resolved)
        kind = common.single_kind(resolved)
    out: dict[str, Any] = {"filter_scope": scope}
    _drop_filtered(ctx.database)
    first = _first_runs(ctx, filters)
    if kind is not None:
        # One kind: that first run split the year for every value of the kind.
        out["filtered_first_kind_ms"] = first
        value = str(getattr(filters, kind))
        other = _other_value(ctx, kind, value)
        if other is not None:
            out["filtered_other_value"] = other
            out["filtered_other_value_ms"] = _first_runs(ctx, replace(filters, **{kind: other}))
        # What a supervisor's first filtered run costs once the kind was asked for: the first of a
        # new day (yesterday forgotten, every scope; this run splits it for the kind).
        _forget(ctx.database, yesterday)
        cold = _first_runs(ctx, filters)
    else:
        cold = first  # a combination of kinds: computed for its own scope on its first run
    warm = {n.value: _best_ms(ctx, n, filters, repeat) for n in report_list()}
    out.update(
        {
            "filtered_cold_ms": cold,
            "filtered_warm_ms": warm,
            "filtered_slowest_report": max(warm, key=lambda k: warm[k]),
            "filtered_slowest_warm_ms": max(warm.values()),
            "filtered_slowest_cold_ms": max(cold.values()),
        }
    )
    return out


def bench(
    url: str, repeat: int, keep_rollups: bool = False, filter_by: dict[str, str] | None = None
) -> dict[str, Any]:
    database = Database(url)
    ctx = ServiceContext(database, system_actor(None, "bench"))
    today = date.today()
    ranges = {
        "year": ReportFilters(start=today - timedelta(days=364), end=today),
        "week": ReportFilters(start=today - timedelta(days=6), end=today),
        "today": ReportFilters(start=today, end=today),
    }
    out: dict[str, Any] = {"backend": "sqlite" if database.is_sqlite else "postgresql"}
    if not keep_rollups:
        _forget(database)
        out["cold_refresh_ms"] = _refresh_ms(ctx, ranges["year"])
    out["rollups"] = "warm"
    with database.read_session() as session:
        from sqlalchemy import func, select

        from wms_desk.db.models import Order

        out["orders"] = session.scalar(select(func.count()).select_from(Order))
    for label, filters in ranges.items():
        out[f"{label}_ms"] = {n.value: _best_ms(ctx, n, filters, repeat) for n in report_list()}
    today_ms = out["today_ms"]
    out["dashboard_refresh_ms"] = round(today_ms["status"] + today_ms["throughput"], 1)
    out["slowest_year_ms"] = max(out["year_ms"].values())
    out["slowest_ms"] = max(v for k in ranges for v in out[f"{k}_ms"].values())
    _forget(database, today - timedelta(days=1))
    out["day_gap_refresh_ms"] = _refresh_ms(ctx, ranges["year"])
    if filter_by:
        yesterday = today - timedelta(days=1)
        out.update(_filtered(ctx, replace(ranges["year"], **filter_by), repeat, yesterday))
    database.dispose()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("--seed", type=int, metavar="N", help="seed N orders first")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--keep-rollups", action="store_true", help="do not drop and rebuild pre-aggregates first"
    )
    parser.add_argument(
        "--filter",
        action="append",
        default=[],
        metavar="KIND=VALUE",
        help="also time the year under this filter (channel, carrier, station, packer)",
    )
    args = parser.parse_args(argv)
    filters = parse_filters(args.filter)
    seeded = None
    if args.seed:
        done = subprocess.run(
            [sys.executable, str(HERE / "seed_million.py"), args.url, "--orders", str(args.seed),
             "--days", "365"],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        seeded = json.loads(done.stdout.strip().splitlines()[-1])
    result = bench(args.url, args.repeat, args.keep_rollups, filters)
    if seeded is not None:
        result["seed_seconds"] = seeded["seconds"]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
