"""Settings > Printers: bind the station's printers and send a test page through the queue."""

from __future__ import annotations

from pathlib import Path

from wms_desk.services.print_queue import PrintWorker
from wms_desk.services.stations import ensure_station, merge_bindings
from wms_desk.settings import load_settings
from wms_desk.ui.context import UiContext
from wms_desk.ui.screens.printers_panel import PrintersPanel
from wms_desk.ui.tasks import TaskRunner


def test_save_keeps_device_bindings_and_a_test_label_reaches_the_printer(
    qtbot, make_ctx, database, tmp_path: Path
) -> None:
    supervisor = make_ctx("supervisor")
    station_id = supervisor.actor.station_id
    merge_bindings(supervisor, station_id, {"scanner": {"port": "/dev/ttyUSB0"}})
    tasks = TaskRunner()
    ui = UiContext(
        supervisor, tasks, load_settings(cli={}, environ={}, config_path=tmp_path / "none.toml")
    )
    panel = PrintersPanel(ui)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: tasks.pending == 0, timeout=5_000)
    labels = tmp_path / "labels"
    labels.mkdir()
    form = panel.forms["label_printer"]
    form.url.setCurrentText(f"file://{labels}")
    form.format.setCurrentText("zpl")
    form.dpi.setCurrentText("300")
    with qtbot.waitSignal(panel.saved, timeout=5_000):
        panel.save_button.click()
    bindings = ensure_station(database, supervisor.actor.station_name).bindings
    assert bindings["scanner"] == {"port": "/dev/ttyUSB0"}  # the devices' part is untouched
    assert bindings["label_printer"] == {"url": f"file://{labels}", "format": "zpl", "dpi": 300}

    with qtbot.waitSignal(panel.test_queued, timeout=5_000) as queued:
        form.test_button.click()
    PrintWorker(database, station_id).run_pending()
    sent = list(labels.iterdir())
    # Printed files are named by what they are (the test label's title), never by job id.
    assert [p.name for p in sent] == ["Test_label.zpl"]
    assert queued.args[0] not in sent[0].name
    zpl = sent[0].read_bytes()
    assert zpl.startswith(b"^XA") and b"TEST" in zpl and zpl.rstrip().endswith(b"^XZ")


def test_a_test_page_without_an_address_says_what_to_enter(qtbot, make_ctx, tmp_path) -> None:
    supervisor = make_ctx("supervisor")
    tasks = TaskRunner()
    ui = UiContext(
        supervisor, tasks, load_settings(cli={}, environ={}, config_path=tmp_path / "none.toml")
    )
    panel = PrintersPanel(ui)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: tasks.pending == 0, timeout=5_000)
    panel.forms["document_printer"].url.setCurrentText("")
    panel.forms["document_printer"].test_button.click()
    qtbot.waitUntil(lambda: "Enter the printer's address" in panel.message.text(), timeout=5_000)
