"""The demo scan pad: a dock listing the codes the screen in front expects next; a click sends one
through the simulated serial scanner (or puts the expected weight on the simulated scale), so a
newcomer can pick and pack an order end to end without hardware."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QDockWidget, QListWidget, QListWidgetItem, QWidget

from wms_desk.domain.codes import StationCommand, command_barcode
from wms_desk.services.demo_accounts import DEMO_USERS
from wms_desk.ui.first_paint import after_first_paint
from wms_desk.ui.widgets.named import named

if TYPE_CHECKING:
    from wms_desk.services.context import ServiceContext
    from wms_desk.services.demo_codes import DemoCodes
    from wms_desk.ui.workspace import Workspace


SETTLE_MS = 400  # how long the simulated scale moves before it settles on the box's weight


@dataclass(frozen=True)
class PadEntry:
    label: str
    code: str = ""  # sent through the scanner
    scale: str = ""  # or a command for the scale simulator ("weight 1.250 kg")
    heading: bool = False


def _heading(text: str) -> PadEntry:
    return PadEntry(text, heading=True)


def _demo_codes(services: ServiceContext, skus: tuple[str, ...]) -> DemoCodes:
    # Imported on the worker that asks: the query's module (claims, station rules) is not the
    # GUI thread's to load.
    from wms_desk.services.demo_codes import demo_codes

    return demo_codes(services, skus)


class ScanPad(QDockWidget):
    """`refresh()` rebuilds the list; `sent(entry)` after a click went to a simulator."""

    sent = Signal(object)  # PadEntry

    def __init__(self, demo: Any, host: Any, parent: QWidget | None = None) -> None:
        super().__init__("Demo scan pad", parent)
        self.setObjectName("ScanPad")
        self.demo = demo  # devices.station.DemoSimulators
        self.host = host  # app.gui.StationApp: .workspace
        self.codes: DemoCodes | None = None
        self.entries: list[PadEntry] = []
        self.list = named(QListWidget(), "ScanPadList")
        font = QFont()
        font.setPointSize(11)
        self.list.setFont(font)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.itemClicked.connect(self._clicked)
        self.setWidget(self.list)
        self.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.setMinimumWidth(230)
        self._watched: set[int] = set()
        self._asking = False
        self._skus: tuple[str, ...] = ()
        self.refresh()

    # -- what to list -------------------------------------------------------------------------
    def refresh(self, *_args: object) -> None:
        workspace: Workspace | None = self.host.workspace
        screen = workspace.current_screen() if workspace is not None else None
        if screen is not None and id(screen) not in self._watched:
            shown = getattr(screen, "session_shown", None)
            if shown is not None:
                shown.connect(self.refresh)
                self._watched.add(id(screen))
        self.entries = self.build_entries(workspace, screen)
        self.list.clear()
        for entry in self.entries:
            item = QListWidgetItem(entry.label if entry.heading else f"  {entry.label}")
            if entry.heading:
                font = item.font()
                font.setBold(True)
                item.setFont(font)
                item.setFlags(Qt.ItemFlag.NoItemFlags)
            else:
                item.setToolTip(entry.code or entry.scale)
            self.list.addItem(item)
        skus = tuple(sorted(getattr(screen, "expected_skus", lambda: set())()))
        if (
            workspace is not None
            and not self._asking
            and (self.codes is None or skus != self._skus)
        ):
            self._ask_codes(workspace, skus)

    def build_entries(self, workspace: Workspace | None, screen: Any) -> list[PadEntry]:
        entries: list[PadEntry] = []
        if workspace is None:
            entries.append(_heading("Sign in with a badge"))
            entries += [
                PadEntry(f"{u.display_name} ({u.role})", f"BADGE:{u.badge}") for u in DEMO_USERS
            ]
            return entries
        expected = list(getattr(screen, "expected_codes", lambda: [])())
        in_order: set[str] = set(getattr(screen, "order_codes", lambda: set())())
        weight: Decimal | None = getattr(screen, "expected_weight", lambda: None)()
        key = workspace.current_screen_key()
        if weight is not None:
            entries.append(_heading("Scale"))
            kg = f"{weight / 1000:.3f}"
            entries.append(PadEntry(f"Put the box on the scale ({kg} kg)", scale=f"weight {kg} kg"))
        codes = self.codes
        skus = set(getattr(screen, "expected_skus", lambda: set())())
        items = [p for p in codes.products if p.sku in skus][:1] if codes is not None else []
        if expected or items:  # the Pick screen names its item by SKU: the pad finds a barcode
            entries.append(_heading("Scan next"))
            entries += [PadEntry(label, code) for label, code in expected]
            entries += [PadEntry(f"{p.sku} {p.name}", p.code) for p in items]
        if codes is not None and (expected or items):
            wrong = next(
                (p for p in codes.products if p.code not in in_order and p.sku not in skus), None
            )
            if wrong is not None:
                entries.append(_heading("A wrong item"))
                entries.append(PadEntry(f"{wrong.sku} {wrong.name}", wrong.code))
        session = getattr(screen, "session", None)
        finished = getattr(session, "completed", False) or getattr(session, "done", False)
        idle = session is None or finished
        if codes is not None and idle and key in ("pack", "pick"):
            numbers = codes.to_pick if key == "pick" else codes.to_pack
            if numbers:
                entries.append(_heading("Orders ready to " + ("pick" if key == "pick" else "pack")))
                entries += [PadEntry(f"Order {n}", f"ORD:{n}") for n in numbers]
        entries.append(_heading("Station commands"))
        entries += [PadEntry(command.label, command_barcode(command)) for command in StationCommand]
        entries.append(_heading("Badges"))
        entries += [
            PadEntry(f"{u.display_name} ({u.role})", f"BADGE:{u.badge}") for u in DEMO_USERS
        ]
        return entries

    def _ask_codes(self, workspace: Workspace, skus: tuple[str, ...]) -> None:
        self._asking = True
        self._skus = skus
        workspace.ui.tasks.run(
            _demo_codes,
            workspace.ui.services,
            skus,
            on_done=self._got_codes,
            on_error=self._no_codes,
        )

    def _got_codes(self, codes: DemoCodes) -> None:
        self._asking = False
        self.codes = codes
        self.refresh()

    def _no_codes(self, _error: BaseException) -> None:
        self._asking = False  # a user who may not pick or pack: the pad lists what it can

    def forget_codes(self, *_args: object) -> None:
        """Orders were claimed or packed: ask again on the next refresh."""
        self.codes = None
        self.refresh()

    def signed_in(self, workspace: Workspace) -> None:
        """A new workspace: the codes asked for the last one are forgotten at once, the list is
        made again once the workspace has painted. Rebuilt before, the pad's list and its query
        on a worker only delayed the first paint of the user's screen."""
        self.codes = None
        after_first_paint(workspace, self.refresh)
        workspace.nav.currentRowChanged.connect(self.refresh)

    # -- sending ------------------------------------------------------------------------------
    def _clicked(self, item: QListWidgetItem) -> None:
        row = self.list.row(item)
        if 0 <= row < len(self.entries):
            self.send(self.entries[row])

    def send(self, entry: PadEntry) -> None:
        if entry.heading:
            return
        if entry.scale:
            # Like putting a box down: the scale moves, then settles on the new weight.
            scale = self.demo.scale
            scale.command("motion")
            QTimer.singleShot(
                SETTLE_MS, lambda: (scale.command(entry.scale), scale.command("stable"))
            )
        elif entry.code:
            self.demo.scanner.scan(entry.code)
        self.sent.emit(entry)

    def entry_after(self, heading: str) -> PadEntry:
        """The first entry under a heading."""
        at = next(i for i, e in enumerate(self.entries) if e.heading and e.label == heading)
        return self.entries[at + 1]

    def entry(self, label_part: str) -> PadEntry:
        """The first entry whose label contains `label_part` (tests and the docs use it)."""
        return next(e for e in self.entries if label_part in e.label and not e.heading)
