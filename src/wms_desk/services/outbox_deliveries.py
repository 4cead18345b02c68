"""Every outbox delivery, registered without importing it: each loads with its first message.

The station's outbox worker starts with the station, but the SMTP sender and the channels'
HTTP clients (httpx, their payloads, ~70 ms of imports) are needed only when a message of
their kind is due; importing them at start-up held up the sign-in page's station.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wms_desk.services.outbox import OutboxKind, register_delivery

if TYPE_CHECKING:
    from wms_desk.services.context import ServiceContext
    from wms_desk.services.outbox import Delivery


def _email(ctx: ServiceContext) -> Delivery:
    from wms_desk.services.emails.smtp import SmtpDelivery

    return SmtpDelivery.from_context(ctx)


def _channel_fulfilment(ctx: ServiceContext) -> Delivery:
    from wms_desk.services.channel_writeback import ChannelFulfilmentDelivery

    return ChannelFulfilmentDelivery(ctx)


def register_all() -> None:
    """Called by the composition roots (GUI, `wms-desk outbox send`)."""
    register_delivery(OutboxKind.EMAIL, _email)
    register_delivery(OutboxKind.CHANNEL_FULFILMENT, _channel_fulfilment)
