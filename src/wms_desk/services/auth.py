"""Sign-in by password or badge scan: argon2id and keyed badge hashes, audited and slowed."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.db import badge_key as badge_keys
from wms_desk.db.models import AppSetting, User
from wms_desk.domain.roles import Role
from wms_desk.services import sign_in_throttle as throttle
from wms_desk.services.context import Actor, ServiceContext
from wms_desk.services.errors import AuthenticationFailed, ServiceError
from wms_desk.services.sign_in_throttle import ThrottleKey
from wms_desk.services.stations import StationInfo
from wms_desk.services.uow import UnitOfWork, insert_ignoring_duplicates, read_only, unit_of_work

if TYPE_CHECKING:
    from argon2 import PasswordHasher


@cache
def _hasher() -> PasswordHasher:
    """argon2-cffi's defaults: the RFC 9106 low-memory profile, above OWASP's minimum. Loaded
    with the first password (~50 ms of imports): a badge sign-in, the print worker and the
    screens never need it, and the station's warm-up loads it before anyone types one."""
    from argon2 import PasswordHasher

    return PasswordHasher()


def load_password_hasher() -> None:
    """Load argon2 now (the station's warm-up), not with the first password typed."""
    _hasher()


_WRONG = "Wrong username or password. Check Caps Lock and try again."
_UNKNOWN_BADGE = (
    "This badge is not known. Sign in with your username and password, "
    "or ask a supervisor to register the badge."
)


class BadgeKeyUnusable(ServiceError):
    """This station's badge key is missing, unreadable, or not the one the badges were made with."""


def _deactivated(user: User) -> str:
    return (
        f"The account {user.username!r} is deactivated, so it cannot sign in. "
        "Ask an admin to reactivate it in Settings > Users."
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def badge_key(session: Session) -> bytes:
    """This station's badge key (kept outside the database), checked against the database's."""
    url = session.get_bind().engine.url
    try:
        key = badge_keys.load_or_create_key(url)
    except badge_keys.BadgeKeyError as exc:
        raise BadgeKeyUnusable(str(exc)) from exc
    check = badge_keys.key_check(key)
    row = session.get(AppSetting, badge_keys.CHECK_SETTING)
    if row is None:
        # The first key to hash a badge here is the database's key from then on.
        insert_ignoring_duplicates(
            session,
            AppSetting,
            {"key": badge_keys.CHECK_SETTING, "value": {"hmac": check}},
            "key",
        )
        row = session.get(AppSetting, badge_keys.CHECK_SETTING)
        assert row is not None
    if not hmac.compare_digest(str(row.value.get("hmac", "")), check):
        source = badge_keys.key_source(url).describe()
        raise BadgeKeyUnusable(
            f"This station's badge key ({source}) is not the one this database's badges were "
            "registered with, so no badge can work here. Copy badge.key from a station where "
            f"badges work, or set {badge_keys.ENV_KEY} to the same key as the other stations."
        )
    return key


def hash_badge(session: Session, code: str) -> str:
    """A badge is a bearer credential: only a keyed hash of it is stored."""
    return hmac.new(badge_key(session), code.strip().encode(), hashlib.sha256).hexdigest()


def _actor(user: User, station: StationInfo) -> Actor:
    return Actor(
        user.id, user.username, user.display_name, Role(user.role), station.id, station.name
    )


@dataclass(frozen=True)
class _Attempt:
    """What one sign-in attempt came to; failures commit (audit, count) before they are raised."""

    actor: Actor | None = None
    refusal: str = ""


def _sign_in(
    uow: UnitOfWork, user: User, station: StationInfo, method: str, keys: list[ThrottleKey]
) -> _Attempt:
    throttle.record_success(uow, keys)
    user.last_login_at = uow.now
    actor = _actor(user, station)
    UnitOfWork(uow.session, actor).audit("user.signed_in", "user", user.id, after={"by": method})
    return _Attempt(actor=actor)


def _anonymous(station: StationInfo, username: str) -> Actor:
    """Who a failed attempt is recorded as: nobody signed in, at this station, naming a user."""
    return Actor(None, username[:64], username[:64], Role.PACKER, station.id, station.name)


def _locked(
    uow: UnitOfWork, keys: list[ThrottleKey], who: Actor, method: str, subject: str
) -> _Attempt | None:
    """A refusal without checking the credential while a lock runs, audited; else None."""
    lock = throttle.current_lockout(uow, keys)
    if lock is None:
        return None
    UnitOfWork(uow.session, who).audit(
        "user.sign_in_refused",
        "station",
        who.station_id,
        after={
            "by": method,
            "username": who.username if method == "password" else None,
            "locked_until": lock.until.isoformat(),
            "scope": lock.scope,
        },
    )
    return _Attempt(refusal=lock.message(uow.now, subject))


def _failed(
    uow: UnitOfWork,
    keys: list[ThrottleKey],
    who: Actor,
    method: str,
    message: str,
    named: User | None = None,
) -> _Attempt:
    failures = throttle.record_failure(uow, keys)
    # About the user the attempt named, if one exists; else about the station it came from.
    UnitOfWork(uow.session, who).audit(
        "user.sign_in_failed",
        "user" if named is not None else "station",
        named.id if named is not None else who.station_id,
        # Never the password or the badge code: only who tried, how, and how many in a row.
        after={
            "by": method,
            "username": who.username if method == "password" else None,
            "failures_in_a_row": failures,
        },
    )
    lock = throttle.lock_for(failures)
    if lock is not None:
        message += f" Too many failed sign-ins in a row: wait {throttle.describe_wait(lock)}."
    return _Attempt(refusal=message)


@unit_of_work()
def _password_attempt(
    uow: UnitOfWork, username: str, password: str, station: StationInfo
) -> _Attempt:
    name = username.strip()
    keys = [ThrottleKey.user(name), ThrottleKey.station(station)]
    user = uow.session.scalar(select(User).where(User.username == name))
    who = _anonymous(station, name)
    locked = _locked(uow, keys, who, "password", f" ({name})" if name else "")
    if locked is not None:
        return locked
    if user is None or not user.password_hash:
        # Spend the same time as a real check so usernames cannot be probed by timing.
        _hasher().hash(password)
        return _failed(uow, keys, who, "password", _WRONG, user)
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return _failed(uow, keys, who, "password", _WRONG, user)
    if not user.active:  # told only once the password is right: no probing who exists
        return _failed(uow, keys, who, "password", _deactivated(user), user)
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    return _sign_in(uow, user, station, "password", keys)


@unit_of_work()
def _badge_attempt(uow: UnitOfWork, code: str, station: StationInfo) -> _Attempt:
    # A badge names no user until it matches: guesses are slowed per station.
    keys = [ThrottleKey.station(station)]
    who = _anonymous(station, "")
    locked = _locked(uow, keys, who, "badge", "")
    if locked is not None:
        return locked
    digest = hash_badge(uow.session, code)
    user = uow.session.scalar(select(User).where(User.badge_hash == digest))
    if user is None:
        return _failed(uow, keys, who, "badge", _UNKNOWN_BADGE)
    if not user.active:
        return _failed(uow, keys, who, "badge", _deactivated(user), user)
    return _sign_in(uow, user, station, "badge", [*keys, ThrottleKey.user(user.username)])


def _outcome(attempt: _Attempt) -> Actor:
    if attempt.actor is None:
        raise AuthenticationFailed(attempt.refusal)
    return attempt.actor


def sign_in_with_password(
    ctx: ServiceContext, username: str, password: str, station: StationInfo
) -> Actor:
    """The signed-in actor, or AuthenticationFailed saying why (and how long to wait if locked)."""
    return _outcome(_password_attempt(ctx, username, password, station))


def sign_in_with_badge(ctx: ServiceContext, code: str, station: StationInfo) -> Actor:
    return _outcome(_badge_attempt(ctx, code, station))


def sign_out(ctx: ServiceContext) -> None:
    @unit_of_work()
    def record(uow: UnitOfWork) -> None:
        uow.audit("user.signed_out", "user", ctx.actor.user_id)

    record(ctx)


@read_only
def actor_for(session: Session, username: str, station: StationInfo) -> Actor:
    """The actor for a known user without a password check: for benchmarks and tests only."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise AuthenticationFailed(f"No user named {username}.")
    return _actor(user, station)
