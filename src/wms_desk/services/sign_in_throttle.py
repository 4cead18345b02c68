"""Failed sign-ins in a row slow the next tries, per user name and per station."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete

from wms_desk.db.models.people import SignInThrottle
from wms_desk.services.stations import StationInfo
from wms_desk.services.uow import UnitOfWork, insert_ignoring_duplicates

# A few typing mistakes cost nothing; after that each failure locks for twice as long as the
# last: 30 s, 1 min, 2 min ... up to 15 min. 300 badge guesses then take days, not 0.2 s.
FREE_FAILURES = 5
FIRST_LOCK = timedelta(seconds=30)
MAX_LOCK = timedelta(minutes=15)


@dataclass(frozen=True)
class ThrottleKey:
    scope: str  # "user" or "station"
    key: str

    @classmethod
    def user(cls, username: str) -> ThrottleKey:
        return cls("user", username.strip().lower()[:64])

    @classmethod
    def station(cls, station: StationInfo) -> ThrottleKey:
        return cls("station", str(station.id))


@dataclass(frozen=True)
class Lockout:
    scope: str
    until: datetime

    def message(self, now: datetime, subject: str) -> str:
        who = "for this user name" if self.scope == "user" else "at this station"
        return (
            f"Too many failed sign-ins in a row {who}{subject}. "
            f"Wait {describe_wait(self.until - now)}, then try again."
        )


def describe_wait(wait: timedelta) -> str:
    seconds = max(1, math.ceil(wait.total_seconds()))
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes"


def lock_for(failures: int) -> timedelta | None:
    """How long `failures` failures in a row lock sign-in; None while still free."""
    if failures < FREE_FAILURES:
        return None
    return min(FIRST_LOCK * 2 ** (failures - FREE_FAILURES), MAX_LOCK)


def _rows(uow: UnitOfWork, keys: list[ThrottleKey]) -> list[SignInThrottle]:
    rows = []
    for key in keys:
        insert_ignoring_duplicates(
            uow.session,
            SignInThrottle,
            {"scope": key.scope, "key": key.key, "failures": 0},
            "scope",
            "key",
        )
        # Locked: two stations failing on one user name at once must both be counted.
        row = uow.session.get(
            SignInThrottle, (key.scope, key.key), with_for_update=True, populate_existing=True
        )
        assert row is not None
        rows.append(row)
    return rows


def current_lockout(uow: UnitOfWork, keys: list[ThrottleKey]) -> Lockout | None:
    """The longest lock still running on any of keys, if one is."""
    locks = []
    for key in keys:
        row = uow.session.get(SignInThrottle, (key.scope, key.key))
        if row is not None and row.locked_until is not None and row.locked_until > uow.now:
            locks.append(Lockout(row.scope, row.locked_until))
    return max(locks, key=lambda lock: lock.until, default=None)


def record_failure(uow: UnitOfWork, keys: list[ThrottleKey]) -> int:
    """Count one more failure on every key; returns the most failures in a row among them."""
    most = 0
    for row in _rows(uow, keys):
        row.failures += 1
        lock = lock_for(row.failures)
        row.locked_until = uow.now + lock if lock is not None else None
        most = max(most, row.failures)
    return most


def record_success(uow: UnitOfWork, keys: list[ThrottleKey]) -> None:
    """A sign-in that worked starts the count again for its user name and its station."""
    for key in keys:
        uow.session.execute(
            delete(SignInThrottle).where(
                SignInThrottle.scope == key.scope, SignInThrottle.key == key.key
            )
        )
