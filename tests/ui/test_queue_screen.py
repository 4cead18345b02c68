"""The queue screen driven as a supervisor would: filters, sort, actions, detail, live refresh."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, QSettings, Qt
from sqlalchemy import select

from wms_desk.db.models import Order, OrderLine, PrintJob
from wms_desk.domain.roles import Role
from wms_desk.services import orders
from wms_desk.services.context import ServiceContext
from wms_desk.services.demo import seed_demo
from wms_desk.services.station_bindings import BindingOverrides, StationBindings
from wms_desk.settings import load_settings
from wms_desk.ui.context import UiContext
from wms_desk.ui.models.queue_model import COLUMN_KEYS, QueueModel
from wms_desk.ui.screens.queue_filters import OPEN_SET
from wms_desk.ui.screens.queue_prompts import Assignment
from wms_desk.ui.screens.queue_screen import QueueScreen
from wms_desk.ui.tasks import TaskRunner

WAIT = 10_000


@pytest.fixture
def ui(system_ctx: ServiceContext, make_ctx, tmp_path: Path) -> Iterator[UiContext]:
    seed_demo(system_ctx, orders=300, seed=7)
    settings = load_settings(cli={}, environ={}, config_path=tmp_path / "none.toml")
    printed = (tmp_path / "printed").as_uri()
    settings = settings.with_overrides(poll_seconds=0.2, document_printer=printed)
    qsettings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    tasks = TaskRunner()
    # The composition root resolves the station's printers into the service context.
    bindings = StationBindings.resolve({}, BindingOverrides(document_printer=printed))
    services = replace(make_ctx(Role.SUPERVISOR), bindings=bindings)
    yield UiContext(services, tasks, settings, qsettings=qsettings)
    tasks.wait_idle()


@pytest.fixture
def screen(qtbot, ui: UiContext) -> Iterator[QueueScreen]:
    widget = QueueScreen(ui)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() > 0 and not widget.model.loading, timeout=WAIT)
    yield widget
    widget.shutdown()


def _statuses(screen: QueueScreen) -> set[str]:
    return {screen.model.row_data(r).status for r in range(screen.model.rowCount())}


def _wait_loaded(qtbot, screen: QueueScreen) -> None:
    qtbot.waitUntil(lambda: not screen.model.loading, timeout=WAIT)


def _select_rows(screen: QueueScreen, rows: list[int]) -> list[int]:
    selection = QItemSelection()
    last = screen.model.columnCount() - 1
    for row in rows:
        selection.select(screen.model.index(row, 0), screen.model.index(row, last))
    screen.table.selectionModel().select(
        selection, QItemSelectionModel.SelectionFlag.ClearAndSelect
    )
    return screen.selected_ids()


def _db_status(ui: UiContext, ids: list[int]) -> set[str]:
    with ui.services.database.read_session() as session:
        return set(session.scalars(select(Order.status).where(Order.id.in_(ids))))


def test_queue_model_passes_qtmodeltester(qtbot, qtmodeltester, ui: UiContext) -> None:
    model = QueueModel(ui)
    model.page_size = 40
    model.reload()
    qtbot.waitUntil(lambda: model.rowCount() == 40, timeout=WAIT)
    qtmodeltester.check(model)
    # The tester itself may have asked for the next page; it arrives in the background.
    qtbot.waitUntil(lambda: not model.loading, timeout=WAIT)
    if model.rowCount() == 40:
        assert model.canFetchMore()
        model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == 80, timeout=WAIT)
    ids = [model.order_id(r) for r in range(80)]
    assert len(set(ids)) == 80
    qtmodeltester.check(model)


def test_status_chips_count_and_filter(qtbot, screen: QueueScreen) -> None:
    # The "Open" chip: everything still to do, nothing shipped, cancelled or returned.
    assert _statuses(screen) <= set(OPEN_SET) and len(_statuses(screen)) > 3
    assert not _statuses(screen) & {"shipped", "cancelled", "returned", "partly_returned"}
    # The counts follow the rows in their own background call.
    qtbot.waitUntil(lambda: screen.filters.chips["on_hold"].text() == "On hold  12", timeout=WAIT)
    qtbot.mouseClick(screen.filters.chips["on_hold"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _statuses(screen) == {"on_hold"}, timeout=WAIT)
    assert screen.model.rowCount() == 12
    qtbot.mouseClick(screen.filters.chips["shipped"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _statuses(screen) == {"shipped"}, timeout=WAIT)


def test_search_and_drop_down_filters(qtbot, screen: QueueScreen) -> None:
    screen.filters.select_chip("all")
    _wait_loaded(qtbot, screen)
    target = screen.model.row_data(5)
    assert target is not None
    surname = target.customer.split()[-1]
    qtbot.keyClicks(screen.filters.search, surname)
    qtbot.waitUntil(
        lambda: (
            screen.model.rowCount() > 0
            and all(
                surname in screen.model.row_data(r).customer
                for r in range(screen.model.rowCount())
            )
        ),
        timeout=WAIT,
    )
    assert screen.model.row_of(target.id) is not None
    screen.filters.search.clear()
    late = screen.filters.ship_by.findData("late")
    screen.filters.ship_by.setCurrentIndex(late)
    now = datetime.now(UTC)
    qtbot.waitUntil(
        lambda: screen.model.filter.ship_window == "late" and not screen.model.loading, timeout=WAIT
    )
    rows = [screen.model.row_data(r) for r in range(screen.model.rowCount())]
    assert rows and all(r is not None and r.ship_by is not None and r.ship_by < now for r in rows)
    # Late open orders are coloured.
    screen.filters.select_chip("open")
    _wait_loaded(qtbot, screen)
    index = screen.model.index(0, 0)
    assert screen.model.data(index, Qt.ItemDataRole.BackgroundRole) is not None


def test_clicking_a_header_sorts_in_sql(qtbot, screen: QueueScreen) -> None:
    customer = COLUMN_KEYS.index("customer")

    def names() -> list[str]:
        return [screen.model.row_data(r).customer for r in range(screen.model.rowCount())]

    screen.table.horizontalHeader().setSortIndicator(customer, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(
        lambda: screen.model.sort_key == ("customer", False) and not screen.model.loading,
        timeout=WAIT,
    )
    assert names() == sorted(names()) and len(set(names())) > 5
    screen.table.horizontalHeader().setSortIndicator(customer, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(
        lambda: screen.model.sort_key == ("customer", True) and not screen.model.loading,
        timeout=WAIT,
    )
    assert names() == sorted(names(), reverse=True)


def test_hold_and_release_several_orders_keeps_the_selection(
    qtbot,
    screen: QueueScreen,
    ui: UiContext,
    monkeypatch,
) -> None:
    ids = _select_rows(screen, [0, 2, 4])
    assert len(ids) == 3
    monkeypatch.setattr(screen.prompts, "reason", lambda *_a: "Address check")
    with qtbot.waitSignal(screen.action_finished, timeout=WAIT) as finished:
        qtbot.keyClick(screen.table, Qt.Key.Key_H)
    assert "Held: 3 orders" in finished.args[0]
    assert _db_status(ui, ids) == {"on_hold"}
    qtbot.waitUntil(
        lambda: all(
            screen.model.row_data(screen.model.row_of(i)).status == "on_hold"
            for i in ids
            if screen.model.row_of(i) is not None
        ),
        timeout=WAIT,
    )
    qtbot.waitUntil(lambda: sorted(screen.selected_ids()) == sorted(ids), timeout=WAIT)
    with qtbot.waitSignal(screen.action_finished, timeout=WAIT):
        qtbot.keyClick(screen.table, Qt.Key.Key_R)
    assert "on_hold" not in _db_status(ui, ids)


def test_cancel_asks_first(qtbot, screen: QueueScreen, ui: UiContext, monkeypatch) -> None:
    ids = _select_rows(screen, [1, 3])
    before = _db_status(ui, ids)
    asked: list[str] = []
    monkeypatch.setattr(screen.prompts, "confirm", lambda _t, text: asked.append(text) or False)
    monkeypatch.setattr(screen.prompts, "reason", lambda *_a: "Customer asked")
    with qtbot.assertNotEmitted(screen.action_finished, wait=300):
        qtbot.keyClick(screen.table, Qt.Key.Key_Delete)
    assert asked and "Cancel 2 order(s)" in asked[0]
    assert _db_status(ui, ids) == before
    monkeypatch.setattr(screen.prompts, "confirm", lambda *_a: True)
    with qtbot.waitSignal(screen.action_finished, timeout=WAIT):
        screen.act_cancel.trigger()
    assert _db_status(ui, ids) == {"cancelled"}
    # The Open chip no longer shows them.
    qtbot.waitUntil(lambda: all(screen.model.row_of(i) is None for i in ids), timeout=WAIT)


def test_a_failed_action_says_why(qtbot, screen: QueueScreen, monkeypatch) -> None:
    screen.filters.select_chip("shipped")
    qtbot.waitUntil(lambda: _statuses(screen) == {"shipped"}, timeout=WAIT)
    _select_rows(screen, [0])
    errors: list[str] = []
    monkeypatch.setattr(screen.prompts, "error", lambda _t, text: errors.append(text))
    monkeypatch.setattr(screen.prompts, "reason", lambda *_a: "test")
    with qtbot.waitSignal(screen.action_finished, timeout=WAIT):
        screen.act_hold.trigger()
    assert errors and "shipped" in errors[0]


def test_detail_panel_shows_lines_address_and_history(
    qtbot,
    screen: QueueScreen,
    ui: UiContext,
    monkeypatch,
) -> None:
    [order_id] = _select_rows(screen, [0])
    qtbot.waitUntil(lambda: screen.detail.detail is not None, timeout=WAIT)
    with ui.services.database.read_session() as session:
        lines = session.scalars(select(OrderLine).where(OrderLine.order_id == order_id)).all()
        order = session.get(Order, order_id)
        assert order is not None
        city = order.ship_city
    assert screen.detail.lines.rowCount() == len(lines) > 0
    assert screen.detail.lines.item(0, 1).text() == (lines[0].sku or "")
    assert city in screen.detail.address.text()
    monkeypatch.setattr(screen.prompts, "reason", lambda *_a: "Fraud check")
    with qtbot.waitSignal(screen.action_finished, timeout=WAIT):
        screen.act_hold.trigger()

    def history() -> list[str]:
        t = screen.detail.timeline
        return [t.item(r, 1).text() + " " + t.item(r, 3).text() for r in range(t.rowCount())]

    qtbot.waitUntil(
        lambda: any(h.startswith("Held ") and "Fraud check" in h for h in history()), timeout=WAIT
    )


def test_another_sessions_change_appears(
    qtbot,
    screen: QueueScreen,
    make_ctx,
) -> None:
    other = make_ctx(Role.SUPERVISOR)
    row = screen.model.row_data(3)
    assert row is not None and row.priority != 7
    _select_rows(screen, [3])
    scroll = screen.table.verticalScrollBar().value()
    orders.set_priority(other, [row.id], 7)
    qtbot.waitUntil(
        lambda: screen.model.row_data(screen.model.row_of(row.id) or 0).priority == 7,
        timeout=WAIT,
    )
    assert screen.selected_ids() == [row.id]
    assert screen.table.verticalScrollBar().value() == scroll


def test_wave_assign_and_export_from_the_selection(
    qtbot,
    screen: QueueScreen,
    ui: UiContext,
    monkeypatch,
    tmp_path: Path,
) -> None:
    screen.filters.select_chip("new")
    qtbot.waitUntil(lambda: _statuses(screen) == {"new"}, timeout=WAIT)
    ids = _select_rows(screen, [0, 1])
    with qtbot.waitSignal(screen.action_finished, timeout=WAIT) as finished:
        screen.act_wave.trigger()
    assert "Wave W-" in finished.args[0] and "2 orders" in finished.args[0]
    station = ui.services.actor.station_id
    monkeypatch.setattr(screen.prompts, "assignment", lambda _c: Assignment(station, None))
    with qtbot.waitSignal(screen.action_finished, timeout=WAIT):
        screen.act_assign.trigger()
    with ui.services.database.read_session() as session:
        rows = session.scalars(select(Order).where(Order.id.in_(ids))).all()
        assert {(o.batch_id is not None, o.assigned_station_id) for o in rows} == {(True, station)}
    target = tmp_path / "selected.csv"
    monkeypatch.setattr(screen.prompts, "export_path", lambda: target)
    with qtbot.waitSignal(screen.action_finished, timeout=WAIT) as finished:
        qtbot.keyClick(screen.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert "2 orders written" in finished.args[0]
    assert len(target.read_text(encoding="utf-8-sig").strip().splitlines()) == 3


def test_chosen_columns_are_remembered(qtbot, screen: QueueScreen, ui: UiContext) -> None:
    assert not screen.column_visible("email")
    screen.set_column_visible("email", True)
    screen.set_column_visible("channel", False)
    again = QueueScreen(ui)
    qtbot.addWidget(again)
    try:
        assert again.column_visible("email") and not again.column_visible("channel")
    finally:
        again.shutdown()


def test_print_slips_and_a_waves_pick_list(
    qtbot,
    screen: QueueScreen,
    ui: UiContext,
) -> None:
    screen.filters.select_chip("allocated")
    qtbot.waitUntil(lambda: _statuses(screen) == {"allocated"}, timeout=WAIT)
    ids = _select_rows(screen, [0, 1, 2])
    with qtbot.waitSignal(screen.action_finished, timeout=WAIT) as finished:
        qtbot.keyClick(screen.table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert "3 print job(s)" in finished.args[0]
    with qtbot.waitSignal(screen.action_finished, timeout=WAIT):
        screen.act_wave.trigger()
    qtbot.waitUntil(lambda: sorted(screen.selected_ids()) == sorted(ids), timeout=WAIT)
    with qtbot.waitSignal(screen.action_finished, timeout=WAIT) as finished:
        screen.act_print_picks.trigger()
    assert "1 print job(s)" in finished.args[0]
    with ui.services.database.read_session() as session:
        jobs = session.scalars(select(PrintJob).order_by(PrintJob.created_at)).all()
        slips = [j for j in jobs if j.document == "slip"]
        picks = [j for j in jobs if j.document == "pick_list"]
        assert sorted(j.order_id for j in slips) == sorted(ids)
        assert len(picks) == 1 and picks[0].title.startswith("Pick list W-")
        assert all(j.payload.startswith(b"%PDF") and j.status == "queued" for j in jobs)


def test_ctrl_f_jumps_to_the_search_box(qtbot, screen: QueueScreen) -> None:
    screen.activateWindow()
    screen.table.setFocus()
    qtbot.waitUntil(screen.table.hasFocus, timeout=WAIT)
    qtbot.keyClick(screen.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(screen.filters.search.hasFocus, timeout=WAIT)


@pytest.mark.parametrize("answer", [True, False])
def test_preview_shows_the_slip_and_queues_it_only_on_print(
    qtbot, screen: QueueScreen, ui: UiContext, monkeypatch, answer: bool
) -> None:
    import pypdfium2

    [order_id] = _select_rows(screen, [0])
    shown: list[bytes] = []

    def confirm(pdf: bytes, title: str) -> bool:
        shown.append(pdf)
        return answer

    monkeypatch.setattr(screen, "confirm_preview", confirm)
    if answer:
        with qtbot.waitSignal(screen.action_finished, timeout=WAIT) as finished:
            screen.act_preview.trigger()
        assert "1 print job(s)" in finished.args[0]
    else:
        with qtbot.waitSignal(screen.slip_previewed, timeout=WAIT):
            screen.act_preview.trigger()
    assert len(pypdfium2.PdfDocument(shown[0])) >= 1  # a real PDF of the slip
    with ui.services.database.read_session() as session:
        slips = session.scalars(select(PrintJob).where(PrintJob.document == "slip")).all()
        assert [j.order_id for j in slips] == ([order_id] if answer else [])
