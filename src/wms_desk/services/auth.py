"""Sign-in by password or badge scan; argon2id password hashes and keyed badge hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.db.models import AppSetting, User
from wms_desk.domain.roles import Role
from wms_desk.services.context import Actor, ServiceContext
from wms_desk.services.errors import AuthenticationFailed
from wms_desk.services.stations import StationInfo
from wms_desk.services.uow import UnitOfWork, insert_ignoring_duplicates, read_only, unit_of_work

# argon2-cffi's defaults are the RFC 9106 low-memory profile, above OWASP's minimum.
_hasher = PasswordHasher()
BADGE_KEY_SETTING = "badge_hmac_key"
_WRONG = "Wrong username or password. Check Caps Lock and try again."


def _deactivated(user: User) -> AuthenticationFailed:
    return AuthenticationFailed(
        f"The account {user.username!r} is deactivated, so it cannot sign in. "
        "Ask an admin to reactivate it in Settings > Users."
    )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def badge_key(session: Session) -> bytes:
    """The database-wide key for badge hashes, created by whichever station needs it first."""
    row = session.get(AppSetting, BADGE_KEY_SETTING)
    if row is None:
        insert_ignoring_duplicates(
            session,
            AppSetting,
            {"key": BADGE_KEY_SETTING, "value": {"hex": secrets.token_hex(32)}},
            "key",
        )
        row = session.get(AppSetting, BADGE_KEY_SETTING)
        assert row is not None
    return bytes.fromhex(row.value["hex"])


def hash_badge(session: Session, code: str) -> str:
    """A badge is a bearer credential: only a keyed hash of it is stored."""
    return hmac.new(badge_key(session), code.strip().encode(), hashlib.sha256).hexdigest()


def _actor(user: User, station: StationInfo) -> Actor:
    return Actor(
        user.id, user.username, user.display_name, Role(user.role), station.id, station.name
    )


def _sign_in(uow: UnitOfWork, user: User, station: StationInfo, method: str) -> Actor:
    user.last_login_at = uow.now
    actor = _actor(user, station)
    UnitOfWork(uow.session, actor).audit("user.signed_in", "user", user.id, after={"by": method})
    return actor


@unit_of_work()
def sign_in_with_password(
    uow: UnitOfWork, username: str, password: str, station: StationInfo
) -> Actor:
    user = uow.session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not user.password_hash:
        # Spend the same time as a real check so usernames cannot be probed by timing.
        _hasher.hash(password)
        raise AuthenticationFailed(_WRONG)
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise AuthenticationFailed(_WRONG) from None
    if not user.active:  # told only once the password is right: no probing who exists
        raise _deactivated(user)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return _sign_in(uow, user, station, "password")


@unit_of_work()
def sign_in_with_badge(uow: UnitOfWork, code: str, station: StationInfo) -> Actor:
    digest = hash_badge(uow.session, code)
    user = uow.session.scalar(select(User).where(User.badge_hash == digest))
    if user is None:
        raise AuthenticationFailed(
            "This badge is not known. Sign in with your username and password, "
            "or ask a supervisor to register the badge."
        )
    if not user.active:
        raise _deactivated(user)
    return _sign_in(uow, user, station, "badge")


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
