"""The CSV mapping dialog: preview, guessed columns, required fields, saved and reused."""

from __future__ import annotations

import threading
from pathlib import Path

from tests.channels.intake import DATA, stocked
from wms_desk.domain.roles import Role
from wms_desk.services.context import ServiceContext
from wms_desk.services.import_setup import list_csv_profiles
from wms_desk.services.imports import import_file
from wms_desk.settings import load_settings
from wms_desk.ui import csv_mapping_dialog
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


def load(qtbot, dialog: CsvMappingDialog, path: Path) -> bool:
    with qtbot.waitSignal(dialog.sample_loaded, timeout=WAIT) as loaded:
        dialog.load_sample(path)
    return bool(loaded.args[0])


def test_map_preview_save_and_import_with_the_profile(
    qtbot, system_ctx: ServiceContext, make_ctx, tmp_path: Path
) -> None:
    stocked(system_ctx)
    dialog = _dialog(qtbot, make_ctx(Role.SUPERVISOR), tmp_path)
    assert load(qtbot, dialog, DATA / "generic_orders.csv")
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
    assert not load(qtbot, dialog, bad)
    assert "line 2 is not UTF-8" in dialog.message.text()
    dialog.encoding.setText("latin-1")
    assert load(qtbot, dialog, bad) and dialog.preview.item(0, 0).text() == "Müller"
    assert not load(qtbot, dialog, tmp_path / "gone.csv")
    assert "gone.csv" in dialog.message.text() and "not read" in dialog.file_label.text()


def test_a_large_sample_is_read_on_a_worker_and_the_dialog_stays_usable(
    qtbot, system_ctx: ServiceContext, tmp_path: Path, monkeypatch
) -> None:
    big = tmp_path / "big.csv"
    rows = "".join(f"R{n},Customer {n},SKU-{n % 7},1\n" for n in range(20_000))
    big.write_text("Order Ref,Customer,Item,Qty\n" + rows)
    reading, release = threading.Event(), threading.Event()
    parsed_on: list[threading.Thread] = []

    def held_read(path: Path, encoding: str | None):
        parsed_on.append(threading.current_thread())
        reading.set()
        assert release.wait(WAIT / 1000), "the test never let the read finish"
        return real_read(path, encoding)

    real_read = csv_mapping_dialog.read_sample
    monkeypatch.setattr(csv_mapping_dialog, "read_sample", held_read)
    dialog = _dialog(qtbot, system_ctx, tmp_path)
    dialog.load_sample(big)  # returns while the file is still being read
    assert reading.wait(WAIT / 1000) and parsed_on != [threading.main_thread()]
    assert dialog.reading.isVisible() and "Reading big.csv" in dialog.message.text()
    qtbot.keyClicks(dialog.name, "shop-export")  # the dialog answers while the worker reads
    assert dialog.name.text() == "shop-export"
    with qtbot.waitSignal(dialog.sample_loaded, timeout=WAIT) as loaded:
        release.set()
    assert loaded.args == [True] and not dialog.reading.isVisible()
    assert dialog.preview.rowCount() == 10 and dialog.preview.item(9, 0).text() == "R9"
    assert dialog.combos["qty"].currentText() == "Qty"


def test_only_the_latest_sample_is_shown(qtbot, system_ctx: ServiceContext, tmp_path: Path) -> None:
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text("A,B\n1,2\n")
    second.write_text("Order Ref,Qty\nX1,3\n")
    dialog = _dialog(qtbot, system_ctx, tmp_path)
    dialog.load_sample(first)
    assert load(qtbot, dialog, second)
    qtbot.waitUntil(lambda: dialog.ui.tasks.pending == 0, timeout=WAIT)  # both delivered
    assert dialog.header == ("Order Ref", "Qty") and dialog.file_label.text() == "second.csv"
