"""A station's SQLite checkpoints, run on a thread of their own instead of inside a scan.

In WAL mode SQLite copies the log back into the database file (a checkpoint, with an fsync)
inside whichever commit pushes the log past 1,000 pages. At a packing station that is one scan
in about eighty: it answered in ~10 ms instead of ~5, and those were the slowest scans of a
200-line order. The station's connections therefore stop checkpointing on commit, and this
thread runs a PASSIVE checkpoint (which never blocks a reader or a writer) whenever the log has
grown past a small threshold. Other programs on the same file (the CLI, a second station) keep
SQLite's own automatic checkpoints, so the log stays bounded even if this station stops.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url

from wms_desk.services.background import BackgroundThread
from wms_desk.services.database import Database

log = logging.getLogger(__name__)

_MARK = "wms_no_autocheckpoint"
# 1 MB of log (256 pages of 4 KB): small checkpoints, each a short fsync, well before SQLite's
# own 1,000-page point.
THRESHOLD_BYTES = 1 << 20


class WalCheckpointer:
    """`start()` turns the automatic checkpoint off for this process's connections and checks the
    log every `interval` seconds; `stop()` runs a last checkpoint and joins."""

    def __init__(self, database: Database, interval: float = 0.5) -> None:
        if not database.is_sqlite:
            raise ValueError("checkpoints are a SQLite matter")
        self.database = database
        self.interval = interval
        self.checkpoints = 0
        path = make_url(database.url).database or ""
        self.wal = Path(f"{path}-wal")
        self._background = BackgroundThread("wal-checkpoints", self._loop)

    def start(self) -> WalCheckpointer:
        if not event.contains(self.database.engine, "checkout", _no_autocheckpoint):
            event.listen(self.database.engine, "checkout", _no_autocheckpoint)
        self._background.start()
        return self

    def stop(self, timeout: float = 3.0) -> None:
        self._background.stop(timeout)
        if event.contains(self.database.engine, "checkout", _no_autocheckpoint):
            event.remove(self.database.engine, "checkout", _no_autocheckpoint)
        self.checkpoint()

    @property
    def running(self) -> bool:
        return self._background.running

    def _loop(self) -> None:
        while not self._background.stop_requested.wait(self.interval):
            if self._log_size() > THRESHOLD_BYTES:
                self.checkpoint()

    def _log_size(self) -> int:
        try:
            return self.wal.stat().st_size
        except OSError:
            return 0

    def checkpoint(self) -> None:
        """One PASSIVE checkpoint: copies what no reader still needs, never waits for a lock."""
        try:
            raw = self.database.engine.raw_connection()
        except Exception:  # the file is gone or locked out: the next round tries again
            log.info("no connection for a checkpoint", exc_info=True)
            return
        try:
            # Connections run in autocommit at the driver (engine.py): outside a transaction,
            # where a checkpoint must run.
            driver: Any = raw.driver_connection
            driver.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            self.checkpoints += 1
        except Exception:  # a busy or closing database: nothing is lost, SQLite retries later
            log.info("checkpoint skipped", exc_info=True)
        finally:
            raw.close()


def _no_autocheckpoint(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    """Once per connection, on its first checkout while a checkpointer runs."""
    if not record.info.get(_MARK):
        dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")
        record.info[_MARK] = True
