"""Code run in child processes by the multi-process tests (importable, so `spawn` can find it)."""

from __future__ import annotations

from typing import Any

from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database


def count_rounds(
    url: str, rounds: int, bin_code: str, sku: str, barrier: Any, results: Any, worker: int
) -> None:
    """Each round: wait for the reset, count `150 + 3` (everyone at once), wait for the check."""
    from wms_desk.services.stock import set_bin_quantity

    database = Database(url)
    ctx = ServiceContext(database, system_actor())
    try:
        for round_no in range(rounds):
            barrier.wait(60)
            try:
                shown = set_bin_quantity(ctx, bin_code, sku, 153, f"worker {worker}").on_hand
            except Exception as exc:  # reported to the test, which fails on it
                shown = f"{type(exc).__name__}: {exc}"
            results.put((round_no, worker, shown))
            barrier.wait(60)
    finally:
        database.dispose()
