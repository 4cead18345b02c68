"""Every dialog and settings panel fits a 1366x768 screen, its buttons on the screen."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QScrollArea, QWidget

from tests.ui.fit import assert_fits
from tests.ui.test_print_ui import _slip
from wms_desk.services.context import ServiceContext
from wms_desk.settings import load_settings
from wms_desk.ui.context import UiContext
from wms_desk.ui.tasks import TaskRunner

WAIT = 10_000
# What the main window leaves a settings page at 1366x768: the navigation column, the window's
# title bar, the status bar, the screen title and the tab bar take their share.
PAGE = QSize(1366 - 190 - 60, 768 - 230)
_RUNNERS: list[TaskRunner] = []  # outlive the widgets, as the main window's runner does


@pytest.fixture
def ui(qtbot, system_ctx: ServiceContext, tmp_path: Path) -> UiContext:
    runner = TaskRunner()
    _RUNNERS.append(runner)
    settings = load_settings(cli={}, environ={}, config_path=tmp_path / "none.toml")
    yield UiContext(system_ctx, runner, settings)
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=WAIT)


@pytest.fixture
def parent(qtbot, laptop_screen: QSize) -> QWidget:
    """A main window as large as the screen allows, for the dialogs to open over."""
    window = QWidget()
    qtbot.addWidget(window)
    window.setGeometry(laptop_screen.width() // 10, 40, 1100, 640)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_the_slip_preview_fits_with_print_on_screen(qtbot, parent, laptop_screen) -> None:
    from wms_desk.ui.print_preview import PrintPreviewDialog

    dialog = PrintPreviewDialog(_slip(60), "Slip 1", parent)
    qtbot.addWidget(dialog)
    assert_fits(dialog, laptop_screen)
    scroll = dialog.findChild(QScrollArea)
    assert scroll.horizontalScrollBar().maximum() == 0  # the page's width shows, its height scrolls
    assert scroll.verticalScrollBar().maximum() > 0


def test_the_csv_mapping_dialog_fits(qtbot, ui, parent, laptop_screen) -> None:
    from wms_desk.ui.csv_mapping_dialog import CsvMappingDialog

    dialog = CsvMappingDialog(ui, parent)
    qtbot.addWidget(dialog)
    assert_fits(dialog, laptop_screen)


def test_the_import_dialog_fits(qtbot, ui, parent, laptop_screen) -> None:
    from wms_desk.ui.import_dialog import ImportDialog

    dialog = ImportDialog(ui, parent)
    qtbot.addWidget(dialog)
    assert_fits(dialog, laptop_screen)


def test_the_stock_holders_dialog_fits(qtbot, ui, parent, laptop_screen) -> None:
    from wms_desk.ui.stock_holders_dialog import StockHoldersDialog

    dialog = StockHoldersDialog(ui, 1, parent)
    qtbot.addWidget(dialog)
    assert_fits(dialog, laptop_screen)


def test_the_devices_panel_fits_a_settings_page(qtbot, ui, laptop_screen) -> None:
    from wms_desk.ui.device_hub import DeviceHub
    from wms_desk.ui.screens.devices_panel import DevicesPanel

    hub = DeviceHub()
    panel = DevicesPanel(dataclasses.replace(ui, devices=hub))
    panel.destroyed.connect(hub.stop)
    qtbot.addWidget(panel)
    assert_fits(panel, PAGE)


def test_the_printers_panel_fits_a_settings_page(qtbot, ui, laptop_screen) -> None:
    from wms_desk.ui.screens.printers_panel import PrintersPanel

    panel = PrintersPanel(ui)
    qtbot.addWidget(panel)
    assert_fits(panel, PAGE)


def test_the_sign_in_page_fits_with_the_demo_accounts_and_an_error(qtbot, laptop_screen) -> None:
    from wms_desk.services.demo_accounts import DEMO_USERS
    from wms_desk.ui.sign_in import SignInPanel

    runner = TaskRunner()
    _RUNNERS.append(runner)
    users = [(u.username, u.role, u.password, u.badge) for u in DEMO_USERS]
    panel = SignInPanel(runner, lambda *_: None, lambda _: None, "pack-01", users)
    qtbot.addWidget(panel)
    panel.set_unavailable("Cannot reach the database at db.example:5432. Check the network.")
    assert_fits(panel, PAGE)
