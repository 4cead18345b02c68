"""What an RMA prints: its slip (printed once, then only as an audited reprint) and a return
label bought through the carrier interface, both queued through the print queue."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from wms_desk.carriers.base import (
    CarrierError,
    LabelFormat,
    Package,
    Purchase,
    RateQuote,
    ShipmentRequest,
)
from wms_desk.db.models import CarrierAccount, Order, OrderLine, PrintJob, Product, Rma, RmaLine
from wms_desk.domain.errors import DomainError
from wms_desk.domain.returns import Resolution, ReturnRefused, RmaStatus
from wms_desk.domain.roles import Permission
from wms_desk.printing.model import Address
from wms_desk.printing.rma_slip import rma_slip_pdf
from wms_desk.services import documents
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.print_queue import enqueue
from wms_desk.services.returns.common import find_rma
from wms_desk.services.returns.rma import CreatedRma, ReturnLineRequest, create_rma
from wms_desk.services.returns.slip import slip_data
from wms_desk.services.shipping.accounts import active_accounts, carrier_for, find_account
from wms_desk.services.station_bindings import PrinterBinding, bindings_of
from wms_desk.services.uow import UnitOfWork, unit_of_work

SLIP_DOCUMENT = "rma_slip"
RETURN_LABEL_DOCUMENT = "return_label"
LABELLED = (RmaStatus.OPEN.value, RmaStatus.RECEIVING.value)


@dataclass(frozen=True)
class PrintedSlip:
    rma: str
    print_job_id: str
    reprint: bool

    @property
    def message(self) -> str:
        again = "reprinted" if self.reprint else "sent to the printer"
        return f"RMA slip {self.rma} {again}."


@dataclass(frozen=True)
class ReturnLabel:
    rma: str
    order_number: str
    carrier: str
    service: str
    tracking: str
    price: Decimal
    currency: str
    print_job_id: str

    @property
    def message(self) -> str:
        return (
            f"Return label for {self.rma} (order {self.order_number}) bought: {self.carrier} "
            f"{self.service}, {self.price} {self.currency}, tracking {self.tracking}."
        )


def _printer(uow: UnitOfWork, kind: str, printer_url: str | None) -> PrinterBinding:
    if printer_url:
        return PrinterBinding.from_setting(printer_url, kind)
    return bindings_of(uow).printer(kind)


def _slip_title(number: str) -> str:
    return f"RMA slip {number}"


@unit_of_work(Permission.LOOK_UP_ORDERS)
def print_rma_slip(
    uow: UnitOfWork,
    rma_ref: str,
    company: str = "",
    reason: str = "",
    printer_url: str | None = None,
) -> PrintedSlip:
    """The slip on the document printer. A second print is a reprint: it needs a reason,
    and the reason is audited (a slip is never printed twice without one)."""
    session = uow.session
    rma = find_rma(session, rma_ref, lock=True)
    printed_before = session.scalar(
        select(func.count())
        .select_from(PrintJob)
        .where(PrintJob.document == SLIP_DOCUMENT, PrintJob.title == _slip_title(rma.number))
    )
    reprint = bool(printed_before)
    if reprint and not reason.strip():
        raise ValidationFailed(
            f"RMA slip {rma.number} was printed before. Say why it is printed again."
        )
    printer = _printer(uow, "document_printer", printer_url)
    job_id = enqueue(
        uow,
        document=SLIP_DOCUMENT,
        payload=rma_slip_pdf(slip_data(session, rma.number, company)),
        fmt="pdf",
        printer_url=printer.url,
        title=_slip_title(rma.number),
        order_id=rma.order_id,
        reason=reason.strip(),
    )
    action = "rma.slip_reprinted" if reprint else "rma.slip_printed"
    after = {"print_job": job_id, "printer": printer.url}
    if reprint:
        after["reason"] = reason.strip()
    uow.audit(action, "rma", rma.number, after=after)
    return PrintedSlip(rma.number, job_id, reprint)


def _return_weight(uow: UnitOfWork, rma: Rma) -> Decimal:
    weights = uow.session.execute(
        select(Product.unit_weight_g, RmaLine.qty)
        .join(OrderLine, OrderLine.product_id == Product.id)
        .join(RmaLine, RmaLine.order_line_id == OrderLine.id)
        .where(RmaLine.rma_id == rma.id)
    ).all()
    return sum((Decimal(w or 0) * qty for w, qty in weights), Decimal(0))


def _accounts(uow: UnitOfWork, carrier: str | None) -> list[CarrierAccount]:
    if carrier:
        return [find_account(uow.session, carrier)]
    accounts = active_accounts(uow.session)
    if not accounts:
        raise ValidationFailed(
            "No carrier can issue a return label: import a rate card first "
            "(`wms-desk carriers import-rates FILE --carrier NAME`)."
        )
    return accounts


def _cheapest(
    uow: UnitOfWork, request: ShipmentRequest, carrier: str | None
) -> tuple[CarrierAccount, RateQuote]:
    """The cheapest return service among the carriers asked (one, or every active one)."""
    offers: list[tuple[CarrierAccount, RateQuote]] = []
    problems: list[str] = []
    for account in _accounts(uow, carrier):
        try:
            quotes = carrier_for(uow.session, account).rate(request)
        except (CarrierError, DomainError, ValidationFailed) as exc:
            problems.append(f"{account.code}: {exc}")
            continue
        offers += [(account, quote) for quote in quotes]
    if not offers:
        raise ValidationFailed(
            f"No carrier offers a return label for {request.reference}. " + " ".join(problems)
        )
    return min(offers, key=lambda offer: offer[1].amount)


@unit_of_work(Permission.CREATE_RMAS)
def buy_return_label(
    uow: UnitOfWork,
    rma_ref: str,
    ship_from: Address,
    carrier: str | None = None,
    printer_url: str | None = None,
) -> ReturnLabel:
    """A label the customer sticks on the parcel: from their address back to `ship_from`.
    Its tracking number is stored on the RMA, so receiving finds the RMA by scanning it."""
    session = uow.session
    rma = find_rma(session, rma_ref, lock=True)
    if rma.status not in LABELLED:
        raise ReturnRefused(f"Return {rma.number} is {rma.status}; it needs no return label now.")
    if rma.return_tracking:
        raise ReturnRefused(
            f"Return {rma.number} already has return label {rma.return_tracking}. "
            "Reprint it from the print queue."
        )
    order = session.get(Order, rma.order_id)
    assert order is not None
    weight = _return_weight(uow, rma)
    if weight <= 0:
        raise ValidationFailed(
            f"The items of return {rma.number} weigh nothing in the catalogue, so no carrier "
            "can price the label. Set the products' weights, then buy it again."
        )
    printer = _printer(uow, "label_printer", printer_url)
    request = ShipmentRequest(
        ship_from=ship_from,
        ship_to=documents.ship_to(order),
        packages=(Package(weight, Decimal(0), Decimal(0), Decimal(0), reference=rma.number),),
        reference=rma.number,
        ship_date=uow.now.date(),
        currency=order.currency,
        residential=not order.ship_company,
        label_format=LabelFormat.ZPL if printer.format == "zpl" else LabelFormat.PDF,
        email=order.ship_email,
        return_shipment=True,
    )
    account, quote = _cheapest(uow, request, carrier)
    try:
        purchase: Purchase = carrier_for(session, account).buy(request, quote)
    except (CarrierError, DomainError) as exc:
        raise ValidationFailed(f"Return {rma.number}: no return label bought. {exc}") from exc
    label = purchase.labels[0]
    rma.return_tracking = label.tracking_number
    rma.updated_at = uow.now
    job_id = enqueue(
        uow,
        document=RETURN_LABEL_DOCUMENT,
        payload=label.data,
        fmt=label.format.value,
        printer_url=printer.url,
        title=f"Return label {rma.number} {label.tracking_number}",
        order_id=order.id,
    )
    uow.audit(
        "rma.return_label",
        "rma",
        rma.number,
        before={"tracking": None},
        after={
            "tracking": label.tracking_number,
            "carrier": account.code,
            "service": purchase.service,
            "price": str(purchase.amount),
            "print_job": job_id,
        },
    )
    return ReturnLabel(
        rma.number,
        order.number,
        account.code,
        purchase.service,
        label.tracking_number,
        purchase.amount,
        purchase.currency,
        job_id,
    )


@dataclass(frozen=True)
class CreatedWithLabel:
    created: CreatedRma
    label: ReturnLabel | None
    problem: str = ""

    @property
    def complete(self) -> bool:
        return not self.problem

    @property
    def message(self) -> str:
        c = self.created
        text = (
            f"Return {c.number} created for order {c.order_number}: {c.units} "
            f"unit{'s' if c.units != 1 else ''}, {c.resolution}."
        )
        if self.label is not None:
            return f"{text} Return label {self.label.tracking} sent to the label printer."
        if self.problem:
            return f"{text} No return label: {self.problem} Buy it from the return's detail."
        return text


def create_rma_with_label(
    ctx: ServiceContext,
    order_ref: str,
    lines: Sequence[ReturnLineRequest],
    resolution: Resolution,
    note: str = "",
    channel: str | None = None,
    ship_from: Address | None = None,
) -> CreatedWithLabel:
    """The service desk's Create RMA: the RMA, then (given `ship_from`) its return label.
    Two commits on purpose: a carrier refusing the label must not undo the authorised return,
    which keeps its own audit trail; the label can be bought again from the RMA's detail."""
    created = create_rma(ctx, order_ref, lines, resolution, note, channel)
    if ship_from is None:
        return CreatedWithLabel(created, None)
    try:
        label = buy_return_label(ctx, created.number, ship_from)
    except (DomainError, ValidationFailed, NotFound) as exc:
        return CreatedWithLabel(created, None, str(exc))
    return CreatedWithLabel(created, label)
