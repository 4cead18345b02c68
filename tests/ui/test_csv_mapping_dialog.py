"""The CSV mapping dialog: preview, guessed columns, required fields, saved and reused."""

from __future__ import annotations

from pathlib import Path

from tests.channels.intake import DATA, stocked
from wms_desk.domain.roles import Role
from wms_desk.services.context import ServiceContext
from wms_desk.services.import_setup import list_csv_profiles
from wms_desk.services.imports import import_file
from wms_desk.settings import load_settings
from wms_desk.ui.context import UiContext
from wms_desk.ui.csv_mapping_dialog import CsvMappingDialog
from wms_desk.ui.tasks import TaskRunner

WAIT = 10_000


# The runners outlive each test's widgets, as the main window's runner does in the app:
# a runner collected with a relay still queued would crash the event loop.
_RUNNERS: list[TaskRunner] = []


def _dialog(qtbot, ctx: ServiceContext, tmp_path: Path) -> CsvMappingDialog:
    settings = load_settings(cli={}, environ={}, config_path=tmp_path / "none.toml")
    runner = TaskRunner()
    _RUNNERS.append(runner)
    dialog = CsvMappingDialog(UiContext(ctx, runner, settings))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_map_preview_save_and_import_with_the_profile(
    qtbot, system_ctx: ServiceContext, make_ctx, tmp_path: Path
) -> None:
    stocked(system_ctx)
    dialog = _dialog(qtbot, make_ctx(Role.SUPERVISOR), tmp_path)
    assert dialog.load_sample(DATA / "generic_orders.csv")
    assert dialog.preview.columnCount() == 12 and dialog.preview.rowCount() == 5
    assert dialog.preview.item(3, 2).text() == "+cmd|' /C calc'!A0"
    assert dialog.combos["qty"].currentText() == "Qty"  # guessed from the header
    dialog.name.setText("marketplace")
    dialog.save()
    assert "Order id" in dialog.message.text() and not list_csv_profiles(system_ctx)

    for field, column in {
        "external_id": "Order Ref", "customer_name": "Customer", "ship_street1": "Street",
        "ship_city": "Town", "ship_postal_code": "Postcode", "ship_country": "Country",
        "sku": "Item", "ordered_at": "Placed", "ship_by": "Ship By", "cancelled": "Cancelled",
    }.items():  # fmt: skip
        dialog.combos[field].setCurrentText(column)
    with qtbot.waitSignal(dialog.profile_saved, timeout=WAIT) as saved:
        dialog.save()
    assert saved.args[0].name == "marketplace"
    assert saved.args[0].mapping["external_id"] == "Order Ref"
    dialog.ui.tasks.wait_idle()
    result = import_file(system_ctx, DATA / "generic_orders.csv", profile="marketplace")
    assert (result.created, result.cancelled, result.rejected) == (3, 1, 0)


def test_a_bad_sample_is_reported(qtbot, system_ctx: ServiceContext, tmp_path: Path) -> None:
    dialog = _dialog(qtbot, system_ctx, tmp_path)
    bad = tmp_path / "l.csv"
    bad.write_bytes("a;b\nM\xfcller;1\n".encode("latin-1"))
    assert not dialog.load_sample(bad)
    assert "line 2 is not UTF-8" in dialog.message.text()
    dialog.encoding.setText("latin-1")
    assert dialog.load_sample(bad) and dialog.preview.item(0, 0).text() == "Müller"
