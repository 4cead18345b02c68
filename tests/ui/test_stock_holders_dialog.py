"""The dialog that tells a supervisor which orders hold the stock a backordered order waits for."""

from __future__ import annotations

from pathlib import Path

from tests.factories import add_bin, add_order, add_product
from wms_desk.services import allocation
from wms_desk.services.stock import apply_move
from wms_desk.services.uow import run_unit_of_work
from wms_desk.settings import load_settings
from wms_desk.ui.context import UiContext
from wms_desk.ui.stock_holders_dialog import StockHoldersDialog
from wms_desk.ui.tasks import TaskRunner


def test_backordered_order_shows_the_order_holding_its_stock(qtbot, make_ctx, database) -> None:
    supervisor = make_ctx("supervisor")
    product, bin_ = add_product(database, "SKU-9"), add_bin(database, "B-02-07")
    run_unit_of_work(supervisor, lambda uow: apply_move(uow, product, 3, "receive", to_bin_id=bin_))
    first = add_order(database, "#2001", sku="SKU-9", qty=3)
    waiting = add_order(database, "#2002", sku="SKU-9", qty=2)
    run_unit_of_work(supervisor, lambda uow: allocation.allocate_orders(uow, [first, waiting]))

    ui = UiContext(
        supervisor, TaskRunner(), load_settings(cli={}, environ={}, config_path=Path("/none.toml"))
    )
    dialog = StockHoldersDialog(ui, waiting)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000) as done:
        dialog.show()
    wait = done.args[0]
    assert wait.status == "backordered"
    assert "#2002" in dialog.summary.text() and "waits for 2 unit(s)" in dialog.summary.text()
    line = dialog.tree.topLevelItem(0)
    assert line.text(0) == "1. SKU-9" and line.text(6) == "2"
    holder = line.child(0)
    assert (holder.text(0), holder.text(7), holder.text(8)) == ("#2001", "B-02-07", "3")
    assert line.isExpanded()


def test_the_queue_detail_panel_opens_it_for_an_order_waiting_for_stock(
    qtbot, make_ctx, database
) -> None:
    from wms_desk.ui.screens.queue_detail import OrderDetailPanel

    supervisor = make_ctx("supervisor")
    add_product(database, "SKU-5")
    waiting = add_order(database, "#3001", sku="SKU-5", qty=1)
    run_unit_of_work(supervisor, lambda uow: allocation.allocate_orders(uow, [waiting]))
    ui = UiContext(
        supervisor, TaskRunner(), load_settings(cli={}, environ={}, config_path=Path("/none.toml"))
    )
    panel = OrderDetailPanel(ui)
    qtbot.addWidget(panel)
    panel.show()
    panel.show_order(waiting)
    qtbot.waitUntil(lambda: panel.detail is not None, timeout=10_000)
    assert panel.detail.status == "backordered" and panel.holders_button.isVisible()
    dialog = panel.show_stock_holders()
    assert dialog is not None
    qtbot.waitUntil(lambda: "waits for 1 unit(s)" in dialog.summary.text(), timeout=10_000)
