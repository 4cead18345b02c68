"""Tracking: carrier scan events, exception kinds, and a shipment's current status from them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum


class TrackingStatus(StrEnum):
    UNKNOWN = "unknown"
    PRE_TRANSIT = "pre_transit"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNED_TO_SENDER = "returned_to_sender"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()

    @property
    def is_exception(self) -> bool:
        """A supervisor must look at it: the parcel will not reach the customer as sent."""
        return self in EXCEPTIONS


class ExceptionKind(StrEnum):
    RETURNED_TO_SENDER = "returned_to_sender"
    DAMAGED = "damaged"
    ADDRESS_PROBLEM = "address_problem"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


S = TrackingStatus
EXCEPTIONS: frozenset[TrackingStatus] = frozenset({S.EXCEPTION, S.RETURNED_TO_SENDER})
# How far along a parcel is; for events at the same instant the further one wins, and a
# shipment of several parcels is as far as its least advanced one.
PROGRESS: dict[TrackingStatus, int] = {
    S.UNKNOWN: 0,
    S.CANCELLED: 0,
    S.PRE_TRANSIT: 1,
    S.IN_TRANSIT: 2,
    S.OUT_FOR_DELIVERY: 3,
    S.AVAILABLE_FOR_PICKUP: 3,
    S.DELIVERED: 4,
    S.EXCEPTION: 5,
    S.RETURNED_TO_SENDER: 6,
}


def as_utc(value: datetime) -> datetime:
    """Carrier times carry their own offset; one without is taken as UTC (EasyPost's rule)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def event_key(tracking: str, status: TrackingStatus, at: datetime, description: str) -> str:
    """The same carrier scan always gets the same key, whichever way it reached us (webhook,
    poll or CSV), so recording it twice is recognised as one event."""
    text = "|".join((tracking.strip().upper(), status.value, as_utc(at).isoformat(), description))
    return hashlib.sha256(text.encode()).hexdigest()[:40]


@dataclass(frozen=True)
class TrackingEvent:
    """One scan of one parcel as the carrier reported it. `at` is UTC."""

    tracking: str
    status: TrackingStatus
    at: datetime
    where: str = ""
    description: str = ""
    source: str = ""  # easypost-webhook, easypost-poll, csv:<carrier>
    exception: ExceptionKind | None = None
    key: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "tracking", self.tracking.strip())
        object.__setattr__(self, "at", as_utc(self.at))
        if self.status.is_exception and self.exception is None:
            kind = (
                ExceptionKind.RETURNED_TO_SENDER
                if self.status is S.RETURNED_TO_SENDER
                else exception_kind_of(self.description)
            )
            object.__setattr__(self, "exception", kind)
        if not self.key:
            key = event_key(self.tracking, self.status, self.at, self.description)
            object.__setattr__(self, "key", key)


# Words in a carrier's message that say what kind of exception it is.
_KIND_WORDS: tuple[tuple[ExceptionKind, tuple[str, ...]], ...] = (
    (ExceptionKind.RETURNED_TO_SENDER, ("return to sender", "returned to sender", "return")),
    (ExceptionKind.DAMAGED, ("damage",)),
    (ExceptionKind.ADDRESS_PROBLEM, ("address", "undeliverable as addressed", "no such")),
)


def exception_kind_of(text: str) -> ExceptionKind:
    lowered = text.lower()
    for kind, words in _KIND_WORDS:
        if any(word in lowered for word in words):
            return kind
    return ExceptionKind.OTHER


@dataclass(frozen=True)
class TrackingState:
    """Where one parcel (or a whole shipment) stands, from the events known so far."""

    status: TrackingStatus
    at: datetime | None = None
    delivered_at: datetime | None = None
    where: str = ""

    @property
    def delivered(self) -> bool:
        return self.status is S.DELIVERED


NO_EVENTS = TrackingState(S.UNKNOWN)


def current_state(events: Iterable[TrackingEvent]) -> TrackingState:
    """The latest event by time decides, with one exception: once delivered, a parcel stays
    delivered unless a later exception (returned to sender, damaged...) says otherwise. So a
    late-arriving older scan, or a stray "in transit" after delivery, never moves it back.
    Delivered at: the first delivery scan (a carrier may repeat it)."""
    # A total order: two scans of one instant with an equal rank (out for delivery and ready
    # for pickup, say) must not let the order they arrived in decide.
    ordered = sorted(events, key=lambda e: (e.at, PROGRESS[e.status], e.status.value, e.where))
    state = NO_EVENTS
    delivered_at: datetime | None = None
    for event in ordered:
        if state.delivered and not event.status.is_exception:
            continue
        if event.status is S.DELIVERED and not state.delivered:
            delivered_at = event.at
        state = TrackingState(event.status, event.at, None, event.where)
    if state.delivered:
        return TrackingState(state.status, state.at, delivered_at, state.where)
    return state


def shipment_state(parcels: Iterable[TrackingState]) -> TrackingState:
    """A shipment of several parcels: delivered when every parcel is (at the last delivery);
    any exception shows; otherwise it is as far as its least advanced parcel."""
    states = list(parcels)
    if not states:
        return NO_EVENTS
    exceptions = [s for s in states if s.status.is_exception]
    if exceptions:
        return max(exceptions, key=lambda s: s.at or datetime.min.replace(tzinfo=UTC))
    if all(s.delivered for s in states):
        last = max(states, key=lambda s: s.delivered_at or datetime.min.replace(tzinfo=UTC))
        return last
    return min(states, key=lambda s: PROGRESS[s.status])


def order_delivered_at(shipments: Iterable[TrackingState]) -> datetime | None:
    """An order is delivered when every live shipment is: the date of the last delivery."""
    states = list(shipments)
    if not states or not all(s.delivered and s.delivered_at for s in states):
        return None
    return max(s.delivered_at for s in states if s.delivered_at is not None)


def delivered_words(at: datetime) -> str:
    """'Delivered 3 Dec 2026' (the date as the carrier's UTC time says)."""
    return f"Delivered {at.day} {at.strftime('%b %Y')}"
