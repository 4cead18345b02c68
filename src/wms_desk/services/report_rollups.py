"""Bring the reports' pre-aggregates up to date before a report reads them: short writes.

Stock: the ledger checkpoint moves forward once REFRESH_AFTER_MOVES moves came after it (the new
sums are the old ones plus the moves in between). The other reports with days: the closed UTC
days of the asked range that have no stored row under the run's scope (its filters) are
computed and stored, a month per transaction so a station's writes never wait long. Either is
only a speed-up: a report computes whatever is missing live, so a refresh that cannot run now
(a busy database) is logged and the report is still exact.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import DBAPIError

from wms_desk.db.queries.reports import (
    accuracy,
    carrier_spend,
    common,
    fulfilment,
    ledger,
    returns,
    rollups,
    status,
    stock_days,
    throughput,
)
from wms_desk.db.queries.reports.common import Query
from wms_desk.domain.reports import ReportFilters, ReportName
from wms_desk.services.context import ServiceContext
from wms_desk.services.database import Database

log = logging.getLogger(__name__)

ROLLUPS: dict[ReportName, rollups.Rollup[Any]] = {
    ReportName.THROUGHPUT: throughput.ROLLUP,
    ReportName.CARRIER_SPEND: carrier_spend.ROLLUP,
    ReportName.ACCURACY: accuracy.ROLLUP,
    ReportName.RETURNS: returns.ROLLUP,
    ReportName.STATUS: status.ROLLUP,
    ReportName.FULFILMENT_TIME: fulfilment.ROLLUP,
}


@dataclass(frozen=True)
class Refreshed:
    """What one bring-up-to-date did: days stored, and the checkpoint's new last move id."""

    days: int = 0
    checkpoint: int | None = None


def bring_up_to_date(
    ctx: ServiceContext,
    name: ReportName,
    filters: ReportFilters,
    cancel: threading.Event | None = None,
) -> Refreshed:
    try:
        if name is ReportName.STOCK:
            checkpoint = refresh_ledger(ctx.database)
            days = refresh_days(ctx.database, stock_days.ROLLUP, filters, cancel)
            return Refreshed(days=days, checkpoint=checkpoint)
        if name in ROLLUPS:
            return Refreshed(days=refresh_days(ctx.database, ROLLUPS[name], filters, cancel))
    except (DBAPIError, common.UnknownFilter, ValueError) as exc:
        # The report itself says what is wrong with the filters; a busy database only costs
        # this run its speed-up.
        log.info("report pre-aggregates not refreshed: %s", exc)
    return Refreshed()


def refresh_ledger(database: Database, after_moves: int = ledger.REFRESH_AFTER_MOVES) -> int | None:
    """Move the checkpoint to the last committed move if `after_moves` came since; its id."""
    with database.read_session() as session, session.begin():
        through, _sums = ledger.checkpoint(session)
        if ledger.moves_after(session, through) < max(after_moves, 1):
            return None
    with database.write_session() as session, session.begin():
        last = ledger.safe_last_move_id(session)
    with database.read_session() as session, session.begin():
        through, balances = ledger.checkpoint(session)
        if through >= last:
            return None
        for key, qty in ledger.sums(session, through, last).items():
            balances[key] = balances.get(key, 0) + qty
    with database.write_session() as session, session.begin():
        stored = ledger.store(session, last, balances)
    return last if stored else None


def refresh_days(
    database: Database,
    rollup: rollups.Rollup[Any],
    filters: ReportFilters,
    cancel: threading.Event | None = None,
) -> int:
    """Store the closed days of the range `filters` asks for that are not stored under its
    scope; how many. A site-wide run fills the site's days; a filtered one its scope's, on its
    first run (that run pays for computing its days once)."""
    with database.read_session() as session, session.begin():
        q = Query(session, common.resolve(session, filters))
        days = rollups.closed_days(q.scope.window, q.scope.now)
        if days is None or not rollup.eligible(q):
            return 0
        scope = rollup.scope(q)
        todo = rollups.missing(session, rollup.report, scope, *days)
    stored = 0
    for run in rollups.runs(todo):
        if cancel is not None and cancel.is_set():
            break
        with database.write_session() as session, session.begin():
            rollups.lock_for_refresh(session)
            q = Query(session, common.resolve(session, filters), cancel)
            have = set(rollups.stored_days(session, rollup.report, scope, run[0], run[-1]))
            parts = rollups.compute(q, rollup, [d for d in run if d not in have])
            payloads = {d: rollup.encode(p) for d, p in parts.items()}
            rollups.store(session, rollup.report, scope, payloads)
            stored += len(parts)
    return stored
