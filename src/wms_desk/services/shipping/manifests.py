"""End-of-day manifests (PDF and CSV, never edited), the day's board, and driver handover scans."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wms_desk.carriers.base import CarrierError, Label, LabelFormat, Manifest, Purchase
from wms_desk.carriers.easypost import EasyPostConfig
from wms_desk.db.models import CarrierAccount, Order, Shipment, ShipmentLabel, ShippingManifest
from wms_desk.domain import order_status
from wms_desk.domain.order_status import OrderStatus
from wms_desk.domain.roles import Permission
from wms_desk.domain.tracking import TrackingStatus, delivered_words
from wms_desk.printing.barcodes import draw_code128
from wms_desk.printing.pdf import fit_text, render_pages, rule
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.shipping.accounts import (
    carrier_for,
    easypost_adapter,
    easypost_config,
    find_account,
)
from wms_desk.services.shipping.labels import ships_on_manifest
from wms_desk.services.shipping.voids import label_by_tracking
from wms_desk.services.uow import UnitOfWork, read_only, unit_of_work

A4 = (595.0, 842.0)
ROWS = 38


@dataclass(frozen=True)
class ManifestRow:
    tracking: str
    order_number: str
    service: str
    package_seq: int
    package_count: int
    weight_g: Decimal


@dataclass(frozen=True)
class ManifestInfo:
    carrier: str
    carrier_name: str
    reference: str
    ship_date: date
    package_count: int
    total_weight_g: Decimal
    rows: tuple[ManifestRow, ...]
    pdf: bytes
    csv: str
    carrier_document: bytes = b""  # the carrier's own form (EasyPost's SCAN form), if any
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Page:
    info: ManifestInfo
    rows: tuple[ManifestRow, ...]
    first: int
    page: int
    pages: int


def _draw(c: Any, page: _Page) -> None:
    w, h = A4
    m = 36.0
    info = page.info
    fit_text(
        c, f"{info.carrier_name} - end-of-day manifest", m, h - m - 14, w - 2 * m, 16, bold=True
    )
    fit_text(c, f"Ship date {info.ship_date.isoformat()}", m, h - m - 32, 250, 10)
    fit_text(c, f"{info.package_count} packages", m, h - m - 46, 250, 10, bold=True)
    fit_text(
        c, f"Total weight {info.total_weight_g / 1000:.3f} kg", m, h - m - 60, 250, 10, bold=True
    )
    fit_text(c, f"page {page.page} of {page.pages}", m, h - m - 32, w - 2 * m, 9, align="right")
    draw_code128(c, info.reference, w - m - 240, h - m - 100, 40, 1.0, 240)
    fit_text(c, info.reference, w - m - 240, h - m - 112, 240, 9, align="center")
    y = h - m - 135
    rule(c, m, y, w - m, 1.0)
    for i, row in enumerate(page.rows, page.first):
        y -= 16
        fit_text(c, str(i), m, y, 24, 9, align="right")
        fit_text(c, row.tracking, m + 32, y, 170, 10, bold=True)
        fit_text(c, row.order_number, m + 210, y, 100, 9)
        fit_text(c, row.service, m + 315, y, 80, 9)
        fit_text(c, f"{row.package_seq} of {row.package_count}", m + 400, y, 50, 9)
        fit_text(c, f"{row.weight_g / 1000:.3f} kg", m + 455, y, 60, 9, align="right")
    if page.page == page.pages:
        rule(c, m, 70, m + 220, 0.8)
        fit_text(c, "Driver signature / date", m, 58, 220, 8)


def manifest_pdf(info: ManifestInfo) -> bytes:
    rows = list(info.rows)
    chunks = [rows[i : i + ROWS] for i in range(0, len(rows), ROWS)] or [[]]
    pages = [
        _Page(info, tuple(chunk), n * ROWS + 1, n + 1, len(chunks))
        for n, chunk in enumerate(chunks)
    ]
    return render_pages(A4, f"Manifest {info.reference}", pages, _draw)


def manifest_csv(info: ManifestInfo) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = ("manifest", "carrier", "ship_date", "tracking", "order", "service", "package",
              "packages", "weight_g")  # fmt: skip
    writer.writerow(header)
    day = info.ship_date.isoformat()
    for r in info.rows:
        writer.writerow((info.reference, info.carrier, day, r.tracking, r.order_number,
                         r.service, r.package_seq, r.package_count, r.weight_g))  # fmt: skip
    return out.getvalue()


@dataclass(frozen=True)
class _FormPlan:
    """An online carrier's form to ask for, as values: no session crosses the network call."""

    carrier: str
    day: date
    config: EasyPostConfig
    purchases: tuple[Purchase, ...]
    shipment_ids: tuple[int, ...]


def _purchases(shipments: list[Shipment]) -> list[Purchase]:
    return [
        Purchase(s.carrier, s.service,
                 tuple(Label(lb.tracking, LabelFormat(lb.format), b"", lb.seq, s.master_tracking)
                       for lb in s.labels), s.price, s.currency, s.shipment_ref)
        for s in shipments
    ]  # fmt: skip


def _open_shipments(uow: UnitOfWork, account: CarrierAccount, day: date) -> list[Shipment]:
    query = (
        select(Shipment)
        .where(
            Shipment.carrier == account.code,
            Shipment.ship_date == day,
            Shipment.status == "bought",
            Shipment.manifest_id.is_(None),
        )
        .order_by(Shipment.id)
    )
    if uow.session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update()
    shipments = list(uow.session.scalars(query))
    if not shipments:
        raise ValidationFailed(
            f"There are no {account.name} labels for {day.isoformat()} left to manifest: every "
            "label bought that day is void or on an earlier manifest."
        )
    return shipments


@unit_of_work(Permission.PICK_AND_PACK)
def _close_here(uow: UnitOfWork, carrier: str, ship_date: date | None) -> ManifestInfo | _FormPlan:
    """Offline carriers' forms are made inside the transaction; an online one gets a plan."""
    session = uow.session
    account = find_account(session, carrier)
    day = ship_date or uow.now.date()
    shipments = _open_shipments(uow, account, day)
    purchases = _purchases(shipments)
    if account.kind == "easypost":
        return _FormPlan(account.code, day, easypost_config(account), tuple(purchases),
                         tuple(s.id for s in shipments))  # fmt: skip
    try:
        form = carrier_for(session, account).manifest(purchases, day)
    except CarrierError as exc:
        raise ValidationFailed(str(exc)) from exc
    return _record(uow, account, day, shipments, form)


@unit_of_work(Permission.PICK_AND_PACK)
def _store_form(uow: UnitOfWork, plan: _FormPlan, form: Manifest) -> ManifestInfo:
    """The carrier made the form: the shipments on it point at it from now on. One voided or
    taken by another form meanwhile (a race of seconds) is left off ours, and said."""
    session = uow.session
    account = find_account(session, plan.carrier)
    query = select(Shipment).where(Shipment.id.in_(plan.shipment_ids)).order_by(Shipment.id)
    if session.get_bind().dialect.name != "sqlite":
        query = query.with_for_update()
    found = list(session.scalars(query.execution_options(populate_existing=True)))
    keep = [s for s in found if s.status == "bought" and s.manifest_id is None]
    gone = [s.master_tracking for s in found if s not in keep]
    notes = (
        (f"{account.name} form {form.manifest_ref} lists {', '.join(gone)}, voided or "
         "manifested here meanwhile: keep those packages back.",) if gone else ()
    )  # fmt: skip
    if not keep:
        raise ValidationFailed(" ".join(notes))
    return _record(uow, account, plan.day, keep, form, notes)


def close_manifest(
    ctx: ServiceContext, carrier: str, ship_date: date | None = None
) -> ManifestInfo:
    """Every bought, not voided, not yet manifested label of `carrier` for the date, on one new
    form; the shipments point at it from now on, so no label is ever on two. An online carrier
    is asked between two short transactions."""
    found = _close_here(ctx, carrier, ship_date)
    if isinstance(found, ManifestInfo):
        return found
    try:
        form = easypost_adapter(found.config).manifest(list(found.purchases), found.day)
    except CarrierError as exc:
        raise ValidationFailed(str(exc)) from exc
    return _store_form(ctx, found, form)


def _record(
    uow: UnitOfWork,
    account: CarrierAccount,
    day: date,
    shipments: list[Shipment],
    form: Manifest,
    notes: tuple[str, ...] = (),
) -> ManifestInfo:
    session = uow.session
    numbers = {s.order_id: "" for s in shipments}
    for order_id, number in session.execute(
        select(Order.id, Order.number).where(Order.id.in_(numbers))
    ):
        numbers[order_id] = number
    rows = tuple(
        ManifestRow(lb.tracking, numbers[s.order_id], s.service, lb.seq, lb.count, lb.weight_g)
        for s in shipments
        for lb in s.labels
    )
    total = sum((r.weight_g for r in rows), Decimal(0))
    info = ManifestInfo(
        account.code, account.name, form.manifest_ref, day, len(rows), total, rows, b"", "",
        form.document, notes,
    )  # fmt: skip
    info = ManifestInfo(**{**info.__dict__, "pdf": manifest_pdf(info), "csv": manifest_csv(info)})
    manifest = ShippingManifest(
        carrier=account.code,
        ship_date=day,
        reference=form.manifest_ref,
        package_count=len(rows),
        total_weight_g=total,
        document=info.pdf,
        csv=info.csv,
        carrier_document=form.document or None,
        created_by_id=uow.actor.user_id,
        created_at=uow.now,
    )
    session.add(manifest)
    session.flush()
    on_manifest = ships_on_manifest(session)
    for s in shipments:
        s.manifest_id = manifest.id
        order = session.get(Order, s.order_id)
        if on_manifest and order is not None and order.status == OrderStatus.PACKED.value:
            order_status.check_transition(order.status, OrderStatus.SHIPPED)
            order.status = OrderStatus.SHIPPED.value
            order.shipped_at = uow.now
    uow.audit(
        "ship.manifest",
        "manifest",
        form.manifest_ref,
        None,
        {"carrier": account.code, "date": day.isoformat(), "packages": len(rows),
         "weight_g": str(total)},
    )  # fmt: skip
    return info


@dataclass(frozen=True)
class BoardRow:
    tracking: str
    order_number: str
    carrier: str
    service: str
    status: str  # bought | voided | manifested | handed over
    package: str
    price: Decimal
    currency: str
    manifest: str
    # The carrier's tracking of the shipment (domain TrackingStatus value; "" before any scan).
    tracking_status: str = ""
    delivered_at: datetime | None = None

    @property
    def tracking_words(self) -> str:
        """What the Ship screen says: "Delivered 3 Dec 2026", "In transit", "" when untracked."""
        if self.delivered_at is not None:
            return delivered_words(self.delivered_at.astimezone())
        return TrackingStatus(self.tracking_status).label if self.tracking_status else ""


@dataclass(frozen=True)
class ShipBoard:
    day: date
    rows: tuple[BoardRow, ...]
    not_handed_over: int

    def count(self, carrier: str, status: str) -> int:
        return sum(1 for r in self.rows if r.carrier == carrier and r.status == status)


def _board(session: Session, day: date) -> ShipBoard:
    query = (
        select(ShipmentLabel, Shipment, Order.number, ShippingManifest.reference)
        .join(Shipment, ShipmentLabel.shipment_id == Shipment.id)
        .join(Order, Order.id == Shipment.order_id)
        .outerjoin(ShippingManifest, ShippingManifest.id == Shipment.manifest_id)
        .where(Shipment.ship_date == day)
        .order_by(Shipment.carrier, Shipment.id, ShipmentLabel.seq)
    )
    rows = []
    waiting = 0
    for label, shipment, number, ref in session.execute(query):
        if shipment.status == "voided":
            status = "voided"
        elif label.handed_over_at is not None:
            status = "handed over"
        else:
            waiting += 1
            status = "manifested" if ref else "bought"
        rows.append(
            BoardRow(label.tracking, number, shipment.carrier, shipment.service, status,
                     f"{label.seq} of {label.count}", shipment.price, shipment.currency, ref or "",
                     shipment.tracking_status, shipment.delivered_at)
        )  # fmt: skip
    return ShipBoard(day, tuple(rows), waiting)


@read_only
def ship_board(session: Session, day: date) -> ShipBoard:
    """The Ship screen: the day's labels by carrier and status, and how many wait for the driver."""
    return _board(session, day)


@dataclass(frozen=True)
class Handover:
    tracking: str
    order_number: str
    already: bool
    not_handed_over: int

    @property
    def message(self) -> str:
        if self.already:
            return f"{self.tracking} (order {self.order_number}) was handed over already."
        return f"{self.tracking} (order {self.order_number}) handed to the driver."


@unit_of_work(Permission.PICK_AND_PACK)
def hand_over(uow: UnitOfWork, tracking: str) -> Handover:
    """A tracking-number scan at the dock: that package is with the driver now."""
    session = uow.session
    label = label_by_tracking(session, tracking)
    shipment = label.shipment
    number = session.scalar(select(Order.number).where(Order.id == shipment.order_id)) or ""
    if shipment.status == "voided":
        raise ValidationFailed(
            f"Label {label.tracking} of order {number} is void: keep the package back and "
            "put the new label on it."
        )
    already = label.handed_over_at is not None
    if not already:
        label.handed_over_at = uow.now
        label.handed_over_by_id = uow.actor.user_id
        uow.audit("ship.handover", "order", shipment.order_id, None, {"tracking": label.tracking})
    session.flush()
    waiting = session.scalar(
        select(func.count(ShipmentLabel.id))
        .join(Shipment, ShipmentLabel.shipment_id == Shipment.id)
        .where(
            Shipment.ship_date == shipment.ship_date,
            Shipment.status == "bought",
            ShipmentLabel.handed_over_at.is_(None),
        )
    )
    return Handover(label.tracking, number, already, int(waiting or 0))
