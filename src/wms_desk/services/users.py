"""Users: add, list, change role, badge, password and activation; only admins manage users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wms_desk.db.models import User
from wms_desk.domain.roles import Permission, Role
from wms_desk.services.auth import hash_badge, hash_password
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.uow import UnitOfWork, read_only, unit_of_work

MIN_PASSWORD_LENGTH = 6
MAX_NAME_LENGTH = 120  # users.display_name


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
    if display_name and len(display_name.strip()) > MAX_NAME_LENGTH:
        raise ValidationFailed(f"A display name needs 1 to {MAX_NAME_LENGTH} characters.")
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


def _user(uow: UnitOfWork, user_id: int) -> User:
    user = uow.session.get(User, user_id)
    if user is None:
        raise ValidationFailed(f"User {user_id} no longer exists; refresh the list.")
    return user


def _keep_an_admin(uow: UnitOfWork, user: User, what: str) -> None:
    """Nobody could manage users any more if the last active admin lost the role or the account."""
    if user.role != Role.ADMIN.value or not user.active:
        return
    others = uow.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN.value, User.active.is_(True), User.id != user.id)
    )
    if not others:
        raise ValidationFailed(
            f"{user.username} is the only active admin; {what} would leave nobody who can "
            "manage users. Make another user an admin first."
        )


@unit_of_work(Permission.MANAGE_USERS)
def set_active(uow: UnitOfWork, user_id: int, active: bool) -> UserInfo:
    user = _user(uow, user_id)
    if not active:
        if user.id == uow.actor.user_id:
            raise ValidationFailed("You cannot deactivate your own account; ask another admin.")
        _keep_an_admin(uow, user, f"deactivating {user.username}")
    before = {"active": user.active}
    user.active = active
    uow.audit("user.activation_changed", "user", user.id, before=before, after={"active": active})
    return _info(user)


@unit_of_work(Permission.MANAGE_USERS)
def set_role(uow: UnitOfWork, user_id: int, role: str) -> UserInfo:
    user = _user(uow, user_id)
    validate_new_user(user.username, role, None)
    if role != user.role:
        _keep_an_admin(uow, user, f"making {user.username} a {role}")
    before = {"role": user.role}
    user.role = role
    uow.audit("user.role_changed", "user", user.id, before=before, after={"role": role})
    return _info(user)


@unit_of_work(Permission.MANAGE_USERS)
def set_badge(uow: UnitOfWork, user_id: int, badge: str | None) -> UserInfo:
    """A new badge code, or none (`None` or blank) to take the badge away; codes are not logged."""
    user = _user(uow, user_id)
    code = (badge or "").strip()
    badge_hash = hash_badge(uow.session, code) if code else None
    if badge_hash and uow.session.scalar(
        select(User.id).where(User.badge_hash == badge_hash, User.id != user.id)
    ):
        raise ValidationFailed("This badge already belongs to another user.")
    if badge_hash is None and not user.password_hash:
        raise ValidationFailed(
            f"{user.username} has no password, so the badge is their only way in; "
            "set a password before taking the badge away."
        )
    before = {"badge": bool(user.badge_hash)}
    user.badge_hash = badge_hash
    uow.audit("user.badge_changed", "user", user.id, before=before, after={"badge": bool(code)})
    return _info(user)


@unit_of_work(Permission.MANAGE_USERS)
def reset_password(uow: UnitOfWork, user_id: int, password: str) -> UserInfo:
    """Set a new password (the user is told it by the admin); only the fact is audited."""
    user = _user(uow, user_id)
    validate_new_user(user.username, user.role, password)
    user.password_hash = hash_password(password)
    uow.audit("user.password_reset", "user", user.id, after={"by": uow.actor.username})
    return _info(user)


@unit_of_work(Permission.MANAGE_USERS)
def set_display_name(uow: UnitOfWork, user_id: int, display_name: str) -> UserInfo:
    user = _user(uow, user_id)
    name = display_name.strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise ValidationFailed(f"A display name needs 1 to {MAX_NAME_LENGTH} characters.")
    before = {"display_name": user.display_name}
    user.display_name = name
    uow.audit("user.renamed", "user", user.id, before=before, after={"display_name": name})
    return _info(user)


@read_only
def list_users(session: Session) -> list[UserInfo]:
    return [_info(u) for u in session.scalars(select(User).order_by(User.username))]
