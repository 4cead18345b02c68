"""Users: add, list, and change; only admins manage users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.db.models import User
from wms_desk.domain.roles import Permission, Role
from wms_desk.services.auth import hash_badge, hash_password
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.uow import UnitOfWork, read_only, unit_of_work

MIN_PASSWORD_LENGTH = 6


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str
    role: Role
    active: bool
    has_password: bool
    has_badge: bool
    last_login_at: datetime | None


def _info(user: User) -> UserInfo:
    return UserInfo(
        user.id,
        user.username,
        user.display_name,
        Role(user.role),
        user.active,
        bool(user.password_hash),
        bool(user.badge_hash),
        user.last_login_at,
    )


def validate_new_user(username: str, role: str, password: str | None) -> None:
    if not username or not username.strip() or len(username) > 64 or " " in username.strip():
        raise ValidationFailed("A username needs 1 to 64 characters and no spaces.")
    if role not in {r.value for r in Role}:
        raise ValidationFailed(
            f"Unknown role '{role}'. Choose one of: {', '.join(r.value for r in Role)}."
        )
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")


@unit_of_work(Permission.MANAGE_USERS)
def add_user(
    uow: UnitOfWork,
    username: str,
    role: str,
    password: str | None = None,
    badge: str | None = None,
    display_name: str | None = None,
) -> UserInfo:
    username = username.strip()
    validate_new_user(username, role, password)
    if password is None and not badge:
        raise ValidationFailed("A user needs a password, a badge, or both.")
    if uow.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValidationFailed(f"The username '{username}' is taken. Choose another.")
    badge_hash = hash_badge(uow.session, badge) if badge else None
    if badge_hash and uow.session.scalar(select(User.id).where(User.badge_hash == badge_hash)):
        raise ValidationFailed("This badge already belongs to another user.")
    user = User(
        username=username,
        display_name=(display_name or username).strip(),
        role=role,
        password_hash=hash_password(password) if password is not None else None,
        badge_hash=badge_hash,
        active=True,
        created_at=uow.now,
    )
    uow.session.add(user)
    uow.session.flush()
    uow.audit(
        "user.added",
        "user",
        user.id,
        after={"username": username, "role": role, "badge": bool(badge)},
    )
    return _info(user)


@unit_of_work(Permission.MANAGE_USERS)
def set_active(uow: UnitOfWork, user_id: int, active: bool) -> UserInfo:
    user = uow.session.get(User, user_id)
    if user is None:
        raise ValidationFailed(f"User {user_id} does not exist.")
    before = {"active": user.active}
    user.active = active
    uow.audit("user.activation_changed", "user", user.id, before=before, after={"active": active})
    return _info(user)


@read_only
def list_users(session: Session) -> list[UserInfo]:
    return [_info(u) for u in session.scalars(select(User).order_by(User.username))]
