"""The channel learns it shipped: a fulfilment message per shipment through the outbox.

`enqueue_fulfilment` runs in the transaction that buys the labels (key `fulfilment:<shipment>`,
so a shipment is queued once); the outbox worker later calls `ChannelFulfilmentDelivery`, which
asks the shop (or the export file) and is idempotent on the far side: it looks before it writes.
A voided label queues `fulfilment-cancel:<shipment>`: a Shopify fulfilment is cancelled, a
WooCommerce shipment entry marked void.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.carriers.base import CarrierError
from wms_desk.channels.shopify_api import ShopifyWriteback
from wms_desk.channels.woocommerce_api import WooWriteback
from wms_desk.channels.writeback import (
    FulfilmentRequest,
    LineQty,
    WritebackError,
    WritebackRejected,
    WritebackUnavailable,
)
from wms_desk.db.models import CarrierAccount, Channel, Order, OrderLine, PackageItem, Shipment
from wms_desk.db.models import OutboxMessage as OutboxRow
from wms_desk.services.alerts import raise_alert
from wms_desk.services.channel_targets import (
    TargetKind,
    WritebackTargetInfo,
    open_target,
    target_of,
)
from wms_desk.services.context import ServiceContext
from wms_desk.services.outbox import (
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    PermanentFailure,
    TemporaryFailure,
    enqueue,
    register_delivery,
)
from wms_desk.services.uow import UnitOfWork, read_only, run_unit_of_work
from wms_desk.services.uow_reads import channel as order_channel

log = logging.getLogger(__name__)
ALERT_KIND = "channel.writeback"  # a supervisor alert's kind when a shop refuses an update


class Action(StrEnum):
    FULFIL = "fulfil"
    CANCEL = "cancel"


@dataclass(frozen=True)
class FulfilmentPayload:
    """What the message carries: the shipment as it was bought. The channel's address and
    secret are read when it is sent, so a corrected URL works on Retry."""

    action: Action
    channel: str
    order_id: int
    order_number: str
    order_external_id: str
    shipment_id: int
    carrier: str
    service: str
    tracking_numbers: tuple[str, ...]
    shipped_at: str  # ISO 8601, UTC
    lines: tuple[tuple[str, int], ...] = ()  # (channel line id, quantity)
    tracking_url: str = ""  # the carrier's page for the first number, when the card has one

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> FulfilmentPayload:
        raw = json.loads(text)
        return cls(
            Action(raw["action"]),
            raw["channel"],
            int(raw["order_id"]),
            raw["order_number"],
            raw["order_external_id"],
            int(raw["shipment_id"]),
            raw["carrier"],
            raw["service"],
            tuple(raw["tracking_numbers"]),
            raw["shipped_at"],
            tuple((str(line), int(qty)) for line, qty in raw.get("lines") or ()),
            str(raw.get("tracking_url") or ""),
        )

    def request(self) -> FulfilmentRequest:
        return FulfilmentRequest(
            order_external_id=self.order_external_id,
            order_number=self.order_number,
            shipment_id=self.shipment_id,
            carrier=self.carrier,
            service=self.service,
            tracking_numbers=self.tracking_numbers,
            shipped_at=datetime.fromisoformat(self.shipped_at),
            tracking_url=self.tracking_url,
            lines=tuple(LineQty(line, qty) for line, qty in self.lines),
        )


def _payload(
    session: Session, order: Order, shipment: Shipment, action: Action
) -> FulfilmentPayload:
    channel = session.get(Channel, order.channel_id)
    account = session.scalar(select(CarrierAccount).where(CarrierAccount.code == shipment.carrier))
    packages = [label.package_id for label in shipment.labels if label.package_id is not None]
    lines: dict[str, int] = {}
    if packages:
        rows = session.execute(
            select(OrderLine.external_line_id, PackageItem.qty)
            .join(OrderLine, OrderLine.id == PackageItem.order_line_id)
            .where(PackageItem.package_id.in_(packages))
        )
        for line_id, qty in rows:
            if line_id:
                lines[line_id] = lines.get(line_id, 0) + int(qty)
    bought = (
        shipment.bought_at if shipment.bought_at.tzinfo else shipment.bought_at.replace(tzinfo=UTC)
    )
    return FulfilmentPayload(
        action,
        channel.name if channel else "",
        order.id,
        order.number,
        order.external_id,
        shipment.id,
        (account.name or account.code) if account else shipment.carrier,
        shipment.service_name or shipment.service,
        tuple(label.tracking for label in shipment.labels) or (shipment.master_tracking,),
        bought.isoformat(),
        tuple(sorted(lines.items())),
        next((label.tracking_url for label in shipment.labels if label.tracking_url), ""),
    )


def enqueue_fulfilment(uow: UnitOfWork, order: Order, shipment: Shipment) -> bool:
    """In the labels' transaction: queue the write-back when the order's channel has a target.
    False when it has none (manual orders, channels nobody pointed anywhere) or it was queued."""
    channel = order_channel(uow.session, order.channel_id)  # rules_of read it already
    if channel is None or target_of(channel) is None:
        return False
    uow.session.flush()  # the shipment's id is the message key
    payload = _payload(uow.session, order, shipment, Action.FULFIL)
    return enqueue(
        uow, OutboxKind.CHANNEL_FULFILMENT, f"fulfilment:{shipment.id}", payload.to_json(), order.id
    )


def enqueue_cancel(uow: UnitOfWork, order: Order, shipment: Shipment) -> bool:
    """In the void's transaction: a Shopify fulfilment is cancelled, a WooCommerce shipment
    entry is marked void (the order stays completed); an export row stays written."""
    channel = uow.session.get(Channel, order.channel_id)
    target = target_of(channel) if channel is not None else None
    if target is None or target.kind is TargetKind.EXPORT:
        return False
    payload = _payload(uow.session, order, shipment, Action.CANCEL)
    return enqueue(
        uow,
        OutboxKind.CHANNEL_FULFILMENT,
        f"fulfilment-cancel:{shipment.id}",
        payload.to_json(),
        order.id,
    )


@dataclass(frozen=True)
class _Now:
    target: WritebackTargetInfo | None
    voided: bool
    fulfilment_in_flight: bool  # the shipment's fulfil message is being sent right now


@read_only
def _state(session: Session, channel: str, shipment_id: int) -> _Now:
    row = session.scalar(select(Channel).where(Channel.name == channel))
    shipment = session.get(Shipment, shipment_id)
    fulfil_status = session.scalar(
        select(OutboxRow.status).where(OutboxRow.key == f"fulfilment:{shipment_id}")
    )
    return _Now(
        target_of(row) if row is not None else None,
        shipment is None or shipment.status == "voided",
        fulfil_status == OutboxStatus.SENDING.value,
    )


class ChannelFulfilmentDelivery:
    """The outbox's Delivery for OutboxKind.CHANNEL_FULFILMENT."""

    def __init__(self, ctx: ServiceContext, timeout_s: float = 10.0) -> None:
        self.ctx = ctx
        self.timeout_s = timeout_s

    def deliver(self, message: OutboxMessage) -> str:
        payload = FulfilmentPayload.from_json(message.payload)
        now = _state(self.ctx, payload.channel, payload.shipment_id)
        if now.target is None:
            raise PermanentFailure(
                f"Order {payload.order_number}: channel {payload.channel} has no write-back "
                f"target any more. Set one with `wms-desk channels writeback {payload.channel} "
                "...` and retry, or cancel this message."
            )
        if payload.action is Action.FULFIL and now.voided:
            # Voided before the shop heard of it: there is nothing true to tell it.
            return "not sent: the label was voided first"
        if payload.action is Action.CANCEL and now.fulfilment_in_flight:
            # Another worker may be creating it this second: cancel after it, not before.
            raise TemporaryFailure(
                f"Order {payload.order_number} ({payload.channel}): its fulfilment is being "
                "sent right now; it is cancelled after that."
            )
        target = open_target(now.target, self.timeout_s)
        try:
            if payload.action is Action.CANCEL:
                return self._cancel(target, payload)
            result = target.fulfil(payload.request())
            return result.reference
        except WritebackUnavailable as exc:
            raise TemporaryFailure(_named(payload, exc)) from exc
        except (WritebackRejected, CarrierError) as exc:  # CarrierError: the token's file
            said = _named(payload, exc)
            self._alert(message, payload, said)
            raise PermanentFailure(said) from exc
        except WritebackError as exc:  # an answer we cannot read: try again later
            raise TemporaryFailure(_named(payload, exc)) from exc
        finally:
            close = getattr(target, "close", None)
            if close is not None:
                close()

    def _alert(self, message: OutboxMessage, payload: FulfilmentPayload, said: str) -> None:
        """A refusal is a supervisor alert too (the alert banner and `alerts list`), once per
        attempt: a person's Retry that is refused again raises a new one."""
        key = f"outbox:{message.id}:{message.claim or message.attempts}"[:100]

        def work(uow: UnitOfWork) -> None:
            shipment = uow.session.get(Shipment, payload.shipment_id)
            raise_alert(
                uow, ALERT_KIND, said[:500], key, payload.order_id,
                shipment.id if shipment is not None else None,
            )  # fmt: skip

        try:
            run_unit_of_work(self.ctx, work)
        except Exception:  # the refusal itself must still be recorded (DEAD, with its words)
            log.exception("could not raise the alert for outbox message %s", message.id)

    @staticmethod
    def _cancel(target: object, payload: FulfilmentPayload) -> str:
        request = payload.request()
        if isinstance(target, WooWriteback):
            return target.void(request)
        if not isinstance(target, ShopifyWriteback):
            raise WritebackRejected(
                f"Channel {payload.channel} now writes to an export file, which has no undo: "
                "the voided label stays in the shop. Correct it there."
            )
        found = target.existing(payload.order_external_id, request.tracking)
        if found is None:
            return "nothing to cancel: no live fulfilment carries " + request.tracking
        status = target.cancel(payload.order_external_id, str(found["id"]))
        return f"{found['id']} {status}"


def _named(payload: FulfilmentPayload, exc: Exception) -> str:
    """What the supervisor reads names the order and the channel."""
    text = str(exc)
    head = f"Order {payload.order_number}"
    where = f" ({payload.channel})"
    return (text if text.startswith(head) else f"{head}: {text}").replace(head, head + where, 1)


def register() -> None:
    """Called by the composition roots (GUI, `wms-desk outbox send`): the outbox knows how to
    send these."""
    register_delivery(OutboxKind.CHANNEL_FULFILMENT, ChannelFulfilmentDelivery)
