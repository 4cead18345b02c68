"""A hypothesis state machine over the stock services on PostgreSQL, with stations side by side.

Rules import stock, count bins, take orders in, allocate, hold, release and cancel, one at a
time or several at once from threads (each on its own connection). After every step: a count
left on-hand at a counted value, the cache equals the ledger, reserved equals the reservations,
on-hand is never negative, every order holds exactly what its status says, and no backordered
order waits beside free stock.

To grow it (pick, pack, returns): write `op_<name>(self, ...) -> list[Written]` doing the
service call, add a `@rule` that calls it, add it to `_concurrent_op` if stations may do it at
the same time, and add the invariant it must keep.
"""

from __future__ import annotations

import itertools
import json
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select

from tests.channels.intake import DATA
from tests.factories import add_bin, add_product
from wms_desk.db.models import Bin, BinStock, Order, OrderLine, Product, Reservation
from wms_desk.domain.errors import DomainError
from wms_desk.services import orders as order_actions
from wms_desk.services.allocation import run_allocation
from wms_desk.services.catalog_import import import_stock
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.errors import StaleData, ValidationFailed
from wms_desk.services.imports import import_file
from wms_desk.services.stock import reconcile, set_bin_quantity

PRODUCTS, BINS = 1, 2  # few, so stations collide on the same rows often
_examples = itertools.count()


@dataclass(frozen=True)
class Written:
    """An on-hand value a count or an import tried to set (`certain` if it surely applied)."""

    bin: str
    sku: str
    qty: int
    certain: bool


# Failures a station legitimately meets when another one got there first; anything else fails.
EXPECTED = (StaleData, ValidationFailed, DomainError)

quantities = st.integers(min_value=0, max_value=6)


class StockMachine(RuleBasedStateMachine):
    def __init__(self, database: Database) -> None:
        super().__init__()
        self.database = database
        self.ctx = ServiceContext(database, system_actor())
        self.prefix = f"E{next(_examples)}"
        self.folder = Path(tempfile.mkdtemp(prefix="stock-machine-"))
        self.skus = [f"{self.prefix}-P{i}" for i in range(PRODUCTS)]
        self.bins = [f"{self.prefix}-B{j}" for j in range(BINS)]
        self.orders: list[int] = []
        self._numbers = itertools.count(1)

    @initialize()
    def catalogue(self) -> None:
        for sku in self.skus:
            add_product(self.database, sku)
        for n, code in enumerate(self.bins):
            add_bin(self.database, code, n + 1)

    # --- operations: one service call each, returning what on-hand values they tried to set --

    def op_count(self, bin_n: int, sku_n: int, qty: int) -> list[Written]:
        bin_code, sku = self.bins[bin_n], self.skus[sku_n]
        result = set_bin_quantity(self.ctx, bin_code, sku, qty, "cycle count")
        assert result.on_hand == qty  # the count's own answer is the counted value
        return [Written(bin_code, sku, qty, True)]

    def op_import(self, rows: list[tuple[int, int, int]]) -> list[Written]:
        pairs = {(self.bins[b], self.skus[s]): q for b, s, q in rows}
        path = self.folder / f"stock-{next(self._numbers)}.csv"
        lines = "".join(f"{b},{s},{q}\n" for (b, s), q in pairs.items())
        path.write_text("bin,sku,qty\n" + lines, encoding="utf-8")
        result = import_stock(self.ctx, path)
        # A row is refused (and reported) only below what is reserved: then it did not apply.
        return [Written(b, s, q, not result.rejected) for (b, s), q in pairs.items()]

    def op_order(self, lines: list[tuple[int, int]]) -> list[Written]:
        number = next(self._numbers) + 10_000 * int(self.prefix[1:])
        base = json.loads((DATA / "woocommerce_order.json").read_text(encoding="utf-8"))
        base.update(id=number, number=str(number))
        wanted: dict[str, int] = {}
        for sku_n, qty in lines:
            wanted[self.skus[sku_n]] = wanted.get(self.skus[sku_n], 0) + qty
        base["line_items"] = [
            {"id": number * 10 + n, "name": sku, "sku": sku, "quantity": qty, "price": 1}
            for n, (sku, qty) in enumerate(wanted.items())
        ]
        path = self.folder / f"order-{number}.json"
        path.write_text(json.dumps([base]), encoding="utf-8")
        assert import_file(self.ctx, path).created == 1
        with self.database.read_session() as session:
            self.orders.append(session.scalar(select(Order.id).where(Order.number == str(number))))
        return []

    def op_allocate(self) -> list[Written]:
        run_allocation(self.ctx)
        return []

    def op_cancel(self, order_n: int) -> list[Written]:
        if self.orders:
            order_actions.cancel_orders(self.ctx, [self._order(order_n)], "customer cancelled")
        return []

    def op_hold(self, order_n: int) -> list[Written]:
        if self.orders:
            order_actions.hold_orders(self.ctx, [self._order(order_n)], "address check")
        return []

    def op_release(self, order_n: int) -> list[Written]:
        if self.orders:
            order_actions.release_orders(self.ctx, [self._order(order_n)], "checked")
        return []

    def _order(self, n: int) -> int:
        return self.orders[n % len(self.orders)]

    # --- rules ------------------------------------------------------------------------------

    @rule(b=st.integers(0, BINS - 1), s=st.integers(0, PRODUCTS - 1), qty=quantities)
    def count(self, b: int, s: int, qty: int) -> None:
        self._one(lambda: self.op_count(b, s, qty))

    @rule(rows=st.lists(st.tuples(st.integers(0, BINS - 1), st.integers(0, PRODUCTS - 1),
                                  quantities), min_size=1, max_size=3))  # fmt: skip
    def import_counts(self, rows: list[tuple[int, int, int]]) -> None:
        self._one(lambda: self.op_import(rows))

    @rule(lines=st.lists(st.tuples(st.integers(0, PRODUCTS - 1), st.integers(1, 3)),
                         min_size=1, max_size=2))  # fmt: skip
    def order_arrives(self, lines: list[tuple[int, int]]) -> None:
        self._one(lambda: self.op_order(lines))

    @rule()
    def allocate(self) -> None:
        self._one(self.op_allocate)

    @rule(n=st.integers(0, 50))
    def cancel(self, n: int) -> None:
        self._one(lambda: self.op_cancel(n))

    @rule(n=st.integers(0, 50))
    def hold(self, n: int) -> None:
        self._one(lambda: self.op_hold(n))

    @rule(n=st.integers(0, 50))
    def release(self, n: int) -> None:
        self._one(lambda: self.op_release(n))

    @rule(ops=st.lists(st.data(), min_size=2, max_size=4))
    def stations_at_once(self, ops: list[st.DataObject]) -> None:
        """2-4 stations act at the same moment, each in its own thread and connection."""
        calls = [_concurrent_op(self, data) for data in ops]
        before = self._on_hand()
        start = threading.Barrier(len(calls))
        written: list[Written] = []
        failures: list[BaseException] = []
        lock = threading.Lock()

        def station(call: Callable[[], list[Written]]) -> None:
            start.wait(30)
            try:
                got = call()
            except EXPECTED:
                return
            except BaseException as exc:  # reported below, failing the example
                with lock:
                    failures.append(exc)
                return
            with lock:
                written.extend(got)

        threads = [threading.Thread(target=station, args=(call,)) for call in calls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not failures, failures
        after = self._on_hand()
        for key in {(w.bin, w.sku) for w in written}:
            tried = {w.qty for w in written if (w.bin, w.sku) == key}
            # Counts never add up: on-hand is one of the counted values (or stayed, if none of
            # them applied), never the sum of their differences.
            allowed = tried | {before.get(key, 0)}
            assert after.get(key, 0) in allowed, (key, before.get(key), tried, after.get(key))
            if all(w.certain for w in written if (w.bin, w.sku) == key) and len(tried) == 1:
                assert after.get(key, 0) in tried, (key, tried, after.get(key))

    def _one(self, call: Callable[[], list[Written]]) -> None:
        try:
            written = call()
        except EXPECTED:
            return
        after = self._on_hand()
        for w in written:
            if w.certain:
                assert after[(w.bin, w.sku)] == w.qty, (w, after)

    # --- invariants -------------------------------------------------------------------------

    def _on_hand(self) -> dict[tuple[str, str], int]:
        with self.database.read_session() as session:
            rows = session.execute(
                select(Bin.code, Product.sku, BinStock.on_hand)
                .join(Bin, Bin.id == BinStock.bin_id)
                .join(Product, Product.id == BinStock.product_id)
                .where(Product.sku.in_(self.skus))
            )
            return {(b, s): q for b, s, q in rows}

    @invariant()
    def cache_equals_ledger(self) -> None:
        with self.database.read_session() as session:
            assert reconcile(session) == []

    @invariant()
    def reserved_equals_reservations(self) -> None:
        with self.database.read_session() as session:
            held = dict(
                ((b, p), int(q))
                for b, p, q in session.execute(
                    select(
                        Reservation.bin_id, Reservation.product_id, func.sum(Reservation.qty)
                    ).group_by(Reservation.bin_id, Reservation.product_id)
                )
            )
            for row in session.scalars(select(BinStock)):
                assert row.reserved == held.get((row.bin_id, row.product_id), 0), row
                assert 0 <= row.reserved <= row.on_hand, row

    @invariant()
    def orders_hold_what_their_status_says(self) -> None:
        if not self.orders:
            return
        with self.database.read_session() as session:
            for order in session.scalars(select(Order).where(Order.id.in_(self.orders))):
                holds = order.status == "allocated" or (
                    order.status == "on_hold" and order.held_from == "allocated"
                )
                for line in session.scalars(
                    select(OrderLine).where(OrderLine.order_id == order.id)
                ):
                    reserved = session.scalar(
                        select(func.coalesce(func.sum(Reservation.qty), 0)).where(
                            Reservation.order_line_id == line.id
                        )
                    )
                    assert reserved == (line.qty if holds else 0), (order.number, order.status)

    @invariant()
    def no_backorder_beside_free_stock(self) -> None:
        if not self.orders:
            return
        with self.database.read_session() as session:
            free = dict(
                session.execute(
                    select(
                        BinStock.product_id, func.sum(BinStock.on_hand - BinStock.reserved)
                    ).group_by(BinStock.product_id)
                ).all()
            )
            waiting = session.scalars(
                select(Order.id).where(Order.id.in_(self.orders), Order.status == "backordered")
            ).all()
            for order_id in waiting:
                need = session.execute(
                    select(OrderLine.product_id, func.sum(OrderLine.qty))
                    .where(OrderLine.order_id == order_id)
                    .group_by(OrderLine.product_id)
                ).all()
                assert any(qty > (free.get(pid) or 0) for pid, qty in need), (order_id, need)


def _concurrent_op(machine: StockMachine, data: st.DataObject) -> Callable[[], list[Written]]:
    """One station's action, drawn now, run later in its thread. Orders are not taken in side by
    side with releases: a brand-new order is invisible to another station's re-run until it
    commits (a supervisor's re-run or the next stock change serves it)."""
    kind = data.draw(st.sampled_from(["count", "import", "allocate", "cancel", "hold_release"]))
    b, s = data.draw(st.integers(0, BINS - 1)), data.draw(st.integers(0, PRODUCTS - 1))
    qty, n = data.draw(quantities), data.draw(st.integers(0, 50))
    if kind == "count":
        return lambda: machine.op_count(b, s, qty)
    if kind == "import":
        return lambda: machine.op_import([(b, s, qty), (BINS - 1 - b, s, qty)])
    if kind == "allocate":
        return machine.op_allocate
    if kind == "cancel":
        return lambda: machine.op_cancel(n)
    return lambda: machine.op_hold(n) + machine.op_release(n)


@pytest.mark.postgresql
def test_stock_stays_true_with_stations_side_by_side(pg_db_url: str) -> None:
    database = Database(pg_db_url)
    try:
        run_state_machine_as_test(
            lambda: StockMachine(database),
            settings=settings(
                max_examples=10,
                stateful_step_count=20,
                deadline=None,
                database=None,
                # What stations do side by side fails by timing, so a failing run cannot be
                # replayed step for step: report it as found, unshrunk.
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
            ),
        )
    finally:
        database.dispose()
