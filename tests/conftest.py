"""Shared fixtures: offscreen Qt, real SQLite files and real PostgreSQL databases, seeded users."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests must never read the developer's own config file or data folder.
os.environ.pop("WMS_DESK_DB", None)
os.environ.pop("WMS_DESK_CONFIG", None)
# ... nor the developer's badge key: each test process keeps its own, in a scratch folder.
os.environ.pop("WMS_DESK_BADGE_KEY", None)
os.environ["WMS_DESK_BADGE_KEY_FILE"] = os.path.join(
    tempfile.mkdtemp(prefix="wms-key-"), "badge.key"
)

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from wms_desk.db import schema
from wms_desk.db.engine import create_db_engine, sqlite_url
from wms_desk.domain.roles import Role
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database

PG_URL = os.environ.get("WMS_DESK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# Which backend the backend-agnostic tests use: .ci/run runs the suite once with each.
BACKEND = os.environ.get("WMS_DESK_TEST_BACKEND", "sqlite")
# In CI an unreachable PostgreSQL is a failure, not a skip.
REQUIRE_PG = os.environ.get("WMS_DESK_REQUIRE_PG") == "1" or os.environ.get("CI") == "true"


def _pg_reachable() -> bool:
    try:
        engine = create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def _admin_engine():
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per test process; each test gets a copy (migrating is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = create_db_engine(sqlite_url(path))
    schema.upgrade(engine)
    # Closing the last connection checkpoints the WAL into the main file.
    engine.dispose()
    return path


@pytest.fixture
def sqlite_db_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "wms.sqlite3"
    shutil.copyfile(sqlite_template, path)
    wal = sqlite_template.with_name(sqlite_template.name + "-wal")
    if wal.exists():
        shutil.copyfile(wal, path.with_name(path.name + "-wal"))
    return sqlite_url(path)


def _require_pg() -> None:
    if not _pg_reachable():
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL at {PG_URL} is not reachable (required in CI)")
        pytest.skip(f"PostgreSQL at {PG_URL} is not reachable; set WMS_DESK_TEST_PG")


@contextlib.contextmanager
def _scratch_database(prefix: str, template: str | None = None) -> Iterator[str]:
    """CREATE a uniquely named database (optionally from a template), yield it, DROP it."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as connection:
        clause = f' TEMPLATE "{template}"' if template else ""
        connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    try:
        yield name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _url_of(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated PostgreSQL template database per test process."""
    _require_pg()
    with _scratch_database(f"wms_tpl_{_worker()}") as name:
        engine = create_db_engine(_url_of(name))
        schema.upgrade(engine)
        engine.dispose()
        yield name


@pytest.fixture
def pg_db_url(pg_template: str) -> Iterator[str]:
    with _scratch_database("wms_t", template=pg_template) as name:
        yield _url_of(name)


@pytest.fixture
def empty_pg_url() -> Iterator[str]:
    """A brand-new PostgreSQL database with no schema at all."""
    _require_pg()
    with _scratch_database("wms_empty") as name:
        yield _url_of(name)


@pytest.fixture
def db_url(request: pytest.FixtureRequest) -> str:
    """A migrated database on the backend this run tests (WMS_DESK_TEST_BACKEND)."""
    name = "pg_db_url" if BACKEND == "postgresql" else "sqlite_db_url"
    return request.getfixturevalue(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_db_url(request: pytest.FixtureRequest) -> str:
    """For tests that must hold on both backends in every run."""
    return request.getfixturevalue(
        "pg_db_url" if request.param == "postgresql" else "sqlite_db_url"
    )


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    db = Database(db_url)
    yield db
    db.dispose()


@pytest.fixture
def system_ctx(database: Database) -> ServiceContext:
    from wms_desk.services.stations import ensure_station

    station = ensure_station(database, "test-station")
    return ServiceContext(database, system_actor(station.id, station.name))


@pytest.fixture
def make_ctx(system_ctx: ServiceContext):
    """Create a user with `role` and return a context acting as them at the test station."""
    from wms_desk.services import users
    from wms_desk.services.context import Actor

    def make(role: Role | str, username: str | None = None) -> ServiceContext:
        role = Role(role)
        info = users.add_user(
            system_ctx, username or f"{role.value}-{uuid.uuid4().hex[:6]}", role.value, "secret-pw"
        )
        actor = Actor(
            info.id,
            info.username,
            info.display_name,
            role,
            system_ctx.actor.station_id,
            system_ctx.actor.station_name,
        )
        return system_ctx.as_actor(actor)

    return make
