"""Keyboard-wedge scanners: an application-wide event filter taking scans out of the key stream."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QWidget

from wms_desk.devices.scanner import Debouncer
from wms_desk.devices.wedge import WedgeClassifier, WedgeConfig, WedgeStep
from wms_desk.domain.scan import GS, interpret

log = logging.getLogger(__name__)
_MODIFIER_KEYS = {
    Qt.Key.Key_Shift,
    Qt.Key.Key_Control,
    Qt.Key.Key_Alt,
    Qt.Key.Key_AltGr,
    Qt.Key.Key_Meta,
    Qt.Key.Key_CapsLock,
    Qt.Key.Key_NumLock,
}
_TERMINATOR_KEYS = {Qt.Key.Key_Return: "\r", Qt.Key.Key_Enter: "\r", Qt.Key.Key_Tab: "\t"}
_WATCHED_EVENTS = frozenset(
    {QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride, QEvent.Type.MouseButtonPress}
)


class _HeldKey:
    """A key press held back while its burst is classified, enough to replay it as typing.

    The target is held strongly: for a widget Qt built itself (the line edit inside a
    QInputDialog or QFileDialog) the Python wrapper handed to eventFilter is a temporary one,
    so a weak reference to it is dead by the time the key is replayed, and the typing was lost.
    """

    def __init__(self, target: QObject, event: QKeyEvent) -> None:
        self.target = target
        self.key = event.key()
        self.modifiers = event.modifiers()
        self.text = event.text()

    def receiver(self) -> QObject | None:
        """The widget the key was typed into, as without the filter; None if it is gone.

        Not the focus of the moment: a program may move the focus while a key is held, and
        the key was typed before that. Tab, clicks and other keys release what is held first.
        """
        return self.target if shiboken6.isValid(self.target) else None


class WedgeFilter(QObject):
    """Install on the QApplication: `app.installEventFilter(WedgeFilter(config, bridge=bridge))`.

    It sees every key before the focused widget does. Printable keys are held until their burst
    is classified (see devices.wedge): scans never reach the widget, typing is replayed to it in
    order. Scans are emitted on `scan_received` and, when given, through the bridge.
    """

    scan_received = Signal(object)  # domain.scan.ScanResult

    def __init__(
        self,
        config: WedgeConfig | None = None,
        parent: QObject | None = None,
        *,
        bridge: Any = None,
        clock: Callable[[], float] = time.monotonic,
        debounce_s: float = 0.3,
    ) -> None:
        super().__init__(parent)
        self._classifier = WedgeClassifier(config or WedgeConfig())
        self._bridge = bridge
        self._clock = clock
        self._debouncer = Debouncer(debounce_s)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._hold_expired)
        self._suspended = False

    @property
    def config(self) -> WedgeConfig:
        return self._classifier.config

    @contextmanager
    def suspended(self) -> Iterator[None]:
        """Out of the application's event stream while the GUI thread builds widgets.

        Building a screen sends thousands of events (polish, child, show, resize) straight
        through every application filter: a Python call each, which made building a screen
        cost nearly twice as much. No key or click reaches any widget while the GUI thread is
        busy building: they wait in the window system's queue and come through the filter
        once it is back, held keys and pending bursts as they were."""
        app = QCoreApplication.instance()
        if app is None or self._suspended:
            yield
            return
        self._suspended = True
        app.removeEventFilter(self)
        try:
            yield
        finally:
            self._suspended = False
            app.installEventFilter(self)

    def set_config(self, config: WedgeConfig) -> None:
        self._replay(self._classifier.interrupt())
        self._classifier = WedgeClassifier(config)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Every event of the application passes here (thousands while a screen is built): one
        # type() call and a set lookup turn the uninteresting ones away before anything else.
        kind = event.type()
        if kind not in _WATCHED_EVENTS or not self._classifier.config.enabled:
            return False
        if kind == QEvent.Type.MouseButtonPress and event.spontaneous():
            # A click may move the focus: what was typed before it belongs where it was typed.
            self._replay(self._classifier.interrupt())
            self._arm_timer()
            return False
        if kind == QEvent.Type.ShortcutOverride:
            self._claim_inside_a_burst(watched, event)
            return False
        # A key first arrives at the QWindow, then at the focused widget: act once, at the widget.
        # Our own replays and Qt's propagation to parents are not spontaneous: let them through.
        if not isinstance(watched, QWidget) or not event.spontaneous():
            return False
        assert isinstance(event, QKeyEvent)
        key = event.key()
        if key in _MODIFIER_KEYS:
            return False  # Shift for capitals: it must not break a burst
        char = self._char_of(event)
        if char is None or event.isAutoRepeat():
            self._replay(self._classifier.interrupt())
            return False
        step = self._classifier.feed(char, self._time_of(event), _HeldKey(watched, event))
        self._replay(step)
        if step.scan is not None:
            self._deliver(step.scan)
        self._arm_timer()
        return step.consume

    def _claim_inside_a_burst(self, watched: QObject, event: QEvent) -> None:
        """Inside a possible scan, a key that is also a shortcut (Enter, a letter) must come to
        us as a key press: accepting the override keeps the shortcut from firing."""
        if not (self._classifier.pending and isinstance(watched, QWidget)):
            return
        assert isinstance(event, QKeyEvent)
        if self._char_of(event) is not None and not event.isAutoRepeat():
            event.accept()

    def _char_of(self, event: QKeyEvent) -> str | None:
        key = Qt.Key(event.key())
        if key in _TERMINATOR_KEYS:
            # Only the configured suffix ends a scan. Tab (or Enter, with a Tab suffix) is then
            # navigation: it releases the typing before it, so a username typed before Tab stays
            # in the username field and the password after it lands in the password field.
            char = _TERMINATOR_KEYS[key]
            return char if char in self.config.terminators else None
        if key == Qt.Key.Key_Backtab:
            return None
        text = event.text()
        if len(text) != 1:
            return None
        if text == GS:  # Ctrl+] or Alt+0029, as scanners set for GS1 send it
            return GS
        if event.modifiers() & (
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
        ):
            return None  # a shortcut, not text
        return text if text.isprintable() else None

    def _time_of(self, event: QKeyEvent) -> float:
        # The platform's timestamp survives a busy GUI thread; synthetic events carry 0.
        stamp = event.timestamp()
        return stamp / 1000 if stamp else self._clock()

    def _arm_timer(self) -> None:
        # Restarted by every held key: fires when the burst has been quiet for the hold time.
        if self._classifier.pending:
            self._timer.start(int(self.config.hold_s * 1000) + 1)
        else:
            self._timer.stop()

    def _hold_expired(self) -> None:
        self._replay(self._classifier.expire(float("inf")))

    def _replay(self, step: WedgeStep) -> None:
        # The same keys, in the same order, to the same widgets as without the filter, only a
        # few tens of milliseconds later.
        for held in step.replay:
            receiver = held.receiver()
            if receiver is None:
                # Never the key's text in the log: it may be part of a password.
                log.warning("a typed key was dropped: the window it was typed into is gone")
                continue
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QCoreApplication.sendEvent(
                    receiver, QKeyEvent(kind, held.key, held.modifiers, held.text)
                )

    def _deliver(self, text: str) -> None:
        if not self._debouncer.accept(text, self._clock()):
            return
        result = interpret(text)
        self.scan_received.emit(result)
        if self._bridge is not None:
            self._bridge.on_scan(result)


def install_wedge_filter(
    app: QCoreApplication, wedge_binding: Any, bridge: Any = None
) -> WedgeFilter:
    """Install a WedgeFilter for a station's `wedge` binding; its scans go through `bridge`."""
    wedge = WedgeFilter(WedgeConfig.from_binding(wedge_binding), app, bridge=bridge)
    app.installEventFilter(wedge)
    return wedge
