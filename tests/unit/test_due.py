"""The late / due-today rule: one definition the SQL filter and the row colours share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from wms_desk.domain.due import Due, day_bounds, due_state, window_range
from wms_desk.domain.order_status import OPEN, OrderStatus

NOW = datetime(2026, 12, 1, 21, 30, tzinfo=UTC)
TIMES = st.datetimes(
    min_value=datetime(2026, 11, 1), max_value=datetime(2027, 1, 31), timezones=st.just(UTC)
)
OFFSETS = st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: timedelta(minutes=m))


@given(TIMES, TIMES, OFFSETS)
def test_every_open_order_with_a_ship_by_is_in_exactly_one_window(
    ship_by: datetime, now: datetime, offset: timedelta
) -> None:
    windows = [d for d in Due if window_range(d, now, offset).contains(ship_by)]
    assert windows == [due_state(ship_by, OrderStatus.ALLOCATED, now, offset)]


@given(TIMES, st.sampled_from(list(OrderStatus)))
def test_only_open_orders_are_due(ship_by: datetime, status: OrderStatus) -> None:
    assert (due_state(ship_by, status, NOW) is None) == (status not in OPEN)
    assert due_state(None, status, NOW) is None


def test_the_local_day_decides_today() -> None:
    # 21:30 UTC is 23:30 in UTC+2: the local day ends in half an hour.
    plus_two = timedelta(hours=2)
    start, end = day_bounds(NOW, plus_two)
    assert (start, end) == (
        datetime(2026, 11, 30, 22, tzinfo=UTC),
        datetime(2026, 12, 1, 22, tzinfo=UTC),
    )
    assert due_state(NOW - timedelta(minutes=1), "packed", NOW, plus_two) is Due.LATE
    assert due_state(NOW + timedelta(minutes=20), "on_hold", NOW, plus_two) is Due.TODAY
    assert due_state(NOW + timedelta(minutes=40), "new", NOW, plus_two) is Due.LATER
    assert due_state(NOW + timedelta(minutes=40), "new", NOW) is Due.TODAY
    assert Due.TODAY.label == "Due today"
