"""Reports: run one by name under filters, off the GUI thread, cancellable between statements.

`run_report` is what the Reports screen, the dashboard and `wms-desk report` call. It needs no Qt
and opens its own read session, so a worker thread can run it; `cancel` is checked between
queries, and a statement already running is interrupted (SQLite `interrupt()`, PostgreSQL's
cancel request) so a long report stops at once.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from wms_desk.db.queries.reports import (
    accuracy,
    carrier_spend,
    common,
    fulfilment,
    returns,
    status,
    stock,
    throughput,
)
from wms_desk.db.queries.reports.common import Parts, Query
from wms_desk.domain.reports import Report, ReportCancelled, ReportFilters, ReportName
from wms_desk.domain.roles import Permission
from wms_desk.services import report_rollups
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.uow import read_only

REPORT_WORK_MEM = "64MB"

BUILDERS: dict[ReportName, Callable[[Query], Parts]] = {
    ReportName.STATUS: status.build,
    ReportName.THROUGHPUT: throughput.build,
    ReportName.FULFILMENT_TIME: fulfilment.build,
    ReportName.ACCURACY: accuracy.build,
    ReportName.RETURNS: returns.build,
    ReportName.CARRIER_SPEND: carrier_spend.build,
    ReportName.STOCK: stock.build,
}


def report_list() -> tuple[ReportName, ...]:
    """The reports this build can run, in the order the CLI and the screen list them."""
    return tuple(name for name in ReportName if name in BUILDERS)


def run_report(
    ctx: ServiceContext,
    name: ReportName,
    filters: ReportFilters,
    cancel: threading.Event | None = None,
) -> Report:
    """The report `name` under `filters`; raises ReportCancelled once `cancel` is set."""
    ctx.actor.require(Permission.VIEW_REPORTS)
    name = ReportName(name)
    if name not in BUILDERS:
        raise NotFound(f"There is no report called {name.value!r}.")
    if cancel is not None and cancel.is_set():
        raise ReportCancelled("The report was cancelled.")
    report_rollups.bring_up_to_date(ctx, name, filters, cancel)
    return _run(ctx, name, filters, cancel)


@read_only
def _run(
    session: Session, name: ReportName, filters: ReportFilters, cancel: threading.Event | None
) -> Report:
    try:
        scope = common.resolve(session, filters)
    except common.UnknownFilter as exc:
        raise NotFound(f"{exc} Check the spelling or leave that filter out.") from exc
    except ValueError as exc:  # an unknown time zone
        raise ValidationFailed(str(exc)) from exc
    if session.get_bind().dialect.name == "postgresql":
        # A year of orders is ranked (percentiles) and counted distinct in memory: with the
        # default 4 MB each sort spills to disk and takes twice as long. LOCAL: this read only.
        session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))
    query = Query(session, scope, cancel)
    try:
        with _interrupt_on(cancel, session):
            parts = BUILDERS[name](query)
    except DBAPIError as exc:
        if cancel is not None and cancel.is_set():
            raise ReportCancelled("The report was cancelled.") from exc
        raise
    query.check()
    return Report(
        name=name,
        filters=filters,
        generated_at=datetime.now(UTC),
        figures=parts.figures,
        tables=parts.tables,
        chart=parts.chart,
        notes=parts.notes,
    )


@contextlib.contextmanager
def _interrupt_on(cancel: threading.Event | None, session: Session) -> Iterator[None]:
    """While the body runs, a cancel interrupts the statement in flight on this connection."""
    if cancel is None:
        yield
        return
    driver: Any = session.connection().connection.dbapi_connection
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            if cancel.wait(0.05):
                if not done.is_set():
                    _interrupt(driver)
                return

    watcher = threading.Thread(target=watch, name="report-cancel", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()


def _interrupt(driver: Any) -> None:
    # sqlite3.Connection.interrupt() and psycopg's Connection.cancel() are both safe to call
    # from another thread: they ask the running statement to stop, nothing more.
    with contextlib.suppress(Exception):
        if hasattr(driver, "interrupt"):
            driver.interrupt()
        else:
            driver.cancel()
