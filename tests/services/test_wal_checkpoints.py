"""A station checkpoints SQLite's log on its own thread, not inside a commit (a scan)."""

from __future__ import annotations

import time

from sqlalchemy import text

from wms_desk.services import wal_checkpoints
from wms_desk.services.database import Database
from wms_desk.services.wal_checkpoints import WalCheckpointer


def _write_rows(database: Database, n: int) -> None:
    with database.engine.begin() as c:
        c.execute(text("CREATE TABLE IF NOT EXISTS t (v TEXT)"))
    for _ in range(n):
        with database.engine.begin() as c:
            c.execute(text("INSERT INTO t VALUES (:v)"), {"v": "x" * 4000})


def test_commits_leave_the_log_to_the_checkpointer_which_keeps_it_small(
    sqlite_db_url: str, monkeypatch
) -> None:
    monkeypatch.setattr(wal_checkpoints, "THRESHOLD_BYTES", 64 * 1024)
    database = Database(sqlite_db_url)
    checkpointer = WalCheckpointer(database, interval=0.05).start()
    try:
        with database.engine.connect() as c:
            assert c.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
        _write_rows(database, 300)  # ~1.2 MB of log: past SQLite's own 1,000-page point
        deadline = time.monotonic() + 10
        while checkpointer.checkpoints == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert checkpointer.checkpoints > 0
    finally:
        checkpointer.stop()
    with database.engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM t")).scalar() == 300
    raw = database.engine.raw_connection()  # a checkpoint runs outside any transaction
    try:
        busy, log_frames, copied = raw.driver_connection.execute(
            "PRAGMA wal_checkpoint(PASSIVE)"
        ).fetchone()
        assert busy == 0 and copied == log_frames  # the stop's last checkpoint left nothing
    finally:
        raw.close()
    database.dispose()


def test_without_a_checkpointer_connections_checkpoint_as_sqlite_does(sqlite_db_url: str) -> None:
    database = Database(sqlite_db_url)
    with database.engine.connect() as c:
        assert c.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 1000
    database.dispose()
