"""The Inventory screen: search, a product's bins and ledger, and a supervisor's adjustment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from wms_desk.domain.roles import Role
from wms_desk.services.context import ServiceContext
from wms_desk.services.demo import seed_demo
from wms_desk.settings import load_settings
from wms_desk.ui.context import UiContext
from wms_desk.ui.models.inventory_models import PagedModel
from wms_desk.ui.screens.inventory_screen import Adjustment, InventoryScreen
from wms_desk.ui.tasks import TaskRunner

WAIT = 10_000


def _ui(ctx: ServiceContext, tmp_path: Path) -> UiContext:
    settings = load_settings(cli={}, environ={}, config_path=tmp_path / "none.toml")
    return UiContext(ctx, TaskRunner(), settings)


@pytest.fixture
def screen(
    qtbot, system_ctx: ServiceContext, make_ctx, tmp_path: Path
) -> Iterator[InventoryScreen]:
    seed_demo(system_ctx, orders=20, seed=4)
    ui = _ui(make_ctx(Role.SUPERVISOR), tmp_path)
    widget = InventoryScreen(ui)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitUntil(lambda: widget.products_model.rowCount() > 0, timeout=WAIT)
    yield widget
    ui.tasks.wait_idle()


def _skus(model: PagedModel) -> list[str]:
    return [model.row(r).sku for r in range(model.rowCount())]


def test_product_models_pass_qtmodeltester(qtbot, qtmodeltester, screen: InventoryScreen) -> None:
    qtmodeltester.check(screen.products_model)
    screen.products.selectRow(0)
    qtbot.waitUntil(lambda: screen.bins_model.rowCount() > 0, timeout=WAIT)
    qtbot.waitUntil(lambda: screen.ledger_model.rowCount() > 0, timeout=WAIT)
    qtmodeltester.check(screen.bins_model)
    qtmodeltester.check(screen.ledger_model)


def test_search_by_sku_name_and_barcode(qtbot, screen: InventoryScreen) -> None:
    everything = _skus(screen.products_model)
    target = screen.products_model.row(5)
    qtbot.keyClicks(screen.search, target.sku)
    qtbot.waitUntil(lambda: _skus(screen.products_model) == [target.sku], timeout=WAIT)
    screen.search.clear()
    qtbot.keyClicks(screen.search, target.barcodes[0].split()[0])
    qtbot.waitUntil(
        lambda: (
            target.sku in _skus(screen.products_model)
            and len(_skus(screen.products_model)) < len(everything)
        ),
        timeout=WAIT,
    )
    screen.search.clear()
    qtbot.waitUntil(lambda: len(_skus(screen.products_model)) == len(everything), timeout=WAIT)


def test_adjusting_a_bin_writes_the_ledger(qtbot, screen: InventoryScreen, monkeypatch) -> None:
    screen.products.selectRow(2)
    product = screen.products_model.row(2)
    qtbot.waitUntil(
        lambda: screen.bins_model.rowCount() > 0 and screen.ledger_model.rowCount() > 0,
        timeout=WAIT,
    )
    assert screen.adjust_button.isEnabled()
    first_bin = screen.bins_model.row(0)
    moves_before = screen.ledger_model.rowCount()
    monkeypatch.setattr(
        screen,
        "ask_adjustment",
        lambda _sku: Adjustment(first_bin.bin, first_bin.on_hand + 2, "found behind shelf"),
    )
    with qtbot.waitSignal(screen.adjusted, timeout=WAIT) as done:
        qtbot.mouseClick(screen.adjust_button, Qt.MouseButton.LeftButton)
    assert f"now {first_bin.on_hand + 2} on hand" in done.args[0]
    qtbot.waitUntil(lambda: screen.ledger_model.rowCount() == moves_before + 1, timeout=WAIT)
    newest = screen.ledger_model.row(0)
    assert (newest.reference, newest.qty, newest.to_bin) == ("found behind shelf", 2, first_bin.bin)
    assert screen.product_id == product.id
    # An unknown bin is refused with a message that names it.
    errors: list[str] = []
    monkeypatch.setattr(screen, "show_error", errors.append)
    monkeypatch.setattr(screen, "ask_adjustment", lambda _sku: Adjustment("NO-SUCH-BIN", 1, "x"))
    with qtbot.waitSignal(screen.adjusted, timeout=WAIT):
        screen.adjust()
    assert errors and "NO-SUCH-BIN" in errors[0]
