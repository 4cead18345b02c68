"""The RMA slip e-mailed to the customer (PDF attached) through the SMTP outbox."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from wms_desk.db.models import Order
from wms_desk.domain.emails import Attachment, is_address
from wms_desk.domain.roles import Permission
from wms_desk.printing.rma_slip import rma_slip_pdf
from wms_desk.services.emails.settings import load as load_email_settings
from wms_desk.services.emails.triggers import queue_email
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.returns.common import find_rma
from wms_desk.services.returns.slip import slip_data
from wms_desk.services.uow import UnitOfWork, unit_of_work


@dataclass(frozen=True)
class EmailedSlip:
    rma: str
    order_number: str
    to: str
    key: str

    @property
    def message(self) -> str:
        return (
            f"RMA slip {self.rma} (order {self.order_number}) is queued to {self.to}; "
            "the Outbox shows when it is sent."
        )


@unit_of_work(Permission.CREATE_RMAS)
def email_rma_slip(uow: UnitOfWork, rma_ref: str, to: str = "") -> EmailedSlip:
    """Queue the slip to the order's e-mail address (or `to`). Each send is its own message
    (a customer may ask twice) and is audited."""
    session = uow.session
    rma = find_rma(session, rma_ref)
    order = session.get(Order, rma.order_id)
    assert order is not None
    address = (to or order.ship_email).strip()
    if not is_address(address):
        raise ValidationFailed(
            f"Order {order.number} has no customer e-mail address"
            + (f" ({address!r} is not one)" if address else "")
            + f"; type the address to send RMA slip {rma.number} to."
        )
    settings = load_email_settings(session)
    if not settings.configured:
        raise ValidationFailed(
            "E-mail is not set up: a supervisor enters the SMTP settings in Settings > E-mail."
        )
    shop = settings.shop_name or "us"
    name = order.ship_name or order.customer_name
    greeting = f"Hello {name}," if name else "Hello,"
    slip = rma_slip_pdf(slip_data(session, rma.number, settings.shop_name))
    key = f"rma-slip:{rma.number}:{uuid.uuid4().hex[:12]}"
    queue_email(
        uow,
        key,
        address,
        f"Your return {rma.number} for order {order.number}",
        f"{greeting}\n\nyour return {rma.number} for order {order.number} is authorised. "
        "Print the attached slip, put it in the parcel with the items and send it back to "
        f"{shop}. The barcode on the slip lets us find your return at once.\n\n"
        f"Thank you,\n{shop}\n",
        order.id,
        (Attachment(f"{rma.number}.pdf", "application/pdf", slip),),
        order.number,
    )
    uow.audit("rma.slip_emailed", "rma", rma.number, after={"to": address, "key": key})
    return EmailedSlip(rma.number, order.number, address, key)
