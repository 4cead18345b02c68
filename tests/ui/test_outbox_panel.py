"""The supervisor sees a channel update that gave up: a toast, the Outbox panel with what Shopify
said, and Retry once the token is fixed. The whole station runs: its own outbox worker sends to
the local Shopify server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QSize, Qt

from tests.channels.shop_servers import ShopifyShop
from tests.services.shipdata import import_nordpost
from tests.services.test_channel_writeback import SHOPIFY_LINES, shop_order
from tests.ui.fit import assert_fits
from tests.ui.keyboard import type_text
from wms_desk.app.gui import StationApp
from wms_desk.services.channel_targets import set_writeback
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.outbox import OutboxStatus
from wms_desk.services.shipping import labels
from wms_desk.services.stations import ensure_station
from wms_desk.services.users import add_user
from wms_desk.settings import load_settings

WAIT = 20_000


@pytest.fixture
def shopify(monkeypatch: pytest.MonkeyPatch) -> Iterator[ShopifyShop]:
    monkeypatch.setenv("TEST_SHOPIFY_TOKEN", "shpat_revoked")  # wrong until the test fixes it
    shop = ShopifyShop()
    yield shop
    shop.close()


@pytest.fixture
def admin(database: Database, shopify: ShopifyShop) -> ServiceContext:
    info = ensure_station(database, "desk-01")
    ctx = ServiceContext(database, system_actor(info.id, info.name))
    add_user(ctx, "sam", "supervisor", "super123", display_name="Sam Boss")
    import_nordpost(ctx)
    return ctx


@pytest.fixture
def order_id(admin: ServiceContext, database: Database, shopify: ShopifyShop) -> int:
    """Shopify's sample order #1001, packed, on a channel that writes back to the local shop."""
    order = shop_order(
        database, "My Shopify", "shopify", str(shopify.order_id), "#1001", SHOPIFY_LINES
    )
    set_writeback(admin, "My Shopify", url=shopify.url, token_env="TEST_SHOPIFY_TOKEN")
    return order


@pytest.fixture
def station(qtbot, admin: ServiceContext, database: Database, tmp_path: Path):
    settings = load_settings(
        cli={"station": "desk-01", "poll_seconds": 3600, "data_dir": str(tmp_path)},
        environ={},
        config_path=tmp_path / "none.toml",
    )
    qsettings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    app = StationApp(settings, database=database, qsettings=qsettings)
    with qtbot.waitSignal(app.station_opened, timeout=WAIT):
        app.start()
    yield app
    app.window.close()
    app.shutdown()


def _sign_in(qtbot, app: StationApp) -> None:
    """Typed as a person types (the wedge filter takes a fast burst for a scanner)."""
    qtbot.waitUntil(app.login.username.isEnabled, timeout=WAIT)
    app.window.activateWindow()
    app.login.username.setFocus()
    qtbot.waitUntil(app.login.username.hasFocus, timeout=WAIT)
    with qtbot.waitSignal(app.window_shown, timeout=WAIT):
        type_text(qtbot, "sam\tsuper123\r", 60)


def test_a_refused_update_is_toasted_listed_and_retried(
    qtbot, qtmodeltester, station, admin, order_id: int, shopify, tmp_path, monkeypatch
) -> None:
    _sign_in(qtbot, station)
    assert station.outbox_alerts is not None
    qtbot.waitUntil(lambda: station.outbox_alerts.seen is not None, timeout=WAIT)
    settings = station.window.show_screen("settings")
    panel = settings.outbox_panel
    assert panel is not None
    settings.show_panel(panel)
    assert_fits(station.window, QSize(1366, 768))

    # The label is bought (as at a pack station); this station's outbox worker sends it.
    with qtbot.waitSignal(station.outbox_alerts.alerted, timeout=WAIT) as alert:
        labels.ship_order(admin, order_id, printer_url=(tmp_path / "labels").as_uri())
    title, detail = alert.args
    assert title == "My Shopify: shipped for order #1001 gave up"
    assert "Invalid API key or access token" in detail and "Settings > Outbox" in detail
    assert station.print_worker is not None and station.print_worker.toast.isVisible()
    assert "gave up" in station.print_worker.toast.title.text()

    # The panel lists it, in words, with the shop's own message.
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT)
    model = panel.model
    cells = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert cells[1:5] == ["My Shopify: shipped", "#1001", "gave up", "1"]
    assert "401" in cells[5] and "Invalid API key" in cells[5]
    qtmodeltester.check(model)
    panel.table.selectRow(0)
    assert panel.retry_button.isEnabled() and panel.cancel_button.isEnabled()
    assert "order #1001" in panel.detail.text()

    # The token is fixed; Retry sends it, and the list of what needs attention empties.
    monkeypatch.setenv("TEST_SHOPIFY_TOKEN", ShopifyShop.TOKEN)
    with qtbot.waitSignal(panel.action_done, timeout=WAIT) as done:
        qtbot.mouseClick(panel.retry_button, Qt.MouseButton.LeftButton)
    assert done.args[0] == "My Shopify: shipped for order #1001: sending again."
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0, timeout=WAIT)
    assert "Nothing needs you" in panel.message.text()
    panel.filter.setCurrentIndex(2)  # all messages: the sent one, with Shopify's id
    qtbot.waitUntil(
        lambda: [m.status for m in panel.model.messages] == [OutboxStatus.SENT], timeout=WAIT
    )
    (made,) = shopify.live_fulfilments()
    assert panel.model.data(panel.model.index(0, 5)) == f"sent: {made['id']}"


def test_a_failing_export_is_listed_and_cancelled(
    qtbot, station, admin, database, tmp_path
) -> None:
    folder = tmp_path / "share"
    folder.mkdir()
    order = shop_order(database, "Wholesale", "csv", "W-9", "W-9", (("", 1),))
    set_writeback(admin, "Wholesale", export_folder=str(folder))
    folder.rmdir()  # the share went offline
    _sign_in(qtbot, station)
    settings = station.window.show_screen("settings")
    panel = settings.outbox_panel
    assert panel is not None
    settings.show_panel(panel)
    labels.ship_order(admin, order, printer_url=(tmp_path / "labels").as_uri())
    qtbot.waitUntil(
        lambda: [m.status for m in panel.model.messages] == [OutboxStatus.FAILED], timeout=WAIT
    )
    assert "does not exist or is offline" in panel.model.data(panel.model.index(0, 5))
    assert panel.model.data(panel.model.index(0, 3)) == "failed"
    panel.table.selectRow(0)
    with qtbot.waitSignal(panel.action_done, timeout=WAIT) as done:
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert done.args[0] == "Wholesale: shipped for order W-9: cancelled."
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0, timeout=WAIT)
    panel.filter.setCurrentIndex(2)
    qtbot.waitUntil(
        lambda: [m.status for m in panel.model.messages] == [OutboxStatus.CANCELLED], timeout=WAIT
    )


def test_messages_are_described_in_words() -> None:
    from datetime import UTC, datetime

    from wms_desk.services.outbox import OutboxInfo, OutboxKind
    from wms_desk.ui.outbox_view import describe

    def info(kind: OutboxKind, payload: str) -> OutboxInfo:
        now = datetime(2026, 12, 2, tzinfo=UTC)
        return OutboxInfo(
            "m1", kind, "k", OutboxStatus.DEAD, 1, "", "", 42, now, now, None, payload
        )

    email = '{"to": "eva@example.com", "order_number": "#1001", "subject": "Shipped"}'
    assert describe(info(OutboxKind.EMAIL, email)) == ("E-mail to eva@example.com", "#1001")
    cancel = '{"action": "cancel", "channel": "Woo", "order_number": "727"}'
    assert describe(info(OutboxKind.CHANNEL_FULFILMENT, cancel)) == ("Woo: label voided", "727")
    # Never the database id as if it were the order number; a broken payload still shows.
    assert describe(info(OutboxKind.EMAIL, "not json")) == ("E-mail", "")
