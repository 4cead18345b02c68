"""User administration: role, badge, password and activation, each audited and admin-only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from wms_desk.db.models import AuditEvent
from wms_desk.domain.errors import PermissionDenied
from wms_desk.services import auth, users
from wms_desk.services.errors import AuthenticationFailed, ValidationFailed
from wms_desk.services.stations import ensure_station


def _events(database, user_id: int) -> list[tuple[str, dict | None, dict | None, int | None]]:
    with database.read_session() as session:
        rows = session.execute(
            select(AuditEvent.action, AuditEvent.before, AuditEvent.after, AuditEvent.user_id)
            .where(AuditEvent.subject_type == "user", AuditEvent.subject_id == str(user_id))
            .order_by(AuditEvent.id)
        )
        return [tuple(r) for r in rows]


def test_each_admin_action_changes_the_user_and_is_audited(make_ctx, database) -> None:
    admin = make_ctx("admin")
    kim = users.add_user(admin, "kim", "packer", "first-pass", badge="K-1")
    station = ensure_station(database, "pack-1")

    assert users.set_role(admin, kim.id, "supervisor").role == "supervisor"
    assert users.set_display_name(admin, kim.id, "Kim Lee").display_name == "Kim Lee"
    assert users.set_badge(admin, kim.id, "K-2").has_badge
    assert users.reset_password(admin, kim.id, "second-pass").has_password
    assert not users.set_active(admin, kim.id, False).active
    assert users.set_active(admin, kim.id, True).active

    actor = auth.sign_in_with_password(admin, "kim", "second-pass", station)
    assert (actor.role, actor.display_name) == ("supervisor", "Kim Lee")
    with pytest.raises(AuthenticationFailed, match="Wrong username or password"):
        auth.sign_in_with_password(admin, "kim", "first-pass", station)
    assert auth.sign_in_with_badge(admin, "K-2", station).username == "kim"
    with pytest.raises(AuthenticationFailed, match="badge is not known"):
        auth.sign_in_with_badge(admin, "K-1", station)

    # Sign-ins and failed sign-ins are audited too (the security tests check those).
    events = [
        e for e in _events(database, kim.id) if not e[0].startswith(("user.signed", "user.sign_in"))
    ]
    assert [e[0] for e in events] == [
        "user.added",
        "user.role_changed",
        "user.renamed",
        "user.badge_changed",
        "user.password_reset",
        "user.activation_changed",
        "user.activation_changed",
    ]
    assert events[1][1:3] == ({"role": "packer"}, {"role": "supervisor"})
    assert events[5][1:3] == ({"active": True}, {"active": False})
    assert {e[3] for e in events} == {admin.actor.user_id}
    # Neither passwords nor badge codes are ever written to the audit trail.
    text = repr(events)
    assert "second-pass" not in text and "K-2" not in text


def test_a_deactivated_user_cannot_sign_in_and_is_told_so(make_ctx, database) -> None:
    admin = make_ctx("admin")
    lee = users.add_user(admin, "lee", "packer", "lee-password", badge="L-1")
    station = ensure_station(database, "pack-1")
    users.set_active(admin, lee.id, False)
    with pytest.raises(AuthenticationFailed, match="'lee' is deactivated") as by_password:
        auth.sign_in_with_password(admin, "lee", "lee-password", station)
    assert "Ask an admin" in str(by_password.value)
    with pytest.raises(AuthenticationFailed, match="'lee' is deactivated"):
        auth.sign_in_with_badge(admin, "L-1", station)
    # A wrong password says only that: nobody learns which accounts exist.
    with pytest.raises(AuthenticationFailed, match="Wrong username or password"):
        auth.sign_in_with_password(admin, "lee", "guess-guess", station)


def test_only_admins_manage_users(make_ctx) -> None:
    admin = make_ctx("admin")
    target = users.add_user(admin, "sam", "packer", "sam-password")
    supervisor = make_ctx("supervisor")
    for call in (
        lambda: users.set_role(supervisor, target.id, "admin"),
        lambda: users.set_badge(supervisor, target.id, "S-1"),
        lambda: users.reset_password(supervisor, target.id, "new-password"),
        lambda: users.set_active(supervisor, target.id, False),
        lambda: users.set_display_name(supervisor, target.id, "Sam"),
    ):
        with pytest.raises(PermissionDenied, match="supervisor may not"):
            call()
    assert next(u for u in users.list_users(admin) if u.id == target.id).role == "packer"


def test_the_last_admin_and_one_self_stay(make_ctx) -> None:
    admin = make_ctx("admin", "root")
    with pytest.raises(ValidationFailed, match="your own account"):
        users.set_active(admin, admin.actor.user_id, False)
    with pytest.raises(ValidationFailed, match="only active admin"):
        users.set_role(admin, admin.actor.user_id, "packer")
    other = users.add_user(admin, "ops", "admin", "ops-password")
    assert users.set_role(admin, admin.actor.user_id, "supervisor").role == "supervisor"
    with pytest.raises(ValidationFailed, match="only active admin"):
        users.set_active(admin, other.id, False)


def test_bad_values_are_refused_with_what_to_do(make_ctx) -> None:
    admin = make_ctx("admin")
    a = users.add_user(admin, "ann", "packer", "ann-password", badge="A-1")
    b = users.add_user(admin, "bob", "packer", badge="B-1")
    with pytest.raises(ValidationFailed, match="at least 6 characters"):
        users.reset_password(admin, a.id, "short")
    with pytest.raises(ValidationFailed, match="Unknown role 'boss'"):
        users.set_role(admin, a.id, "boss")
    with pytest.raises(ValidationFailed, match="already belongs to another user"):
        users.set_badge(admin, a.id, "B-1")
    with pytest.raises(ValidationFailed, match="set a password before"):
        users.set_badge(admin, b.id, None)
    assert not users.set_badge(admin, a.id, "").has_badge
    with pytest.raises(ValidationFailed, match="1 to 120 characters"):
        users.set_display_name(admin, a.id, "  ")
    with pytest.raises(ValidationFailed, match="no longer exists"):
        users.set_role(admin, 999_999, "packer")
