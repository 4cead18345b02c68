"""When customer e-mails are queued: with the label purchase, at intake, on a resend."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.db.models import CarrierAccount, Channel, Order, OrderLine, Shipment
from wms_desk.domain.emails import (
    Attachment,
    EmailKind,
    OutgoingEmail,
    ShipmentFacts,
    TrackedPackage,
    is_address,
    order_received_values,
    render,
)
from wms_desk.domain.roles import Permission
from wms_desk.services import outbox
from wms_desk.services.emails.settings import SmtpSettings
from wms_desk.services.emails.settings import load as load_settings
from wms_desk.services.emails.templates import load_template
from wms_desk.services.emails.tracking_links import link_for
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.outbox import OutboxKind
from wms_desk.services.uow import UnitOfWork, read_only, unit_of_work

# Channel.settings key: send our own order-received e-mail for this channel's orders (most shops
# let their platform send it, so it is off unless set).
ORDER_RECEIVED_SETTING = "send_order_received"


def shipment_key(shipment_id: int) -> str:
    return f"shipment-email:{shipment_id}"


def order_received_key(order_id: int) -> str:
    return f"order-received:{order_id}"


def _carrier_name(session: Session, code: str) -> str:
    account = session.scalar(select(CarrierAccount).where(CarrierAccount.code == code))
    return (account.name or account.code) if account is not None else code


def shipment_facts(
    session: Session, order: Order, shipments: Sequence[Shipment], shop_name: str
) -> ShipmentFacts:
    labels = sorted((lb for s in shipments for lb in s.labels), key=lambda lb: lb.seq)
    first = shipments[0]
    packages = tuple(
        # The carrier's own link first; else the account's pattern (labels made elsewhere).
        TrackedPackage(
            lb.seq,
            lb.count,
            lb.tracking,
            lb.tracking_url or link_for(session, first.carrier, lb.tracking),
        )
        for lb in labels
    )
    return ShipmentFacts(
        order.number,
        order.customer_name or order.ship_name,
        shop_name,
        _carrier_name(session, first.carrier),
        first.service_name or first.service,
        packages,
    )


def _shipment_email(
    session: Session, settings: SmtpSettings, order: Order, shipments: Sequence[Shipment]
) -> OutgoingEmail:
    facts = shipment_facts(session, order, shipments, settings.sender_name)
    rendered = render(
        EmailKind.SHIPMENT, load_template(session, EmailKind.SHIPMENT), facts.values()
    )
    return OutgoingEmail(
        order.ship_email.strip(), rendered.subject, rendered.body, EmailKind.SHIPMENT, order.number
    )


def enqueue_shipment_email(uow: UnitOfWork, order: Order, shipments: Sequence[Shipment]) -> bool:
    """In the label purchase's transaction: queue the e-mail if the site sends them and the
    order has an address. Keyed by the first shipment: a repeat of this purchase is one e-mail."""
    session = uow.session
    settings = load_settings(session)
    if not shipments or not settings.shipment_emails_on or not is_address(order.ship_email):
        return False
    session.flush()  # the shipments' ids name the key
    email = _shipment_email(session, settings, order, shipments)
    key = shipment_key(shipments[0].id)
    return outbox.enqueue(uow, OutboxKind.EMAIL, key, email.to_json(), order.id)


@unit_of_work(Permission.RESEND_EMAILS)
def resend_shipment_email(uow: UnitOfWork, order_id: int) -> str:
    """The service desk's resend: a new message (a new key) for the order's current labels."""
    session = uow.session
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"Order {order_id} does not exist.")
    shipments = list(
        session.scalars(
            select(Shipment)
            .where(Shipment.order_id == order.id, Shipment.status == "bought")
            .order_by(Shipment.id)
        )
    )
    if not shipments:
        raise ValidationFailed(
            f"Order {order.number} has no bought labels, so there is no shipment e-mail to send."
        )
    if not is_address(order.ship_email):
        raise ValidationFailed(
            f"Order {order.number} has no customer e-mail address"
            + (f" ({order.ship_email!r} is not one)" if order.ship_email else "")
            + "; add it to the order first."
        )
    settings = load_settings(session)
    if not settings.configured:
        raise ValidationFailed(
            "E-mail is not set up: a supervisor enters the SMTP settings in Settings > E-mail."
        )
    email = _shipment_email(session, settings, order, shipments)
    key = f"{shipment_key(shipments[0].id)}:resend:{uuid.uuid4().hex[:12]}"
    outbox.enqueue(uow, OutboxKind.EMAIL, key, email.to_json(), order.id)
    tracking = [lb.tracking for s in shipments for lb in s.labels]
    uow.audit(
        "email.resent", "order", order.id, after={"to": email.to, "key": key, "tracking": tracking}
    )
    return f"The shipment e-mail for order {order.number} is queued again, to {email.to}."


def channel_sends_order_received(session: Session, channel_id: int) -> bool:
    channel = session.get(Channel, channel_id)
    return bool(channel is not None and channel.settings.get(ORDER_RECEIVED_SETTING))


def enqueue_order_received(uow: UnitOfWork, order_ids: Sequence[int]) -> int:
    """At intake, in the import's transaction, for orders of a channel that wants it; returns
    how many were queued. The key is the order: importing the file again sends nothing more."""
    session = uow.session
    settings = load_settings(session)
    if not order_ids or not settings.configured:
        return 0
    template = load_template(session, EmailKind.ORDER_RECEIVED)
    queued = 0
    for order in session.scalars(select(Order).where(Order.id.in_(order_ids))):
        if not is_address(order.ship_email) or order.status in ("cancelled", "shipped"):
            continue
        items = [
            (line.qty, line.name or line.sku or "")
            for line in session.scalars(
                select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.line_no)
            )
        ]
        values = order_received_values(
            order.number, order.customer_name or order.ship_name, settings.sender_name, items
        )
        rendered = render(EmailKind.ORDER_RECEIVED, template, values)
        email = OutgoingEmail(
            order.ship_email.strip(),
            rendered.subject,
            rendered.body,
            EmailKind.ORDER_RECEIVED,
            order.number,
        )
        key = order_received_key(order.id)
        queued += outbox.enqueue(uow, OutboxKind.EMAIL, key, email.to_json(), order.id)
    return queued


@unit_of_work(Permission.CHANGE_SETTINGS)
def set_order_received(uow: UnitOfWork, channel_id: int, on: bool) -> str:
    """Switch the order-received e-mail on or off for one channel; audited."""
    channel = uow.session.get(Channel, channel_id)
    if channel is None:
        raise NotFound(f"Channel {channel_id} does not exist.")
    before = dict(channel.settings or {})
    channel.settings = {**before, ORDER_RECEIVED_SETTING: bool(on)}
    uow.audit("channel.settings_changed", "channel", channel.id, before, channel.settings)
    state = "now get" if on else "no longer get"
    return f"Orders from {channel.name} {state} an order-received e-mail."


@read_only
def order_id_for(session: Session, ref: str, channel: str | None = None) -> int:
    """The order a number (or a scanned ORD:/ORDID: code) names, for the CLI's resend."""
    from wms_desk.services.order_detail import resolve_order

    return resolve_order(session, ref, channel)


def queue_email(
    uow: UnitOfWork,
    key: str,
    to: str,
    subject: str,
    body: str,
    order_id: int | None = None,
    attachments: Sequence[Attachment] = (),
    order_number: str = "",
) -> bool:
    """For other features (an RMA slip, the end-of-day summary): queue an e-mail in the
    caller's transaction, in their own words. False if `key` was queued before."""
    if not is_address(to):
        raise ValidationFailed(f"{to!r} is not an e-mail address; enter one such as a@example.com.")
    if not subject.strip():
        raise ValidationFailed("An e-mail needs a subject.")
    email = OutgoingEmail(
        to.strip(), subject.strip(), body, EmailKind.NOTICE, order_number, tuple(attachments)
    )
    return outbox.enqueue(uow, OutboxKind.EMAIL, key, email.to_json(), order_id)
