"""Other processes' commits on this process's change bus: LISTEN/NOTIFY on PostgreSQL, a poll
on SQLite. No Qt here: the UI hears them through ui/change_signals.ChangeSignals like its own."""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy.engine import make_url

from wms_desk.services.background import BackgroundThread
from wms_desk.services.changes import NOTIFY_CHANNEL, ChangeSet, Topic
from wms_desk.services.database import Database

log = logging.getLogger(__name__)

# After a lost connection the listener retries this often; screens keep working meanwhile.
RECONNECT_SECONDS = 5.0
# What a SQLite poll can tell: orders changed (and with them, most likely, stock).
POLLED_TOPICS = frozenset({Topic.ORDERS, Topic.STOCK})


class RemoteChanges:
    """Hears other processes' commits and publishes them on this database's change bus.

    PostgreSQL: LISTEN on the change channel; every unit of work NOTIFYs its topics inside its
    transaction, so only commits are heard; this process's own are recognised by their origin
    and dropped (the bus already had them). SQLite has no notifications: another process on the
    same file (an import from the command line) is seen by polling a cheap signature of the
    orders every `poll_seconds`. Started and stopped by the composition root, never a screen.
    """

    def __init__(self, database: Database, poll_seconds: float = 5.0) -> None:
        self._database = database
        self._poll_seconds = max(0.05, poll_seconds)
        self.mode = "poll" if database.is_sqlite else "listen"
        # Set once LISTEN is active (or the first poll has its baseline): tests wait on it.
        self.ready = threading.Event()
        loop = self._poll if self.mode == "poll" else self._listen
        self._background = BackgroundThread(f"changes-{self.mode}", loop)
        self._stop = self._background.stop_requested

    def start(self) -> RemoteChanges:
        self._background.start()
        return self

    def stop(self, timeout: float = 3.0) -> None:
        self._background.stop(timeout)

    @property
    def running(self) -> bool:
        return self._background.running

    def _publish(self, changes: ChangeSet) -> None:
        if changes.topics and changes.origin != self._database.origin:
            self._database.changes.publish(changes)

    # -- SQLite ---------------------------------------------------------------------------------
    def _signature(self) -> tuple[Any, ...] | None:
        # Imported on the poll's own thread: the queue's queries are not the station's start-up
        # to load (the GUI thread started this).
        from wms_desk.db.queries.queue import change_signature

        session = self._database.read_session()
        try:
            with session.begin():
                return change_signature(session)
        except Exception as exc:  # the database is away: try again next round
            log.info("change poll failed: %s", exc)
            return None
        finally:
            session.close()

    def _poll(self) -> None:
        last = self._signature()
        self.ready.set()
        while not self._stop.wait(self._poll_seconds):
            current = self._signature()
            if current is None:
                continue
            if last is not None and current != last:
                # This process's own commits change the signature too; a screen that refreshes
                # once more for them loses nothing.
                self._publish(ChangeSet(POLLED_TOPICS, remote=True))
            last = current

    # -- PostgreSQL -----------------------------------------------------------------------------
    def _conninfo(self) -> str:
        url = make_url(self._database.url).set(drivername="postgresql")
        return url.render_as_string(hide_password=False)

    def _listen(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo(), autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    if self.ready.is_set():
                        # Reconnected: whatever happened while away is unknown, so refresh all.
                        self._publish(ChangeSet(frozenset(Topic), remote=True))
                    self.ready.set()
                    while not self._stop.is_set():
                        # One publication for what arrived in half a second: an import of a
                        # thousand orders elsewhere must not refresh screens a thousand times.
                        heard = [
                            ChangeSet.from_payload(n.payload) for n in conn.notifies(timeout=0.5)
                        ]
                        topics = frozenset().union(
                            *(c.topics for c in heard if c.origin != self._database.origin)
                        )
                        self._publish(ChangeSet(topics, remote=True))
            except Exception as exc:
                log.info("change listener lost its connection: %s", exc)
                self._stop.wait(RECONNECT_SECONDS)
