"""Background work: run a service call on the thread pool, get its result back on the GUI thread."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from wms_desk.services.errors import DatabaseUnavailable

log = logging.getLogger(__name__)


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits into it, so callbacks run on the GUI thread."""

    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(
        self,
        runner: TaskRunner,
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
    ) -> None:
        super().__init__(runner)
        self._runner = runner
        self._on_done = on_done
        self._on_error = on_error
        self.succeeded.connect(self._deliver_result)
        self.failed.connect(self._deliver_error)

    @Slot(object)
    def _deliver_result(self, result: Any) -> None:
        try:
            if self._on_done is not None:
                self._on_done(result)
        finally:
            self._runner._finished(self)

    @Slot(object)
    def _deliver_error(self, error: BaseException) -> None:
        try:
            if isinstance(error, DatabaseUnavailable):
                self._runner.database_lost.emit(str(error))
            if self._on_error is not None:
                self._on_error(error)
            elif not isinstance(error, DatabaseUnavailable):
                self._runner.task_failed.emit(error)
        finally:
            self._runner._finished(self)


class _Job(QRunnable):
    def __init__(
        self, relay: _Relay, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        super().__init__()
        self._relay, self._fn, self._args, self._kwargs = relay, fn, args, kwargs

    def run(self) -> None:
        try:
            result = self._fn(*self._args, **self._kwargs)
        except BaseException as exc:  # delivered to the GUI thread, never lost in the pool
            log.debug("background task failed", exc_info=True)
            self._relay.failed.emit(exc)
        else:
            self._relay.succeeded.emit(result)


class TaskRunner(QObject):
    """`run(fn, *args, on_done=..., on_error=...)`: fn runs off the GUI thread, callbacks on it.

    A lost database is announced once through `database_lost` (the window shows a banner);
    any other error without an `on_error` goes to `task_failed` (the window shows a message).
    """

    database_lost = Signal(str)
    task_failed = Signal(object)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._pending: set[_Relay] = set()

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        **kwargs: Any,
    ) -> None:
        relay = _Relay(self, on_done, on_error)
        self._pending.add(relay)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        self._pool.start(_Job(relay, fn, args, kwargs))

    @property
    def pending(self) -> int:
        return len(self._pending)

    def _finished(self, relay: _Relay) -> None:
        self._pending.discard(relay)
        relay.deleteLater()
        if not self._pending:
            self.busy_changed.emit(False)

    def wait_idle(self, msecs: int = 10_000) -> bool:
        """For shutdown and tests: wait for the pool (callbacks still need the event loop)."""
        return self._pool.waitForDone(msecs)
