"""Settings > Shipping rules, with the whole station installed: a supervisor signs in by badge,
edits the rules typing real keys (through the wedge filter), saves; the rate shop uses them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget

from tests.services.shipdata import import_nordpost, packed_order, ship_from_sweden
from tests.ui.fit import assert_fits
from wms_desk.app.gui import StationApp
from wms_desk.domain.service_selection import Strategy
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.shipping.rating import rate_order
from wms_desk.services.shipping.rules import get_rules
from wms_desk.services.stations import ensure_station
from wms_desk.services.users import add_user
from wms_desk.ui.screens.settings_screen import SettingsScreen
from wms_desk.ui.screens.shipping_rules_panel import ShippingRulesPanel

HUMAN_MS = 60
# WMS_DESK_SCREENSHOTS=1 refreshes docs/screenshots; otherwise the grab goes to a temp folder.
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def station(qtbot, database: Database, start_station, scanner):
    info = ensure_station(database, "desk-01")
    admin = ServiceContext(database, system_actor(info.id, info.name))
    add_user(admin, "sue", "supervisor", "super123", badge="SUP-0001", display_name="Sue Lead")
    import_nordpost(admin)
    ship_from_sweden(database)
    packed_order(database, "R-100", (900,))
    app = start_station("desk-01")
    with qtbot.waitSignal(app.window_shown, timeout=10_000):
        scanner.scan("BADGE:SUP-0001")
    return app


def _panel(qtbot, app: StationApp) -> ShippingRulesPanel:
    screen = app.window.show_screen("settings")
    assert isinstance(screen, SettingsScreen)
    assert screen.rules_panel is not None
    panel = screen.rules_panel
    assert isinstance(panel, ShippingRulesPanel)
    screen.show_panel(panel)
    qtbot.waitUntil(lambda: panel.preferred.count() > 1 and app.tasks.pending == 0, timeout=10_000)
    return panel


def _type_cell(qtbot, table: QTableWidget, row: int, column: int, text: str) -> None:
    """Select the cell, start editing with F2 as a person would, type, commit with Tab."""
    table.setFocus()
    table.setCurrentCell(row, column)
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = table.focusWidget()
    assert editor is not None and editor is not table
    qtbot.keyClicks(editor, text, delay=HUMAN_MS)
    qtbot.waitUntil(lambda: editor.text() == text, timeout=3_000)
    qtbot.keyClick(editor, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: table.item(row, column).text() == text, timeout=3_000)


def test_supervisor_edits_rules_and_the_rate_shop_follows(
    qtbot, station, laptop_screen, tmp_path
) -> None:
    panel = _panel(qtbot, station)
    assert_fits(station.window, laptop_screen)
    assert panel.strategy.currentData() == Strategy.CHEAPEST.value  # the defaults

    panel.strategy.setCurrentIndex(panel.strategy.findData(Strategy.FASTEST.value))
    # The first "Add" is the mappings', the second the exclusions'.
    add_buttons = [b for b in panel.findChildren(type(panel.save_button)) if b.text() == "Add"]
    qtbot.mouseClick(add_buttons[1], Qt.MouseButton.LeftButton)
    assert panel.exclusions.rowCount() == 1
    _type_cell(qtbot, panel.exclusions, 0, 0, "nordpost")
    _type_cell(qtbot, panel.exclusions, 0, 1, "EXP")
    _type_cell(qtbot, panel.exclusions, 0, 2, "500")
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Saved the shipping rules" in panel.message.text(), timeout=10_000)
    assert panel.message.text() == (
        "Saved the shipping rules for all channels: fastest, 0 mapping(s), 1 exclusion(s)."
    )

    shots = DOCS_SCREENSHOTS if os.environ.get("WMS_DESK_SCREENSHOTS") else tmp_path / "shots"
    shots.mkdir(parents=True, exist_ok=True)
    station.window.resize(laptop_screen)
    assert station.window.grab().save(str(shots / "settings-shipping-rules.png"))

    ctx = station.station.system
    rules = get_rules(ctx)
    assert rules.strategy is Strategy.FASTEST
    assert [(e.carrier, e.service, e.max_weight_g) for e in rules.exclusions] == [
        ("nordpost", "EXP", 500)
    ]
    shop = rate_order(ctx, "R-100")  # a 900 g parcel: express is now excluded
    express = [o for o in shop.options if o.service == "EXP"]
    assert express and not express[0].chosen and "heavier than 500 g" in express[0].reason


def test_a_bad_cell_or_an_unknown_carrier_is_named_and_nothing_is_saved(qtbot, station) -> None:
    panel = _panel(qtbot, station)
    add_buttons = [b for b in panel.findChildren(type(panel.save_button)) if b.text() == "Add"]
    qtbot.mouseClick(add_buttons[1], Qt.MouseButton.LeftButton)
    _type_cell(qtbot, panel.exclusions, 0, 2, "heavy")
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    assert panel.message.text() == (
        "Exclusion row 1: the weight 'heavy' is not a number above 0. Nothing was saved."
    )
    _type_cell(qtbot, panel.exclusions, 0, 2, "800")
    _type_cell(qtbot, panel.exclusions, 0, 0, "fedx")
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "not set up" in panel.message.text(), timeout=10_000)
    assert "carrier fedx" in panel.message.text()
    assert "Nothing was saved" in panel.message.text()
    assert get_rules(station.station.system).exclusions == ()


def test_supervisor_changes_the_return_policy(qtbot, station, laptop_screen, tmp_path) -> None:
    from wms_desk.domain.returns import Reason
    from wms_desk.services.returns.policy import get_return_policy
    from wms_desk.ui.screens.return_policy_panel import ReturnPolicyPanel

    screen = station.window.show_screen("settings")
    assert isinstance(screen, SettingsScreen)
    panel = screen.policy_panel
    assert isinstance(panel, ReturnPolicyPanel)
    screen.show_panel(panel)
    qtbot.waitUntil(lambda: panel.window_days.value() == 30, timeout=10_000)
    assert panel.fees[Reason.NO_LONGER_NEEDED].value() == 15
    assert panel.shipping[Reason.DAMAGED].isChecked()

    for box, text in ((panel.window_days, "60"), (panel.fees[Reason.OTHER], "5")):
        box.setFocus()
        box.lineEdit().selectAll()
        qtbot.keyClicks(box, text, delay=HUMAN_MS)
        qtbot.waitUntil(lambda b=box, t=text: b.cleanText().split(".")[0] == t, timeout=3_000)
    qtbot.mouseClick(panel.shipping[Reason.DAMAGED], Qt.MouseButton.LeftButton)
    assert_fits(station.window, laptop_screen)
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Saved the return policy" in panel.message.text(), timeout=10_000)
    assert panel.message.text() == (
        "Saved the return policy: 60 days; restocking fees: no longer needed 15%, other 5%; "
        "shipping refunded for 2 reason(s). Returns checked and refunds computed from now on "
        "use it."
    )
    policy = get_return_policy(station.station.system)
    assert policy.window_days == 60
    assert policy.fee_pct(Reason.OTHER) == 5
    assert Reason.DAMAGED not in policy.refund_shipping_reasons
    shots = DOCS_SCREENSHOTS if os.environ.get("WMS_DESK_SCREENSHOTS") else tmp_path / "shots"
    shots.mkdir(parents=True, exist_ok=True)
    station.window.resize(laptop_screen)
    assert station.window.grab().save(str(shots / "settings-returns-policy.png"))
