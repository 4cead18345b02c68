"""Settings > E-mail: a supervisor types the SMTP settings, sends a test e-mail to a real SMTP
server (off the GUI thread), edits a template with a typo, previews and saves it."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt

from tests.services.smtp_server import smtp_server
from tests.ui.fit import assert_fits
from wms_desk.domain.emails import EmailKind
from wms_desk.services.context import ServiceContext
from wms_desk.services.emails import settings as email_settings
from wms_desk.services.emails import templates
from wms_desk.services.import_setup import ensure_channel, list_channels
from wms_desk.settings import load_settings
from wms_desk.ui.context import UiContext
from wms_desk.ui.screens.email_panel import EmailPanel
from wms_desk.ui.tasks import TaskRunner

WAIT = 10_000
# A settings page at 1366x768 (see tests/ui/test_fits_screen.py).
PAGE = QSize(1366 - 190 - 60, 768 - 230)
_RUNNERS: list[TaskRunner] = []


@pytest.fixture
def panel(qtbot, make_ctx, tmp_path: Path) -> EmailPanel:
    supervisor: ServiceContext = make_ctx("supervisor")
    runner = TaskRunner()
    _RUNNERS.append(runner)  # outlives the panel, as the main window's runner does
    ui = UiContext(
        supervisor, runner, load_settings(cli={}, environ={}, config_path=tmp_path / "none.toml")
    )
    widget = EmailPanel(ui)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=WAIT)
    yield widget
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=WAIT)


def _type(qtbot, field, text: str) -> None:
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)


def test_type_settings_save_and_send_a_test_email(qtbot, panel: EmailPanel) -> None:
    form = panel.form
    assert form.password_state.text() == "No sign-in: no user name is set."
    with smtp_server() as server:
        _type(qtbot, form.host, "127.0.0.1")
        _type(qtbot, form.port, str(server.port))
        form.security.setFocus()
        qtbot.keyClicks(form.security, "none")
        _type(qtbot, form.from_address, "shop@example.com")
        _type(qtbot, form.shop_name, "Nordic Shop")
        with qtbot.waitSignal(panel.saved, timeout=WAIT):
            qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
        saved = email_settings.get_settings(panel.ui.services)
        assert (saved.host, saved.port, saved.security.value) == ("127.0.0.1", server.port, "none")
        assert saved.shipment_emails_on
        assert panel.message.text().startswith(
            f"Saved the e-mail settings: 127.0.0.1:{server.port}"
        )
        assert panel.message.text().endswith("Shipment e-mails are on.")

        qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
        assert panel.message.text() == (
            "Enter the address to send the test e-mail to, then press Send."
        )
        qtbot.keyClicks(panel.test_to, "it@example.com")
        with qtbot.waitSignal(panel.answered, timeout=WAIT) as answer:
            qtbot.keyClick(panel.test_to, Qt.Key.Key_Return)
            # The GUI thread is free while the mail goes out: the button says it is busy.
            assert not panel.test_button.isEnabled()
    assert answer.args[0].startswith("Test e-mail sent to it@example.com through 127.0.0.1;")
    assert panel.message.text() == answer.args[0] and panel.test_button.isEnabled()
    assert [r.recipients for r in server.received] == [["it@example.com"]]

    # The server is gone now: the same button says what went wrong, nothing crashes.
    with qtbot.waitSignal(panel.answered, timeout=WAIT) as answer:
        qtbot.mouseClick(panel.test_button, Qt.MouseButton.LeftButton)
    assert "The test e-mail to it@example.com was not sent. Cannot reach" in answer.args[0]


def test_a_bad_address_is_refused_with_what_to_enter(qtbot, panel: EmailPanel) -> None:
    _type(qtbot, panel.form.host, "smtp.example.com")
    _type(qtbot, panel.form.from_address, "shop at example")
    qtbot.mouseClick(panel.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "is not an e-mail address" in panel.message.text(), timeout=WAIT)
    assert "The from address 'shop at example'" in panel.message.text()
    assert panel.save_button.isEnabled()


def test_edit_a_template_catch_a_typo_preview_and_save(qtbot, panel: EmailPanel) -> None:
    editor = panel.templates
    assert editor.subject.text() == "Your order $order_number has shipped"
    assert "$tracking_url" in editor.placeholders.text()
    editor.body.setFocus()
    editor.body.selectAll()
    qtbot.keyClick(editor.body, Qt.Key.Key_Delete)
    qtbot.keyClicks(editor.body, "Hi $customer_name, follow $trackng_url")
    qtbot.mouseClick(editor.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "$trackng_url" in panel.message.text(), timeout=WAIT)
    assert panel.message.text().startswith(
        "The shipment e-mail was not changed. The body uses $trackng_url, which this e-mail "
        "does not know."
    )
    for _ in range(len("trackng_url")):
        qtbot.keyClick(editor.body, Qt.Key.Key_Backspace)
    qtbot.keyClicks(editor.body, "tracking_url")
    with qtbot.waitSignal(editor.previewed, timeout=WAIT):
        qtbot.mouseClick(editor.preview_button, Qt.MouseButton.LeftButton)
    assert editor.preview_view.toPlainText() == (
        "Subject: Your order 1001 has shipped\n\n"
        "Hi Ada Lovelace, follow https://track.example/PX000123456"
    )
    with qtbot.waitSignal(editor.loaded, timeout=WAIT):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    stored = templates.get_template(panel.ui.services, EmailKind.SHIPMENT)
    assert (stored.body, stored.is_default) == ("Hi $customer_name, follow $tracking_url", False)
    assert panel.message.text().startswith("Saved the shipment e-mail;")

    editor.kind.setFocus()
    with qtbot.waitSignal(editor.loaded, timeout=WAIT):
        qtbot.keyClick(editor.kind, Qt.Key.Key_Down)
    assert editor.subject.text() == "We have received your order $order_number"
    with qtbot.waitSignal(editor.loaded, timeout=WAIT):
        qtbot.keyClick(editor.kind, Qt.Key.Key_Up)
    with qtbot.waitSignal(editor.loaded, timeout=WAIT):
        qtbot.mouseClick(editor.reset_button, Qt.MouseButton.LeftButton)
    assert templates.get_template(panel.ui.services, EmailKind.SHIPMENT).is_default


def test_channels_switch_the_order_received_email(qtbot, make_ctx, tmp_path: Path) -> None:
    supervisor = make_ctx("supervisor")
    ensure_channel(supervisor, "shop-a", "shopify")
    runner = TaskRunner()
    _RUNNERS.append(runner)
    ui = UiContext(
        supervisor, runner, load_settings(cli={}, environ={}, config_path=tmp_path / "x")
    )
    panel = EmailPanel(ui)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.channels.count() == 1 and runner.pending == 0, timeout=WAIT)
    item = panel.channels.item(0)
    assert (item.text(), item.checkState()) == ("shop-a", Qt.CheckState.Unchecked)
    item.setCheckState(Qt.CheckState.Checked)
    qtbot.waitUntil(lambda: "shop-a now get" in panel.message.text(), timeout=WAIT)
    (channel,) = list_channels(supervisor)
    assert channel.settings["send_order_received"] is True


def test_the_email_panel_fits_a_settings_page(qtbot, panel: EmailPanel, laptop_screen) -> None:
    assert_fits(panel, PAGE)
