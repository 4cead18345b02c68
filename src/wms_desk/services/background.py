"""A background thread with a stop flag: the lifecycle the print worker and watcher share."""

from __future__ import annotations

import threading
from collections.abc import Callable


class BackgroundThread:
    """`start()` once, `stop()` joins; `stop_requested` is the flag the loop watches."""

    def __init__(self, name: str, target: Callable[[], None]) -> None:
        self._name = name
        self._target = target
        self.stop_requested = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self.stop_requested.clear()
        self._thread = threading.Thread(target=self._target, name=self._name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float) -> None:
        self.stop_requested.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
