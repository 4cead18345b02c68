"""Report ranges and time buckets: local calendar days and hours turned into UTC instants.

The database holds UTC; a person asks for local days. Each bucket is a half-open UTC range
[start, end) computed here with zoneinfo, so the SQL only compares instants: a day with a
daylight-saving change has 23 or 25 hour buckets and every real hour is counted exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Up to this many local days the chart is drawn per hour, up to DAILY_UP_TO_DAYS per day, and
# longer ranges per calendar month (a year is 12 or 13 bars, not 365).
HOURLY_UP_TO_DAYS = 2
DAILY_UP_TO_DAYS = 92


class BucketSize(StrEnum):
    HOUR = "hour"
    DAY = "day"
    MONTH = "month"


@dataclass(frozen=True)
class Bucket:
    label: str  # local: "2026-03-29 03:00" or "2026-03-29"
    start: datetime  # aware UTC, inclusive
    end: datetime  # aware UTC, exclusive


@dataclass(frozen=True)
class Window:
    """The UTC instants a report counts: [start, end); None is open-ended."""

    start: datetime | None
    end: datetime | None


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"Unknown time zone {name!r}: use an IANA name such as Europe/Berlin."
        ) from exc


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant a local day begins (midnight, or the first hour after a gap)."""
    local = datetime.combine(day, time(0), tzinfo=tz)
    # A zone that skips midnight itself (rare) starts the day at the first instant that exists.
    return local.astimezone(UTC)


def window(start: date | None, end: date | None, tz_name: str) -> Window:
    """Local days `start`..`end` (both inclusive) as a UTC half-open range."""
    tz = zone(tz_name)
    return Window(
        day_start(start, tz) if start else None,
        day_start(end + timedelta(days=1), tz) if end else None,
    )


def buckets(start: date, end: date, tz_name: str) -> tuple[BucketSize, tuple[Bucket, ...]]:
    """Hour buckets for a short range, day buckets for a longer one, all in local time."""
    tz = zone(tz_name)
    days = (end - start).days + 1
    if days <= HOURLY_UP_TO_DAYS:
        return BucketSize.HOUR, _hours(day_start(start, tz), day_start(end + timedelta(1), tz), tz)
    if days > DAILY_UP_TO_DAYS:
        return BucketSize.MONTH, _months(start, end, tz)
    out = []
    for i in range(days):
        day = start + timedelta(days=i)
        out.append(Bucket(day.isoformat(), day_start(day, tz), day_start(day + timedelta(1), tz)))
    return BucketSize.DAY, tuple(out)


def _months(start: date, end: date, tz: ZoneInfo) -> tuple[Bucket, ...]:
    """Calendar months, the first and last cut to the range."""
    out = []
    first = start
    while first <= end:
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        last = min(following - timedelta(days=1), end)
        out.append(
            Bucket(
                first.strftime("%Y-%m"), day_start(first, tz), day_start(last + timedelta(1), tz)
            )
        )
        first = following
    return tuple(out)


def _hours(first: datetime, last: datetime, tz: ZoneInfo) -> tuple[Bucket, ...]:
    # Stepping in UTC visits every real hour once; the label is that hour in local time, with
    # the offset when the same local hour happens twice (the autumn change).
    out = []
    at = first
    while at < last:
        local = at.astimezone(tz)
        label = local.strftime("%Y-%m-%d %H:%M")
        if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
            label += local.strftime(" %z")  # 02:00 +0200, then 02:00 +0100
        out.append(Bucket(label, at, at + timedelta(hours=1)))
        at += timedelta(hours=1)
    return tuple(out)


def nearest_rank(percent: int, count: int) -> int:
    """The 1-based rank of the `percent` percentile by the nearest-rank method: ceil(p/100 * n).

    The report's median and 90th percentile are values that occurred (no interpolation), so
    SQLite and PostgreSQL give the same answer from the same rows.
    """
    return (percent * count + 99) // 100
