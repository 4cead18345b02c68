"""Sign-in cannot be guessed: failures audited and slowed; the badge key lives outside the DB."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from wms_desk.db import badge_key, schema
from wms_desk.db.engine import create_db_engine, sqlite_url
from wms_desk.db.models import AppSetting, AuditEvent, User
from wms_desk.db.models.people import SignInThrottle
from wms_desk.services import auth, users
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.errors import AuthenticationFailed
from wms_desk.services.sign_in_throttle import FREE_FAILURES
from wms_desk.services.stations import StationInfo, ensure_station


@pytest.fixture(autouse=True)
def own_key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "keys" / "badge.key"
    monkeypatch.delenv(badge_key.ENV_KEY, raising=False)
    monkeypatch.setenv(badge_key.ENV_KEY_FILE, str(path))
    return path


@pytest.fixture
def station(system_ctx: ServiceContext) -> StationInfo:
    return ensure_station(system_ctx.database, system_ctx.actor.station_name)


@pytest.fixture
def kim(system_ctx: ServiceContext) -> str:
    users.add_user(system_ctx, "kim", "packer", "right-password", badge="BADGE-KIM-1")
    return "kim"


def _events(ctx: ServiceContext, action: str) -> list[AuditEvent]:
    with ctx.database.read_session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _fail_password(ctx: ServiceContext, station: StationInfo, username: str = "kim") -> str:
    with pytest.raises(AuthenticationFailed) as failed:
        auth.sign_in_with_password(ctx, username, "wrong", station)
    return str(failed.value)


def _let_locks_expire(ctx: ServiceContext) -> None:
    """Stand-in for waiting: the lock's end moves into the past, nothing else changes."""
    past = datetime.now(UTC) - timedelta(seconds=1)
    with ctx.database.write_session() as session, session.begin():
        session.execute(update(SignInThrottle).values(locked_until=past))


def test_failures_in_a_row_lock_out_naming_the_wait(system_ctx, station, kim) -> None:
    for _ in range(FREE_FAILURES - 1):
        assert "wait" not in _fail_password(system_ctx, station)
    assert "wait 30 seconds" in _fail_password(system_ctx, station)
    # Locked: even the right password is refused, without being checked, saying how long.
    with pytest.raises(AuthenticationFailed, match=r"in a row for this user name \(kim\)") as e:
        auth.sign_in_with_password(system_ctx, kim, "right-password", station)
    # The wait counts down from 30 s: a slow machine may have used a second or two of it.
    waited = re.search(r"Wait (\d+) seconds, then try again\.", str(e.value))
    assert waited is not None and 20 <= int(waited.group(1)) <= 30, str(e.value)
    # After the wait the right password works; one more failure would lock for longer.
    _let_locks_expire(system_ctx)
    assert auth.sign_in_with_password(system_ctx, kim, "right-password", station).username == kim


def test_each_failure_past_the_free_ones_doubles_the_wait(system_ctx, station, kim) -> None:
    for _ in range(FREE_FAILURES):
        _fail_password(system_ctx, station)
    _let_locks_expire(system_ctx)
    assert "wait 60 seconds" in _fail_password(system_ctx, station)
    _let_locks_expire(system_ctx)
    assert "wait 2 minutes" in _fail_password(system_ctx, station)


def test_a_success_resets_the_count(system_ctx, station, kim) -> None:
    for _ in range(FREE_FAILURES - 1):
        _fail_password(system_ctx, station)
    auth.sign_in_with_password(system_ctx, kim, "right-password", station)
    for _ in range(FREE_FAILURES - 1):
        assert "wait" not in _fail_password(system_ctx, station)
    with system_ctx.database.read_session() as session:
        rows = session.scalars(select(SignInThrottle)).all()
        assert {row.failures for row in rows} == {FREE_FAILURES - 1}


def test_failures_are_audited_without_the_secret(system_ctx, station, kim) -> None:
    _fail_password(system_ctx, station)
    _fail_password(system_ctx, station, username="nobody")
    with pytest.raises(AuthenticationFailed):
        auth.sign_in_with_badge(system_ctx, "GUESS-0001", station)
    failed = _events(system_ctx, "user.sign_in_failed")
    assert [(e.after or {}).get("by") for e in failed] == ["password", "password", "badge"]
    assert [(e.after or {}).get("username") for e in failed] == ["kim", "nobody", None]
    assert all(e.station_id == station.id and e.user_id is None for e in failed)  # nobody signed in
    kim_id = next(e.subject_id for e in failed if e.subject_type == "user")
    assert [e.subject_type for e in failed] == ["user", "station", "station"] and kim_id
    with system_ctx.database.engine.connect() as connection:
        dump = " ".join(str(r) for r in connection.execute(text("SELECT * FROM audit_events")))
    assert "wrong" not in dump and "GUESS-0001" not in dump


def test_badge_guessing_is_slowed_per_station(system_ctx, station, kim) -> None:
    other = ensure_station(system_ctx.database, "other-station")
    outcomes = []
    for guess in range(30):
        try:
            auth.sign_in_with_badge(system_ctx, f"GUESS-{guess:04d}", station)
        except AuthenticationFailed as exc:
            outcomes.append(str(exc))
    assert sum("not known" in o for o in outcomes) == FREE_FAILURES  # only these were checked
    assert all("at this station" in o and "Wait" in o for o in outcomes[FREE_FAILURES:])
    # The right badge cannot slip through while the station is locked ...
    with pytest.raises(AuthenticationFailed, match="at this station"):
        auth.sign_in_with_badge(system_ctx, "BADGE-KIM-1", station)
    assert len(_events(system_ctx, "user.sign_in_refused")) == 30 - FREE_FAILURES + 1
    # ... but another station is not locked by this one's guesses.
    assert auth.sign_in_with_badge(system_ctx, "BADGE-KIM-1", other).username == kim


def test_the_badge_key_is_not_in_the_database(system_ctx, station, kim, own_key_file) -> None:
    key_hex = own_key_file.read_text().strip()
    assert len(bytes.fromhex(key_hex)) == badge_key.KEY_BYTES
    assert stat.S_IMODE(os.stat(own_key_file).st_mode) == 0o600
    with system_ctx.database.engine.connect() as connection:
        settings = " ".join(str(r) for r in connection.execute(text("SELECT * FROM app_settings")))
        assert key_hex not in settings and key_hex.upper() not in settings
        assert badge_key.LEGACY_SETTING not in settings
    assert auth.sign_in_with_badge(system_ctx, "BADGE-KIM-1", station).username == kim


def test_a_station_with_another_key_is_told_so(system_ctx, station, kim, monkeypatch) -> None:
    monkeypatch.setenv(badge_key.ENV_KEY, "ab" * 32)
    with pytest.raises(auth.BadgeKeyUnusable, match="not the one this database's badges"):
        auth.sign_in_with_badge(system_ctx, "BADGE-KIM-1", station)


def test_the_same_key_in_the_environment_serves_several_stations(
    system_ctx, station, own_key_file, monkeypatch
) -> None:
    monkeypatch.setenv(badge_key.ENV_KEY, "cd" * 32)
    users.add_user(system_ctx, "lee", "packer", "pw-lee-123", badge="BADGE-LEE")
    assert not own_key_file.exists()  # the environment's key was used, no file was made
    assert auth.sign_in_with_badge(system_ctx, "BADGE-LEE", station).username == "lee"


def test_default_key_file_is_next_to_an_embedded_database(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv(badge_key.ENV_KEY_FILE)
    source = badge_key.key_source(sqlite_url(tmp_path / "station" / "wms.sqlite3"))
    assert source.path == (tmp_path / "station" / "badge.key").resolve()
    monkeypatch.setenv("WMS_DESK_DATA_DIR", str(tmp_path / "data"))
    shared = badge_key.key_source("postgresql+psycopg://wms@db.example/wms")
    assert shared.path == tmp_path / "data" / "badge.key"


def test_upgrade_moves_an_old_in_database_key_out_and_badges_keep_working(
    tmp_path, own_key_file
) -> None:
    engine = create_db_engine(sqlite_url(tmp_path / "old.sqlite3"))
    schema.upgrade(engine, "0002")
    old_key = bytes.fromhex("11" * 32)

    digest = hmac.new(old_key, b"OLD-BADGE", hashlib.sha256).hexdigest()
    with engine.begin() as connection:
        connection.execute(
            AppSetting.__table__.insert().values(
                key=badge_key.LEGACY_SETTING, value={"hex": old_key.hex()}
            )
        )
        connection.execute(
            User.__table__.insert().values(
                username="old",
                display_name="Old Timer",
                role="packer",
                badge_hash=digest,
                active=True,
                created_at=datetime.now(UTC),
            )
        )
    schema.upgrade(engine)
    assert own_key_file.read_text().strip() == old_key.hex()
    with engine.connect() as connection:
        keys = connection.execute(text("SELECT key FROM app_settings")).scalars().all()
    assert badge_key.LEGACY_SETTING not in keys and badge_key.CHECK_SETTING in keys
    engine.dispose()

    database = Database(sqlite_url(tmp_path / "old.sqlite3"))
    where = ensure_station(database, "upgraded")

    ctx = ServiceContext(database, system_actor(where.id, where.name))
    assert auth.sign_in_with_badge(ctx, "OLD-BADGE", where).username == "old"
    database.dispose()
