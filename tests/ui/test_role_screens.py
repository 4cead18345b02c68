"""Each role is offered only screens it may use: a packer gets a read-only Inventory."""

from __future__ import annotations

from pathlib import Path

import pytest

from wms_desk.domain.roles import Role
from wms_desk.services.context import ServiceContext
from wms_desk.services.demo import seed_demo
from wms_desk.settings import load_settings
from wms_desk.ui.context import UiContext
from wms_desk.ui.navigation import screens_for
from wms_desk.ui.screens.inventory_screen import InventoryScreen
from wms_desk.ui.tasks import TaskRunner

WAIT = 10_000


def _ui(ctx: ServiceContext, tmp_path: Path) -> UiContext:
    settings = load_settings(cli={}, environ={}, config_path=tmp_path / "none.toml")
    return UiContext(ctx, TaskRunner(), settings)


@pytest.mark.parametrize(
    ("role", "offered", "hidden"),
    [
        (
            Role.PACKER,
            {"pick", "pack", "inventory", "prints"},
            {"dashboard", "queue", "reports", "settings"},
        ),
        (
            Role.SUPERVISOR,
            {"dashboard", "queue", "reports", "inventory", "prints", "settings", "desk"},
            set(),
        ),
        # Customer service: the desk only (it lands there), no pick, pack, stock or settings.
        (
            Role.SERVICE,
            {"desk"},
            {
                "dashboard",
                "queue",
                "pick",
                "pack",
                "ship",
                "returns",
                "inventory",
                "prints",
                "settings",
            },
        ),
    ],
)
def test_navigation_offers_what_the_role_may_use(
    make_ctx, tmp_path: Path, role: Role, offered: set[str], hidden: set[str]
) -> None:
    keys = {spec.key for spec in screens_for(_ui(make_ctx(role), tmp_path))}
    assert offered <= keys and not hidden & keys


def test_a_packer_looks_up_stock_without_being_refused(
    qtbot, system_ctx: ServiceContext, make_ctx, tmp_path: Path
) -> None:
    seed_demo(system_ctx, orders=10, seed=2)
    ui = _ui(make_ctx(Role.PACKER), tmp_path)
    screen = InventoryScreen(ui)
    qtbot.addWidget(screen)
    screen.show()
    try:
        qtbot.waitUntil(lambda: screen.products_model.rowCount() > 0, timeout=WAIT)
        screen.products.selectRow(0)
        qtbot.waitUntil(lambda: screen.bins_model.rowCount() > 0, timeout=WAIT)
        qtbot.waitUntil(lambda: not screen.ledger_model.loading, timeout=WAIT)
        assert "may not" not in screen.status.text()
        # Counting stays a supervisor's: the button is there but says who may use it.
        assert not screen.adjust_button.isEnabled()
        assert "supervisor" in screen.adjust_button.toolTip()
    finally:
        ui.tasks.wait_idle()
