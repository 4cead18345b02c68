"""What polling needs: the open labels of EasyPost accounts, and an EasyPost lookup per account."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.carriers.easypost import DEFAULT_URL, EasyPostCarrier, EasyPostConfig
from wms_desk.carriers.secrets import ApiKeySource
from wms_desk.db.models import CarrierAccount, Order, Shipment, ShipmentLabel
from wms_desk.domain.tracking import TrackingEvent
from wms_desk.services.context import ServiceContext
from wms_desk.services.uow import read_only

DEFAULT_KEY_VARIABLE = "WMS_DESK_EASYPOST_API_KEY"
# A parcel that ended up here will not move any more: no point asking about it.
SETTLED = ("delivered", "returned_to_sender", "cancelled")


@read_only
def open_labels(session: Session) -> dict[str, list[tuple[str, str]]]:
    """Per EasyPost account code: (tracking, order number) of live, undelivered labels."""
    codes = session.scalars(
        select(CarrierAccount.code).where(CarrierAccount.kind == "easypost")
    ).all()
    found: dict[str, list[tuple[str, str]]] = {}
    if not codes:
        return found
    rows = session.execute(
        select(Shipment.carrier, ShipmentLabel.tracking, Order.number)
        .join(ShipmentLabel, ShipmentLabel.shipment_id == Shipment.id)
        .join(Order, Order.id == Shipment.order_id)
        .where(
            Shipment.carrier.in_(codes),
            Shipment.status == "bought",
            Shipment.delivered_at.is_(None),
            Shipment.tracking_status.not_in(SETTLED),
        )
        .order_by(Shipment.id, ShipmentLabel.seq)
    )
    for carrier, tracking, number in rows:
        found.setdefault(carrier, []).append((tracking, number))
    return found


@read_only
def _key_sources(session: Session) -> dict[str, str]:
    accounts = session.scalars(select(CarrierAccount).where(CarrierAccount.kind == "easypost"))
    return {a.code: a.key_source for a in accounts}


def key_source_of(text: str, code: str) -> ApiKeySource:
    """An account's key source is an environment variable name or a key file path."""
    text = text.strip()
    if not text:
        return ApiKeySource(DEFAULT_KEY_VARIABLE, label=f"EasyPost ({code})")
    if "/" in text or "\\" in text or text.endswith(".key"):
        return ApiKeySource(DEFAULT_KEY_VARIABLE, Path(text).expanduser(), f"EasyPost ({code})")
    return ApiKeySource(text, label=f"EasyPost ({code})")


def easypost_trackers(
    ctx: ServiceContext, base_url: str | None = None
) -> Callable[[str], Callable[[str], list[TrackingEvent]]]:
    sources = _key_sources(ctx)

    def for_account(code: str) -> Callable[[str], list[TrackingEvent]]:
        config = EasyPostConfig(key_source_of(sources.get(code, ""), code), base_url or DEFAULT_URL)
        return EasyPostCarrier(config).track

    return for_account
