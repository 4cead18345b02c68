"""Report ranges as UTC instants, hour buckets across DST, and the nearest-rank percentile."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest

from wms_desk.domain.report_periods import BucketSize, buckets, nearest_rank, window


def test_a_local_day_range_is_a_half_open_utc_range() -> None:
    w = window(date(2026, 3, 29), date(2026, 3, 29), "Europe/Berlin")
    assert w.start == datetime(2026, 3, 28, 23, tzinfo=UTC)
    assert w.end == datetime(2026, 3, 29, 22, tzinfo=UTC)
    assert window(None, None, "UTC").start is None


@pytest.mark.parametrize(
    ("day", "hours"), [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25), (date(2026, 6, 1), 24)]
)
def test_hour_buckets_follow_the_clock_change(day: date, hours: int) -> None:
    size, bs = buckets(day, day, "Europe/Berlin")
    assert size is BucketSize.HOUR and len(bs) == hours
    assert all(a.end == b.start for a, b in itertools.pairwise(bs))


def test_long_ranges_are_bucketed_per_day() -> None:
    size, bs = buckets(date(2026, 3, 1), date(2026, 3, 31), "Europe/Berlin")
    assert size is BucketSize.DAY and len(bs) == 31
    assert bs[28].label == "2026-03-29"
    assert (bs[28].end - bs[28].start).total_seconds() == 23 * 3600


def test_unknown_zone_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="Mars/Olympus"):
        window(date(2026, 1, 1), None, "Mars/Olympus")


@pytest.mark.parametrize(
    ("percent", "count", "rank"),
    [(50, 1, 1), (50, 2, 1), (50, 3, 2), (90, 3, 3), (90, 10, 9), (90, 11, 10)],
)
def test_nearest_rank(percent: int, count: int, rank: int) -> None:
    assert nearest_rank(percent, count) == rank
