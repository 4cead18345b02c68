"""EasyPost trackers and their webhook Events (shapes as EasyPost's public docs show them),
read into domain TrackingEvents."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TypedDict, cast

from wms_desk.domain.tracking import ExceptionKind, TrackingEvent, TrackingStatus

S = TrackingStatus
WEBHOOK_SOURCE = "easypost-webhook"
POLL_SOURCE = "easypost-poll"
TRACKER_EVENTS = ("tracker.created", "tracker.updated")

# Tracker and TrackingDetail `status` values, as EasyPost documents them.
STATUS_OF: dict[str, TrackingStatus] = {
    "unknown": S.UNKNOWN,
    "pre_transit": S.PRE_TRANSIT,
    "in_transit": S.IN_TRANSIT,
    "out_for_delivery": S.OUT_FOR_DELIVERY,
    "available_for_pickup": S.AVAILABLE_FOR_PICKUP,
    "delivered": S.DELIVERED,
    "return_to_sender": S.RETURNED_TO_SENDER,
    "failure": S.EXCEPTION,
    "cancelled": S.CANCELLED,
    "canceled": S.CANCELLED,
    # EasyPost could not get tracking from the carrier: nothing is known about the parcel.
    "error": S.UNKNOWN,
}
# `status_detail` words that say what went wrong, for exception statuses. A parcel reported
# damaged or lost while still "in transit" is an exception too.
KIND_OF_DETAIL: dict[str, ExceptionKind] = {
    "return": ExceptionKind.RETURNED_TO_SENDER,
    "return_to_sender": ExceptionKind.RETURNED_TO_SENDER,
    "damaged": ExceptionKind.DAMAGED,
    "address_correction": ExceptionKind.ADDRESS_PROBLEM,
    "address_not_found": ExceptionKind.ADDRESS_PROBLEM,
    "incorrect_address": ExceptionKind.ADDRESS_PROBLEM,
    "lost": ExceptionKind.OTHER,
    "refused": ExceptionKind.OTHER,
}
ALWAYS_EXCEPTION = frozenset({"damaged", "lost"})


class EpTrackingLocation(TypedDict, total=False):
    object: str
    city: str | None
    state: str | None
    country: str | None
    zip: str | None


class EpTrackingDetail(TypedDict, total=False):
    object: str
    message: str | None
    description: str | None
    status: str
    status_detail: str | None
    datetime: str
    source: str | None
    tracking_location: EpTrackingLocation | None


class EpTracker(TypedDict, total=False):
    id: str
    object: str
    mode: str
    tracking_code: str
    status: str
    status_detail: str | None
    carrier: str | None
    shipment_id: str | None
    tracking_details: list[EpTrackingDetail]
    updated_at: str


class EpEvent(TypedDict, total=False):
    id: str
    object: str  # "Event"
    description: str  # "tracker.updated"
    mode: str
    result: EpTracker
    created_at: str


class TrackingPayloadError(ValueError):
    """A tracking payload we cannot read; the message names what is wrong and where."""


def _where(location: EpTrackingLocation | None) -> str:
    if not isinstance(location, dict):
        return ""
    city, state = location.get("city") or "", location.get("state") or ""
    zip_code, country = location.get("zip") or "", location.get("country") or ""
    place = ", ".join(p for p in (city, " ".join(p for p in (state, zip_code) if p)) if p)
    return " ".join(p for p in (place, country) if p)


def _time(text: object, where: str) -> datetime:
    if not isinstance(text, str) or not text:
        raise TrackingPayloadError(f"{where} has no datetime")
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise TrackingPayloadError(f"{where}: {text!r} is not a date and time") from exc


def detail_event(tracking: str, detail: EpTrackingDetail, source: str, where: str) -> TrackingEvent:
    word = str(detail.get("status") or "unknown")
    status = STATUS_OF.get(word)
    if status is None:
        raise TrackingPayloadError(f"{where}: unknown status {word!r}")
    detail_word = str(detail.get("status_detail") or "")
    kind = KIND_OF_DETAIL.get(detail_word)
    if detail_word in ALWAYS_EXCEPTION and not status.is_exception:
        status = S.EXCEPTION
    message = str(detail.get("message") or detail.get("description") or "")
    return TrackingEvent(
        tracking=tracking,
        status=status,
        at=_time(detail.get("datetime"), where),
        where=_where(detail.get("tracking_location")),
        description=message,
        source=source,
        exception=kind if status.is_exception else None,
    )


def tracker_events(tracker: object, source: str, where: str = "tracker") -> list[TrackingEvent]:
    """Every scan in a Tracker's `tracking_details`, oldest first."""
    if not isinstance(tracker, dict) or tracker.get("object", "Tracker") != "Tracker":
        raise TrackingPayloadError(f"{where} is not an EasyPost Tracker")
    code = tracker.get("tracking_code")
    if not isinstance(code, str) or not code.strip():
        raise TrackingPayloadError(f"{where} has no tracking_code")
    details = tracker.get("tracking_details") or []
    if not isinstance(details, list):
        raise TrackingPayloadError(f"{where}: tracking_details is not a list")
    events = []
    for i, detail in enumerate(details, 1):
        if not isinstance(detail, dict):
            raise TrackingPayloadError(f"{where}: tracking_details #{i} is not an object")
        events.append(
            detail_event(
                code, cast(EpTrackingDetail, detail), source, f"{where} tracking_details #{i}"
            )
        )
    return events


def webhook_events(text: str, name: str = "webhook") -> list[TrackingEvent]:
    """A webhook body (one Event, or a list of them) as received: tracker events only."""
    try:
        body: object = json.loads(text)
    except ValueError as exc:
        raise TrackingPayloadError(f"{name} is not JSON ({exc})") from exc
    items = body if isinstance(body, list) else [body]
    events: list[TrackingEvent] = []
    for i, item in enumerate(items, 1):
        where = f"{name} event #{i}" if isinstance(body, list) else name
        if not isinstance(item, dict) or item.get("object") != "Event":
            raise TrackingPayloadError(f"{where} is not an EasyPost Event object")
        description = item.get("description")
        if description not in TRACKER_EVENTS:
            raise TrackingPayloadError(
                f"{where} is a {description!r} event; only {' and '.join(TRACKER_EVENTS)} "
                "carry tracking"
            )
        events.extend(tracker_events(item.get("result"), WEBHOOK_SOURCE, f"{where} result"))
    return events
