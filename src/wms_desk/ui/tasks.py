"""Background work: run a service call on the thread pool, get its result back on the GUI thread."""

from __future__ import annotations

import functools
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from wms_desk.services.errors import DatabaseUnavailable

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Callbacks:
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None


def _call(callback: Callable[[Any], None], value: Any) -> None:
    """Deliver to a callback, unless the widget it would update is gone.

    A screen can close (sign-out, a dialog dismissed) while its query still runs: its result has
    nobody to show it to. That is normal, so it is dropped quietly instead of raising.
    """
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, QObject) and not shiboken6.isValid(owner):
        return
    try:
        callback(value)
    except RuntimeError as exc:
        if "already deleted" not in str(exc):
            raise
        log.debug("dropped a result for a closed widget: %s", exc)


class TaskRunner(QObject):
    """`run(fn, *args, on_done=..., on_error=...)`: fn runs off the GUI thread, callbacks on it.

    Results travel through this object's own queued signals, tagged with a task number: no Qt
    object is created or destroyed per task, so nothing can be freed twice across threads.
    A lost database is announced once through `database_lost` (the window shows a banner);
    any other error without an `on_error` goes to `task_failed` (the window shows a message).
    """

    database_lost = Signal(str)
    task_failed = Signal(object)
    busy_changed = Signal(bool)
    _succeeded = Signal(int, object)
    _failed = Signal(int, object)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._pending: dict[int, _Callbacks] = {}
        self._numbers = itertools.count(1)
        self._succeeded.connect(self._deliver_result)
        self._failed.connect(self._deliver_error)

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        **kwargs: Any,
    ) -> None:
        number = next(self._numbers)
        self._pending[number] = _Callbacks(on_done, on_error)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        self._pool.start(functools.partial(self._execute, number, fn, args, kwargs))

    def _execute(
        self, number: int, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> None:
        """Runs on a pool thread; the outcome is always delivered, never lost in the pool."""
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:
            log.debug("background task failed", exc_info=True)
            self._failed.emit(number, exc)
        else:
            self._succeeded.emit(number, result)

    @property
    def pending(self) -> int:
        return len(self._pending)

    @Slot(int, object)
    def _deliver_result(self, number: int, result: Any) -> None:
        callbacks = self._take(number)
        if callbacks is not None and callbacks.on_done is not None:
            _call(callbacks.on_done, result)

    @Slot(int, object)
    def _deliver_error(self, number: int, error: BaseException) -> None:
        callbacks = self._take(number)
        if isinstance(error, DatabaseUnavailable):
            self.database_lost.emit(str(error))
        if callbacks is not None and callbacks.on_error is not None:
            _call(callbacks.on_error, error)
        elif not isinstance(error, DatabaseUnavailable):
            self.task_failed.emit(error)

    def _take(self, number: int) -> _Callbacks | None:
        callbacks = self._pending.pop(number, None)
        if not self._pending:
            self.busy_changed.emit(False)
        return callbacks

    def wait_idle(self, msecs: int = 10_000) -> bool:
        """For shutdown and tests: wait for the pool (callbacks still need the event loop)."""
        return self._pool.waitForDone(msecs)
