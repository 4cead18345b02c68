"""A count sets on-hand to the counted value whatever runs beside it; new bins and products from
two stations at once are created once, without a crash (issue 9 #1)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select, text

from tests.channels.intake import DATA, stocked, write
from tests.factories import add_bin, add_product
from tests.services.test_allocation import _woo
from wms_desk.channels.catalog import parse_stock
from wms_desk.db.models import AuditEvent, Bin, BinStock, Product, StockMove
from wms_desk.services import stock
from wms_desk.services.catalog_import import import_products, import_stock
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.imports import import_file
from wms_desk.services.stock import reconcile, set_bin_quantity
from wms_desk.services.stock_counts import apply_stock_counts
from wms_desk.services.uow import UnitOfWork


def _on_hand(database: Database, bin_code: str, sku: str) -> int:
    with database.read_session() as session:
        return session.scalar(
            select(BinStock.on_hand)
            .join(Bin, Bin.id == BinStock.bin_id)
            .join(Product, Product.id == BinStock.product_id)
            .where(Bin.code == bin_code, Product.sku == sku)
        )


def _agrees(database: Database) -> None:
    with database.read_session() as session:
        assert reconcile(session) == []


def _someone_waits_on_a_lock(database: Database) -> bool:
    with database.engine.connect() as probe:
        return bool(
            probe.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
                )
            ).scalar()
        )


def _wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the other station"
        time.sleep(0.01)  # polling a condition, with a deadline


def _wait_until_blocked(database: Database) -> None:
    _wait_until(lambda: _someone_waits_on_a_lock(database))


def _in_thread(call: Callable[[], Any], name: str = "") -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(call())
        except Exception as exc:  # handed to the test, which asserts on it
            outcome.append(exc)

    thread = threading.Thread(target=run, name=name or None)
    thread.start()
    return thread, outcome


@pytest.mark.postgresql
def test_a_count_ends_at_the_counted_value_when_another_count_runs_beside_it(
    pg_db_url: str, monkeypatch
) -> None:
    database = Database(pg_db_url)
    add_product(database), add_bin(database)
    ctx = ServiceContext(database, system_actor())
    set_bin_quantity(ctx, "A-01-01", "SKU-1", 150, "opening")
    # Station 1 has read the bin and is about to write its move when station 2 counts too.
    has_read, go_on = threading.Event(), threading.Event()
    real_move = stock.apply_move

    def paused_move(*args: Any, **kwargs: Any) -> None:
        if threading.current_thread().name == "station-1":
            has_read.set()
            assert go_on.wait(30)
        real_move(*args, **kwargs)

    monkeypatch.setattr(stock, "apply_move", paused_move)
    one, first = _in_thread(
        lambda: set_bin_quantity(ctx, "A-01-01", "SKU-1", 153, "1"), "station-1"
    )
    assert has_read.wait(30)
    two, second = _in_thread(
        lambda: set_bin_quantity(ctx, "A-01-01", "SKU-1", 153, "2"), "station-2"
    )
    # Station 2 either queues behind station 1's row lock or (without one) finishes first.
    _wait_until(lambda: not two.is_alive() or _someone_waits_on_a_lock(database))
    go_on.set()
    one.join(30), two.join(30)
    assert [r.on_hand for r in first + second] == [153, 153]
    # Without the lock station 1 moved +3 from the 150 it had read, after station 2's +3: 156.
    assert _on_hand(database, "A-01-01", "SKU-1") == 153
    _agrees(database)
    database.dispose()


@pytest.mark.postgresql
def test_a_stock_import_of_a_new_pair_waits_for_the_other_and_ends_at_the_count(
    pg_db_url: str, tmp_path
) -> None:
    database = Database(pg_db_url)
    ctx = ServiceContext(database, system_actor())
    stocked(ctx, stock=False)
    csv = write(tmp_path, "count.csv", "bin,sku,qty\nN-01-01,Bar3,5\n")
    # Station 2 creates the bin and counts 5, not yet committed; station 1 imports the same.
    other = database.write_session()
    other.begin()
    records = parse_stock(csv.read_bytes(), csv.name, None).records
    apply_stock_counts(UnitOfWork(other, system_actor()), records, "count.csv", False)
    thread, outcome = _in_thread(lambda: import_stock(ctx, csv))
    _wait_until_blocked(database)
    other.commit()
    other.close()
    thread.join(30)
    [result] = outcome
    assert not isinstance(result, Exception), result
    assert (result.created, result.updated, result.unchanged, result.rejected) == (0, 0, 1, 0)
    assert _on_hand(database, "N-01-01", "Bar3") == 5
    with database.read_session() as session:
        assert session.scalar(select(func.count()).select_from(Bin)) == 1
        created = select(func.count()).where(AuditEvent.action == "bin.created")
        assert session.scalar(created) == 1
    _agrees(database)
    database.dispose()


def test_four_stations_importing_the_same_new_bin_and_products_at_once(
    any_db_url: str, tmp_path
) -> None:
    database = Database(any_db_url)
    ctx = ServiceContext(database, system_actor())
    csv = write(tmp_path, "count.csv", "bin,sku,qty\nZ-09-01,Bar3,5\nZ-09-02,WC-MUG-BLU,7\n")
    start = threading.Barrier(4)

    def station(_n: int) -> tuple[int, int]:
        start.wait(10)
        products = import_products(ctx, DATA / "products.csv")
        start.wait(10)
        stock = import_stock(ctx, csv)
        return products.rejected, stock.rejected

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(station, range(4)))
    assert results == [(0, 0)] * 4
    assert _on_hand(database, "Z-09-01", "Bar3") == 5
    assert _on_hand(database, "Z-09-02", "WC-MUG-BLU") == 7
    with database.read_session() as session:
        assert session.scalar(select(func.count()).select_from(Product)) == 8
        assert session.scalar(select(func.count()).select_from(Bin)) == 2
        # Two moves: each pair counted once from zero; the other imports found it equal.
        assert session.scalar(select(func.count()).select_from(StockMove)) == 2
        assert reconcile(session) == []
    database.dispose()


def test_counting_is_refused_below_what_is_reserved(system_ctx: ServiceContext, tmp_path) -> None:
    stocked(system_ctx)
    import_file(system_ctx, _woo(tmp_path, {"id": 940, "lines": [("WC-MUG-BLU", 4)]}))
    with pytest.raises(ValidationFailed, match="4 of WC-MUG-BLU in B-02-01 are reserved"):
        set_bin_quantity(system_ctx, "B-02-01", "WC-MUG-BLU", 3, "recount")
    assert _on_hand(system_ctx.database, "B-02-01", "WC-MUG-BLU") == 10
