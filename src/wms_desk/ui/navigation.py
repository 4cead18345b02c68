"""The screens of the main window: title, who may see them, shortcut, and what they hold."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from wms_desk.domain.roles import Permission
from wms_desk.domain.scan_kinds import ScanKind
from wms_desk.ui.context import UiContext

ScreenFactory = Callable[[UiContext], QWidget]


@dataclass(frozen=True)
class ScreenSpec:
    key: str
    title: str
    permission: Permission
    summary: str
    # What the screen will hold, shown while it is not built yet (never a blank page).
    planned: tuple[str, ...] = ()
    factory: ScreenFactory | None = None
    # Scans this screen uses when in front (named in "works on ..." feedback), and the kinds
    # that bring it to the front from any other screen (an order barcode opens the order).
    accepts: frozenset[ScanKind] = frozenset()
    opens: frozenset[ScanKind] = frozenset()


def _dashboard(ui: UiContext) -> QWidget:
    from wms_desk.ui.screens.dashboard_screen import DashboardScreen

    return DashboardScreen(ui)


def _reports(ui: UiContext) -> QWidget:
    from wms_desk.ui.screens.reports_screen import ReportsScreen

    return ReportsScreen(ui)


def _queue(ui: UiContext) -> QWidget:
    from wms_desk.ui.screens.queue_screen import QueueScreen

    return QueueScreen(ui)


def _inventory(ui: UiContext) -> QWidget:
    from wms_desk.ui.screens.inventory_screen import InventoryScreen

    return InventoryScreen(ui)


def _pack(ui: UiContext) -> QWidget:
    from wms_desk.ui.screens.pack_screen import PackScreen

    return PackScreen(ui)


def _pick(ui: UiContext) -> QWidget:
    from wms_desk.ui.screens.pick_screen import PickScreen

    return PickScreen(ui)


def _prints(ui: UiContext) -> QWidget:
    from wms_desk.ui.print_queue_view import PrintQueueView

    return PrintQueueView(ui)


def _ship(ui: UiContext) -> QWidget:
    from wms_desk.ui.screens.ship_screen import ShipScreen

    return ShipScreen(ui)


def _returns(ui: UiContext) -> QWidget:
    from wms_desk.ui.screens.returns_screen import ReturnsScreen

    return ReturnsScreen(ui)


def _desk(ui: UiContext) -> QWidget:
    from wms_desk.ui.screens.service_desk_screen import ServiceDeskScreen

    return ServiceDeskScreen(ui)


def _settings(ui: UiContext) -> QWidget:
    from wms_desk.ui.screens.settings_screen import SettingsScreen

    return SettingsScreen(ui)


SCREENS: tuple[ScreenSpec, ...] = (
    # A supervisor's landing screen (first in the list); the queue is the next entry.
    ScreenSpec(
        "dashboard",
        "Dashboard",
        Permission.VIEW_QUEUE,
        "The floor now: orders by status, backlog, today's work and exceptions.",
        (),
        _dashboard,
    ),
    ScreenSpec(
        "queue",
        "Queue",
        Permission.VIEW_QUEUE,
        "Every order, what state it is in, and what needs a supervisor.",
        (
            "Orders by status with counts",
            "Filters: channel, service, ship-by, tags, packer",
            "Hold, release, cancel, prioritise and assign",
            "Pick waves",
            "Order timeline",
        ),
        _queue,
        accepts=frozenset({ScanKind.ORDER}),
        opens=frozenset({ScanKind.ORDER}),
    ),
    ScreenSpec(
        "pack",
        "Pack",
        Permission.PICK_AND_PACK,
        "Scan the slip, verify every item, weigh, box and print — no mouse needed.",
        (
            "Scan the packing slip to open the order",
            "Scan-to-verify per line with instant feedback",
            "Live weight from the scale; expected vs measured",
            "Carton suggestion; NEW BOX",
            "COMPLETE prints the label",
        ),
        _pack,
        # A packer's first screen: their badge lands here and an order barcode opens it.
        accepts=frozenset({ScanKind.ORDER, ScanKind.PRODUCT, ScanKind.COMMAND}),
        opens=frozenset({ScanKind.ORDER}),
    ),
    ScreenSpec(
        "pick",
        "Pick",
        Permission.PICK_AND_PACK,
        "Walk the pick path and scan each bin and item into the tote.",
        (
            "Claim the next order or wave with one scan",
            "Lines sorted by bin pick sequence",
            "Scan bin, then item; case barcodes count their pack size",
            "Skip a line, report a stock-out",
            "Tote per order in a wave",
        ),
        _pick,
        accepts=frozenset({ScanKind.ORDER, ScanKind.PRODUCT, ScanKind.BIN, ScanKind.COMMAND}),
    ),
    ScreenSpec(
        "ship",
        "Ship",
        Permission.PICK_AND_PACK,
        "Rates, labels and tracking numbers, and the end-of-day manifest.",
        (
            "Rate shopping across carriers",
            "Labels per package with tracking numbers",
            "Void a label",
            "End-of-day manifest per carrier",
        ),
        _ship,
        accepts=frozenset({ScanKind.ORDER, ScanKind.TRACKING}),
        opens=frozenset({ScanKind.TRACKING}),
    ),
    ScreenSpec(
        "returns",
        "Returns",
        Permission.PICK_AND_PACK,
        "Receive returned parcels, inspect them and decide what happens to each item.",
        (
            "Find the RMA by scanning the label or order",
            "Receive and inspect by scan",
            "Restock, quarantine, scrap or return to vendor",
            "Refund or exchange",
        ),
        _returns,
        accepts=frozenset({ScanKind.PRODUCT, ScanKind.BIN, ScanKind.ORDER, ScanKind.TRACKING}),
    ),
    ScreenSpec(
        "desk",
        "Service desk",
        # Customer service's own screen (their only one, so they land on it); supervisors too.
        Permission.LOOK_UP_ORDERS,
        "Find any order, read its story, add notes, amend it before packing, create returns.",
        (),
        _desk,
        accepts=frozenset({ScanKind.ORDER, ScanKind.TRACKING, ScanKind.UNKNOWN}),
        # Earlier screens win for a supervisor (the queue opens orders, Ship tracking numbers).
        opens=frozenset({ScanKind.ORDER, ScanKind.TRACKING}),
    ),
    ScreenSpec(
        "inventory",
        "Inventory",
        # Read-only for packers (finding an item); counting asks for EDIT_STOCK on the screen.
        Permission.VIEW_STOCK,
        "Products, bins and the stock ledger.",
        (
            "Search by SKU, name or any barcode",
            "On-hand and reserved per bin",
            "A product's ledger history",
            "Count a bin (supervisors)",
        ),
        _inventory,
        accepts=frozenset({ScanKind.PRODUCT, ScanKind.BIN}),
    ),
    ScreenSpec(
        "prints",
        "Print queue",
        Permission.PICK_AND_PACK,
        "Every label and slip this station sent, and what happened to it.",
        (),
        _prints,
    ),
    ScreenSpec(
        "reports",
        "Reports",
        Permission.VIEW_REPORTS,
        "How the floor is doing today and over time.",
        (
            "Throughput per station and packer",
            "Fulfilment times and late orders",
            "Pick accuracy",
            "Returns by reason",
        ),
        _reports,
    ),
    ScreenSpec(
        "settings",
        "Settings",
        Permission.CHANGE_SETTINGS,
        "This station's devices and printers; users and stations for admins.",
        (
            "Scanner, scale and printers for this station",
            "Test a device live",
            "Users and badges (admins)",
            "Stations (admins)",
        ),
        _settings,
    ),
)


def screens_for(ui: UiContext) -> list[ScreenSpec]:
    return [spec for spec in SCREENS if ui.actor.can(spec.permission)]
