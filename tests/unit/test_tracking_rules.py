"""Tracking rules: latest event decides, delivered never regresses, keys identify a scan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from wms_desk.domain.tracking import (
    ExceptionKind,
    TrackingEvent,
    TrackingState,
    TrackingStatus,
    current_state,
    delivered_words,
    order_delivered_at,
    shipment_state,
)

S = TrackingStatus
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def ev(status: TrackingStatus, hours: float, text: str = "") -> TrackingEvent:
    return TrackingEvent("RR1SE", status, T0 + timedelta(hours=hours), description=text)


def test_latest_event_by_time_decides_whatever_the_order_received() -> None:
    events = [ev(S.OUT_FOR_DELIVERY, 20), ev(S.PRE_TRANSIT, 0), ev(S.IN_TRANSIT, 5)]
    state = current_state(events)
    assert state.status is S.OUT_FOR_DELIVERY and state.at == T0 + timedelta(hours=20)
    assert state.delivered_at is None


def test_a_late_older_event_or_a_stray_scan_never_moves_delivered_back() -> None:
    delivered = ev(S.DELIVERED, 30)
    assert current_state([delivered, ev(S.IN_TRANSIT, 10)]).status is S.DELIVERED
    stray = current_state([delivered, ev(S.IN_TRANSIT, 40)])
    assert stray.status is S.DELIVERED and stray.delivered_at == delivered.at
    # A repeated delivery scan keeps the first delivery time.
    again = current_state([delivered, ev(S.DELIVERED, 50, "Delivered, again")])
    assert again.delivered_at == delivered.at


def test_an_exception_after_delivery_shows_and_says_what_kind() -> None:
    state = current_state([ev(S.DELIVERED, 30), ev(S.RETURNED_TO_SENDER, 60)])
    assert state.status is S.RETURNED_TO_SENDER and state.delivered_at is None
    assert ev(S.EXCEPTION, 1, "Package damaged in transit").exception is ExceptionKind.DAMAGED
    assert ev(S.EXCEPTION, 1, "Insufficient address").exception is ExceptionKind.ADDRESS_PROBLEM
    assert ev(S.EXCEPTION, 1, "Held").exception is ExceptionKind.OTHER
    assert ev(S.RETURNED_TO_SENDER, 1).exception is ExceptionKind.RETURNED_TO_SENDER
    assert ev(S.IN_TRANSIT, 1, "damaged box").exception is None


def test_the_same_scan_has_the_same_key_from_any_source_and_offset() -> None:
    local = timezone(timedelta(hours=-8))
    a = TrackingEvent("rr1se ", S.DELIVERED, datetime(2026, 12, 3, 6, 5, tzinfo=local),
                      "Oakland", "Delivered", source="easypost-webhook")  # fmt: skip
    b = TrackingEvent("RR1SE", S.DELIVERED, datetime(2026, 12, 3, 14, 5, tzinfo=UTC),
                      "", "Delivered", source="csv:nordpost")  # fmt: skip
    assert a.key == b.key and a.at == b.at and a.at.tzinfo is UTC
    assert ev(S.DELIVERED, 1).key != ev(S.DELIVERED, 2).key
    # A time without an offset is UTC.
    naive = TrackingEvent("X", S.IN_TRANSIT, datetime(2026, 12, 3, 14, 5))
    assert naive.at == datetime(2026, 12, 3, 14, 5, tzinfo=UTC)


def test_a_shipment_is_delivered_when_every_parcel_is_and_an_order_when_every_shipment_is() -> None:
    one = current_state([ev(S.DELIVERED, 10)])
    two = current_state([ev(S.IN_TRANSIT, 5)])
    assert shipment_state([one, two]).status is S.IN_TRANSIT
    both = shipment_state([one, current_state([ev(S.DELIVERED, 12)])])
    assert both.delivered and both.delivered_at == T0 + timedelta(hours=12)
    lost = shipment_state([one, current_state([ev(S.EXCEPTION, 11, "lost")])])
    assert lost.status is S.EXCEPTION
    assert shipment_state([]).status is S.UNKNOWN
    assert order_delivered_at([both]) == T0 + timedelta(hours=12)
    assert order_delivered_at([both, TrackingState(S.IN_TRANSIT)]) is None
    assert order_delivered_at([]) is None
    assert delivered_words(datetime(2026, 12, 3, 14, 5, tzinfo=UTC)) == "Delivered 3 Dec 2026"


STATUSES = st.sampled_from(list(TrackingStatus))
EVENTS = st.lists(
    st.builds(ev, STATUSES, st.floats(min_value=0, max_value=500, allow_nan=False)), max_size=12
)


@given(EVENTS, st.randoms())
def test_order_of_arrival_never_matters(events: list[TrackingEvent], rnd) -> None:
    shuffled = list(events)
    rnd.shuffle(shuffled)
    assert current_state(shuffled) == current_state(events)


def test_two_scans_of_one_instant_and_rank_decide_alike_in_either_order() -> None:
    # Out for delivery and ready for pickup share a rank; hypothesis found them at one instant.
    pair = [ev(S.OUT_FOR_DELIVERY, 3), ev(S.AVAILABLE_FOR_PICKUP, 3)]
    assert current_state(pair) == current_state(pair[::-1])
    assert current_state([ev(S.UNKNOWN, 0), ev(S.CANCELLED, 0)]) == current_state(
        [ev(S.CANCELLED, 0), ev(S.UNKNOWN, 0)]
    )


@given(EVENTS, EVENTS)
def test_once_delivered_only_a_later_exception_changes_it(
    before: list[TrackingEvent], after: list[TrackingEvent]
) -> None:
    state = current_state(before)
    if not state.delivered:
        return
    later = current_state(before + after)
    assert later.delivered or any(e.status.is_exception and e.at >= (state.at or T0) for e in after)
