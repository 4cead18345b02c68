"""The service desk with the whole station installed: a customer-service user signs in with a
badge scan, lands on the desk, finds orders by scan and by typing, and works on them through
dialogs typed into with real key events (the wedge filter is on)."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QDialog, QLineEdit, QWidget
from sqlalchemy import select, update

from tests.services.shipdata import import_nordpost
from tests.services.test_rma_support import seed_catalogue, shipped_order
from tests.ui.fit import assert_fits
from wms_desk.app.gui import StationApp
from wms_desk.db.models import Order, OrderLine, Package, PackageItem, PrintJob, Product
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.returns.views import rma_detail
from wms_desk.services.stations import ensure_station
from wms_desk.services.users import add_user
from wms_desk.ui.feedback import Tone
from wms_desk.ui.screens.service_desk_screen import ServiceDeskScreen

HUMAN_MS = 70  # between keys: a person typing, not a scanner
WAIT = 10_000
LAPTOP = QSize(1366, 768)
TRACKING = "RR100000104SE"


def _type(qtbot, field: QWidget, text: str) -> None:
    """Keys into the field as a person types them; the wedge filter replays held keys."""
    field.setFocus()
    qtbot.keyClicks(field, text, delay=HUMAN_MS)
    if isinstance(field, QLineEdit):
        qtbot.waitUntil(lambda: text in field.text(), timeout=3_000)


def _enter(qtbot, field: QWidget) -> None:
    qtbot.keyClick(field, Qt.Key.Key_Return)


def _package(ctx: ServiceContext, order_id: int, tracking: str) -> None:
    with ctx.database.write_session() as session, session.begin():
        lines = session.scalars(select(OrderLine).where(OrderLine.order_id == order_id)).all()
        package = Package(order_id=order_id, seq=1, carton="BOX-S", weight_g=Decimal(1234))
        package.tracking_number = tracking
        session.add(package)
        session.flush()
        for line in lines:
            session.add(PackageItem(package_id=package.id, order_line_id=line.id, qty=line.qty))


@pytest.fixture
def admin(database: Database) -> ServiceContext:
    info = ensure_station(database, "desk-01")
    ctx = ServiceContext(database, system_actor(info.id, info.name))
    seed_catalogue(ctx)
    import_nordpost(ctx)
    add_user(ctx, "cs", "service", "service123", badge="SERV-0001", display_name="Cass Service")
    order_id = shipped_order(
        ctx,
        "6101",
        [("MUG", 2, "10.00", "0", "0"), ("TEE", 1, "20.00", "0", "0")],
        customer="Grace Hopper",
        ship_email="grace@example.com",
        ship_phone="+46 8 555 0101",
    )
    _package(ctx, order_id, TRACKING)
    shipped_order(ctx, "6102", [("MUG", 1, "10.00", "0", "0")], status="allocated")
    shipped_order(ctx, "6103", [("TEE", 1, "20.00", "0", "0")], status="packing")
    with database.write_session() as session, session.begin():
        # The customers live where the documented rate card delivers; the goods weigh something.
        session.execute(update(Order).values(ship_country="SE", ship_postal_code="164 40"))
        session.execute(update(Product).values(unit_weight_g=Decimal(400)))
    return ctx


@pytest.fixture
def station(admin: ServiceContext, start_station, tmp_path: Path) -> StationApp:
    for folder in ("labels", "docs"):
        (tmp_path / folder).mkdir()
    return start_station(
        "desk-01",
        label_printer=(tmp_path / "labels").as_uri(),
        document_printer=(tmp_path / "docs").as_uri(),
    )


def _sign_in(qtbot, station: StationApp, scanner) -> ServiceDeskScreen:
    with qtbot.waitSignal(station.window_shown, timeout=WAIT):
        scanner.scan("BADGE:SERV-0001")
    # Customer service lands on the desk: it is their screen.
    assert station.window.current_screen_key() == "desk"
    screen = station.window.workspace.current_screen()
    assert isinstance(screen, ServiceDeskScreen)
    return screen


def _open_dialog(qtbot, opener) -> QDialog:
    dialog = opener()
    assert isinstance(dialog, QDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=3_000)
    assert_fits(dialog, LAPTOP)
    return dialog


def _says(qtbot, label, text: str) -> None:
    qtbot.waitUntil(lambda: text in label.text(), timeout=WAIT)


def test_service_finds_an_order_by_scan_and_by_typing_and_sees_its_story(
    qtbot, station: StationApp, scanner, laptop_screen
) -> None:
    assert station.devices is not None and station.devices.wedge is not None
    screen = _sign_in(qtbot, station, scanner)
    view = screen.order_view

    # The slip's barcode, scanned while the desk is in front, fills the search and opens it.
    with qtbot.waitSignal(station.router.routed, timeout=WAIT) as routed:
        scanner.scan("ORD:6101")
    assert routed.args[1] == "screen:desk"
    assert screen.search.text() == "ORD:6101"
    _says(qtbot, view.title, "Order 6101")
    assert "Grace Hopper" in view.facts.text() and "grace@example.com" in view.facts.text()
    contents = [view.packages_model.data(view.packages_model.index(0, c)) for c in range(5)]
    assert contents == ["1", "BOX-S", "1234 g", "2 × MUG, 1 × TEE", TRACKING]

    # A package's tracking number finds its order too.
    screen.order_view.show_order(None)
    with qtbot.waitSignal(station.router.routed, timeout=WAIT):
        scanner.scan(TRACKING)
    _says(qtbot, view.title, "Order 6101")

    # Typed: part of the customer's name, then Enter.
    screen.search.clear()
    _type(qtbot, screen.search, "hopper")
    _enter(qtbot, screen.search)
    _says(qtbot, screen.status, "1 order match 'hopper'")
    screen.search.clear()
    _type(qtbot, screen.search, "nobody-like-this")
    _enter(qtbot, screen.search)
    _says(qtbot, screen.status, "No order matches 'nobody-like-this'")
    assert screen.hits_model.rowCount() == 0

    assert_fits(station.window, laptop_screen)


def test_notes_address_and_hold_before_packing_and_a_plain_refusal_after(
    qtbot, station: StationApp, scanner, admin: ServiceContext, laptop_screen
) -> None:
    screen = _sign_in(qtbot, station, scanner)
    view = screen.order_view
    _type(qtbot, screen.search, "6102")
    _enter(qtbot, screen.search)
    _says(qtbot, view.title, "Order 6102")

    note = _open_dialog(qtbot, view.add_note)
    _type(qtbot, note.text, "Called: leave at door")
    _enter(qtbot, note.text)
    _says(qtbot, view.message, "Note added to order 6102.")
    qtbot.waitUntil(lambda: view.notes_model.rowCount() == 1, timeout=WAIT)
    assert view.notes_model.rows[0].text == "Called: leave at door"
    assert view.notes_model.rows[0].by == "Cass Service"
    assert "order.note_added" in [e.action for e in view.timeline_model.rows]

    address = _open_dialog(qtbot, view.change_address)
    city = address.fields["city"]
    city.selectAll()
    _type(qtbot, city, "Uppsala")
    address.fields["street1"].clear()
    _enter(qtbot, city)  # OK without a street: the dialog stays and says what is missing
    qtbot.waitUntil(address.error.isVisible, timeout=3_000)
    assert address.error.text() == "Fill in the street."
    _type(qtbot, address.fields["street1"], "Kungsgatan 5")
    _enter(qtbot, address.fields["street1"])
    _says(qtbot, view.message, "Order 6102 now ships to the new address.")
    _says(qtbot, view.facts, "Uppsala")

    hold = _open_dialog(qtbot, view.hold)
    _type(qtbot, hold.text, "Customer moving")
    _enter(qtbot, hold.text)
    _says(qtbot, view.message, "Order 6102 is on hold: Customer moving")
    _says(qtbot, view.title, "On hold")
    qtbot.waitUntil(lambda: not view.hold_button.isEnabled(), timeout=WAIT)
    with admin.database.read_session() as session:
        held = session.scalar(select(Order).where(Order.number == "6102"))
        assert (held.status, held.ship_city, held.hold_reason) == (
            "on_hold",
            "Uppsala",
            "Customer moving",
        )

    # Packing has started on 6103: the service refuses and the screen says why, in red.
    screen.search.clear()
    _type(qtbot, screen.search, "6103")
    _enter(qtbot, screen.search)
    _says(qtbot, view.title, "Order 6103")
    assert "packing has started" in view.address_button.toolTip()
    late = _open_dialog(qtbot, view.change_address)
    _enter(qtbot, late.fields["city"])
    _says(qtbot, view.message, "Order 6103 is packing: packing has started")
    assert station.window.feedback_line.tone is Tone.ERROR


def test_an_rma_with_a_return_label_then_its_detail_prints_and_reprints_the_slip(
    qtbot, station: StationApp, scanner, admin: ServiceContext, laptop_screen
) -> None:
    screen = _sign_in(qtbot, station, scanner)
    view = screen.order_view
    _type(qtbot, screen.search, "grace@example.com")
    _enter(qtbot, screen.search)
    _says(qtbot, view.title, "Order 6101")
    qtbot.waitUntil(view.rma_button.isEnabled, timeout=WAIT)

    dialog = _open_dialog(qtbot, view.create_rma)
    _enter(qtbot, dialog.note)  # nothing chosen yet: the dialog says so
    qtbot.waitUntil(dialog.error.isVisible, timeout=3_000)
    assert dialog.error.text() == "Set how many of at least one item come back."
    (mug, mug_qty, mug_reason, mug_note) = dialog.rows[0]
    assert mug.sku == "MUG" and mug_qty.maximum() == 2
    mug_qty.setFocus()
    mug_qty.selectAll()
    qtbot.keyClicks(mug_qty, "1", delay=HUMAN_MS)
    qtbot.waitUntil(lambda: mug_qty.value() == 1, timeout=3_000)
    mug_reason.setCurrentIndex(mug_reason.findText("other"))
    _enter(qtbot, dialog.note)
    qtbot.waitUntil(lambda: "needs a note" in dialog.error.text(), timeout=3_000)
    _type(qtbot, mug_note, "chipped rim")
    dialog.label.setChecked(True)
    _type(qtbot, dialog.note, "goodwill")
    _enter(qtbot, dialog.note)
    _says(qtbot, view.message, "created for order 6101: 1 unit, refund.")
    _says(qtbot, view.message, "sent to the label printer")
    qtbot.waitUntil(lambda: view.returns_model.rowCount() == 1, timeout=WAIT)
    number = view.returns_model.rows[0].number
    # The order's timeline tells the return's story too.
    assert "rma.created" in [e.action for e in view.timeline_model.rows]
    detail = rma_detail(admin, number)
    assert detail.return_tracking.startswith("RR")
    assert [(ln.sku, ln.qty, ln.reason, ln.reason_note) for ln in detail.lines] == [
        ("MUG", 1, "other", "chipped rim")
    ]

    # The RMA detail from the order's returns: lines, then the slip printed and reprinted.
    qtbot.waitUntil(view.open_rma_button.isEnabled, timeout=WAIT)
    rma_dialog = view.open_rma()
    assert rma_dialog is not None
    rma_view = rma_dialog.view
    _says(qtbot, rma_view.title, f"Return {number} · order 6101 · open")
    assert_fits(rma_dialog, LAPTOP)
    assert f"Return label: {detail.return_tracking}" in rma_view.facts.text()
    assert rma_view.lines_model.rows[0].sku == "MUG"
    assert not rma_view.label_button.isEnabled()  # it has one already
    assert not rma_view.resolve_button.isEnabled()  # nothing received yet
    rma_view.print_button.click()
    _says(qtbot, rma_view.message, f"RMA slip {number} sent to the printer.")
    qtbot.waitUntil(lambda: rma_view.print_button.text() == "Reprint RMA slip…", timeout=WAIT)
    reason = _open_dialog(qtbot, rma_view.print_slip)
    _type(qtbot, reason.text, "lost in post")
    _enter(qtbot, reason.text)
    _says(qtbot, rma_view.message, f"RMA slip {number} reprinted.")
    with admin.database.read_session() as session:
        jobs = session.execute(
            select(PrintJob.document, PrintJob.reason).order_by(PrintJob.created_at)
        ).all()
    assert [tuple(j) for j in jobs] == [
        ("return_label", ""),
        ("rma_slip", ""),
        ("rma_slip", "lost in post"),
    ]
    # The screenshot in docs/screenshots comes from here (WMS_DESK_SCREENSHOT_DIR=docs/screenshots).
    folder = Path(os.environ.get("WMS_DESK_SCREENSHOT_DIR") or station.settings.data_dir)
    rma_dialog.resize(1000, 620)
    assert rma_dialog.grab().save(str(folder / "rma-detail.png"))
    rma_dialog.close()
    station.window.resize(LAPTOP)
    view.tabs.setCurrentIndex(0)
    assert station.window.grab().save(str(folder / "service-desk.png"))
