"""A scan renews its order's lease only once the lease has run down a little (domain rule)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wms_desk.domain.station_rules import (
    LEASE_SECONDS,
    RENEW_AFTER_SECONDS,
    lease_until,
    lease_wants_renewal,
)

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_a_fresh_lease_is_left_alone_and_a_run_down_one_renewed() -> None:
    fresh = lease_until(NOW)
    assert not lease_wants_renewal(fresh, NOW)
    assert not lease_wants_renewal(fresh, NOW + timedelta(seconds=RENEW_AFTER_SECONDS - 1))
    assert lease_wants_renewal(fresh, NOW + timedelta(seconds=RENEW_AFTER_SECONDS + 1))


def test_a_lapsed_or_missing_lease_is_always_renewed() -> None:
    assert lease_wants_renewal(None, NOW)
    assert lease_wants_renewal(NOW - timedelta(seconds=1), NOW)
    assert lease_wants_renewal(NOW + timedelta(seconds=LEASE_SECONDS + 5), NOW + timedelta(days=1))
