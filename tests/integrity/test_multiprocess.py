"""Real processes side by side: eight imports into one SQLite file all finish; four stations
counting one bin on PostgreSQL leave exactly the count, round after round (issue 9 #1, #4)."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.channels.intake import DATA
from tests.factories import add_bin, add_product
from tests.integrity.workers import count_rounds
from wms_desk.db.models import Bin, BinStock, StockMove
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.stock import reconcile, set_bin_quantity

PHYSICAL = (
    "IPOD2008GREEN",
    "IPOD2008RED",
    "IPOD2008BLACK",
    "Bar3",
    "WC-HOODIE-GRY-L",
    "WC-MUG-BLU",
)
ROWS = 1_000  # two chunks of 500 each: 16 write transactions competing for one file
TIMEOUT_S = 300
# Eight interpreters starting at once on a shared 2-core machine take a while: bounded, but
# beyond the suite's default 120 s when the machine is busy.
pytestmark = pytest.mark.timeout(TIMEOUT_S + 60)


def _wms(url: str, *argv: str) -> subprocess.Popen[str]:
    """`python -m wms_desk --db URL ...` as its own process, with this test run's src/."""
    return subprocess.Popen(
        [sys.executable, "-m", "wms_desk", "--db", url, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )


def _finish(processes: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    done = []
    for process in processes:
        try:
            out, err = process.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
        done.append((process.returncode, out, err))
    return done


@pytest.mark.slow
def test_eight_processes_importing_into_one_sqlite_file_all_complete(
    sqlite_db_url: str, tmp_path: Path
) -> None:
    [(code, _, err)] = _finish(
        [_wms(sqlite_db_url, "products", "import", str(DATA / "products.csv"))]
    )
    assert code == 0, err
    files = []
    for p in range(8):
        path = tmp_path / f"count{p}.csv"
        rows = (f"P{p}-{i:04d},{PHYSICAL[i % 6]},{i % 7 + 1}" for i in range(ROWS))
        path.write_text("bin,sku,qty\n" + "\n".join(rows) + "\n", encoding="utf-8")
        files.append(path)
    results = _finish([_wms(sqlite_db_url, "stock", "import", str(path)) for path in files])
    for code, out, err in results:
        assert code == 0, err
        assert json.loads(out)["created"] == ROWS, out
    database = Database(sqlite_db_url)
    with database.read_session() as session:
        assert session.scalar(select(func.count()).select_from(Bin)) == 8 * ROWS
        expected = 8 * sum(i % 7 + 1 for i in range(ROWS))
        assert session.scalar(select(func.sum(BinStock.on_hand))) == expected
        assert reconcile(session) == []
    database.dispose()


@pytest.mark.slow
@pytest.mark.postgresql
def test_four_processes_counting_one_bin_leave_exactly_the_count_20_rounds(
    pg_db_url: str,
) -> None:
    database = Database(pg_db_url)
    add_product(database), add_bin(database)
    ctx = ServiceContext(database, system_actor())
    spawn = multiprocessing.get_context("spawn")  # no inherited connections in the children
    barrier, results = spawn.Barrier(5), spawn.Queue()
    rounds = 20
    workers = [
        spawn.Process(
            target=count_rounds, args=(pg_db_url, rounds, "A-01-01", "SKU-1", barrier, results, n)
        )
        for n in range(4)
    ]
    for worker in workers:
        worker.start()
    try:
        for round_no in range(rounds):
            set_bin_quantity(ctx, "A-01-01", "SKU-1", 150, f"reset {round_no}")
            barrier.wait(120)  # everyone counts 153 at once
            barrier.wait(120)  # everyone has committed
            shown = sorted(results.get(timeout=10)[2] for _ in range(4))
            assert shown == [153] * 4, (round_no, shown)
            with database.read_session() as session:
                on_hand = session.scalar(select(BinStock.on_hand))
                assert on_hand == 153, f"round {round_no}: {on_hand}"
                assert reconcile(session) == []
    finally:
        barrier.abort()
        for worker in workers:
            worker.join(30)
            if worker.is_alive():
                worker.kill()
    with database.read_session() as session:
        # Per round one reset (+150 the first time, -3 after) and exactly one +3: the other
        # three found 153 already there and moved nothing.
        moves = session.scalar(select(func.count()).select_from(StockMove))
        assert moves == 2 * rounds
    database.dispose()


@pytest.mark.slow
@pytest.mark.postgresql
def test_four_stock_imports_of_the_same_new_bins_at_once_leave_the_counts(
    pg_db_url: str, tmp_path: Path
) -> None:
    [(code, _, err)] = _finish([_wms(pg_db_url, "products", "import", str(DATA / "products.csv"))])
    assert code == 0, err
    # Many rows, so the four processes' transactions overlap despite their start-up times.
    path = tmp_path / "new.csv"
    rows = (f"NEW-{i:04d},{PHYSICAL[i % 6]},5" for i in range(ROWS))
    path.write_text("bin,sku,qty\n" + "\n".join(rows) + "\n", encoding="utf-8")
    results = _finish([_wms(pg_db_url, "stock", "import", str(path)) for _ in range(4)])
    assert [code for code, _, _ in results] == [0] * 4, [err for _, _, err in results]
    summaries = [json.loads(out) for _, out, _ in results]
    # Every row was created by exactly one of them and found unchanged by the other three.
    assert sum(s["created"] for s in summaries) == ROWS
    assert sum(s["unchanged"] for s in summaries) == 3 * ROWS
    database = Database(pg_db_url)
    with database.read_session() as session:
        assert session.scalar(select(func.count()).select_from(Bin)) == ROWS
        assert session.scalar(select(func.sum(BinStock.on_hand))) == 5 * ROWS
        assert session.scalar(select(func.count()).select_from(StockMove)) == ROWS
        assert reconcile(session) == []
    database.dispose()
