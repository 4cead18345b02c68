"""Schema revisions: upgrade to head, and refuse to run on a schema this build does not know."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest migration's revision. Start-up compares against it without loading Alembic,
# which keeps opening the app fast; a test keeps it equal to the real Alembic head.
SCHEMA_HEAD = "0015"
VERSION_TABLE = "alembic_version"


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic hook: hide objects models cannot express (FTS5 tables, PostgreSQL's claim-queue
    indexes) from autogenerate."""
    from wms_desk.db.queries.claim_queue import is_unmodelled_index
    from wms_desk.db.queries.search import is_unmodelled_table

    if type_ == "index" and reflected and is_unmodelled_index(name):
        return False
    return not (type_ == "table" and reflected and is_unmodelled_table(name))


class SchemaMismatch(Exception):
    """The database's schema revision is not the one this build of wms-desk needs."""

    def __init__(self, found: str | None, needed: str, newer: bool) -> None:
        self.found, self.needed, self.newer = found, needed, newer
        if found is None:
            what = "The database has no wms-desk schema yet"
            todo = "Run `wms-desk db upgrade` once, from one station, to create it."
        elif newer:
            what = f"The database is at schema revision {found}, which is newer than this program"
            todo = f"This program needs revision {needed}: update wms-desk on this station."
        else:
            what = f"The database is at schema revision {found}, older than this program needs"
            todo = f"Run `wms-desk db upgrade` to bring it to revision {needed}."
        super().__init__(f"{what}. {todo}")


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations shipped"
    return head


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        return connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


@dataclass(frozen=True)
class SchemaState:
    found: str | None
    needed: str

    @property
    def up_to_date(self) -> bool:
        return self.found == self.needed


def schema_state(engine: Engine) -> SchemaState:
    return SchemaState(current_revision(engine), SCHEMA_HEAD)


def check_schema(engine: Engine) -> None:
    """Raise SchemaMismatch unless the database is exactly at this build's head revision."""
    state = schema_state(engine)
    if state.up_to_date:
        return
    newer = state.found is not None and state.found not in known_revisions()
    raise SchemaMismatch(state.found, state.needed, newer=newer)


def check_newer_than_known(engine: Engine) -> None:
    """Refuse to touch a database written by a newer wms-desk (its revision is unknown here)."""
    found = current_revision(engine)
    if found is not None and found != SCHEMA_HEAD and found not in known_revisions():
        raise SchemaMismatch(found, SCHEMA_HEAD, newer=True)


# The ledger and the audit trail: a station may add rows and read them, never change them.
APPEND_ONLY_TABLES = ("audit_events", "stock_moves")


class GrantRefused(Exception):
    """The station role cannot be given its rights safely; the message says what to do."""


@dataclass(frozen=True)
class StationGrants:
    role: str
    read_write: tuple[str, ...]  # SELECT, INSERT, UPDATE, DELETE
    append_only: tuple[str, ...]  # SELECT, INSERT
    read_only: tuple[str, ...]  # SELECT


def grant_station_role(engine: Engine, role: str) -> StationGrants:
    """Give a PostgreSQL role exactly what a station needs, and nothing on the schema itself.

    The role must exist, must not be a superuser and must not own the tables: an owner can drop
    the append-only triggers. No table gets TRUNCATE; the ledger and audit trail get SELECT and
    INSERT only. Run again after every upgrade, so new tables get their rights too.
    """
    if engine.dialect.name != "postgresql":
        raise GrantRefused(
            "Station roles are for a shared PostgreSQL database; an embedded SQLite file has "
            "no roles. Run `wms-desk db upgrade` without --grant-to."
        )
    quote = engine.dialect.identifier_preparer.quote
    with engine.begin() as connection:
        found = connection.execute(
            text("SELECT rolsuper FROM pg_roles WHERE rolname = :role"), {"role": role}
        ).first()
        if found is None:
            raise GrantRefused(
                f"There is no PostgreSQL role named {role}. Create it first, as the owner: "
                f"CREATE ROLE {quote(role)} LOGIN PASSWORD '...'; then run this again."
            )
        if found.rolsuper:
            raise GrantRefused(
                f"{role} is a superuser, which can rewrite the audit trail whatever is granted. "
                "Give the stations an ordinary role of their own."
            )
        schema_name = connection.execute(text("SELECT current_schema()")).scalar_one()
        owned = connection.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = :schema "
                "AND pg_has_role(:role, tableowner, 'MEMBER') ORDER BY tablename"
            ),
            {"schema": schema_name, "role": role},
        ).scalars()
        owned_names = list(owned)
        if owned_names:
            raise GrantRefused(
                f"{role} owns (or is a member of the owner of) {', '.join(owned_names[:3])}"
                f"{' ...' if len(owned_names) > 3 else ''}, so it could drop the append-only "
                "triggers. Run `wms-desk db upgrade` as the owner role and grant to a separate "
                "station role."
            )
        tables = sorted(inspect(connection).get_table_names(schema=schema_name))
        who, where = quote(role), quote(schema_name)
        database = quote(connection.execute(text("SELECT current_database()")).scalar_one())
        connection.execute(text(f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {who}"))
        connection.execute(text(f"GRANT USAGE ON SCHEMA {where} TO {who}"))
        read_write: list[str] = []
        append_only: list[str] = []
        read_only: list[str] = []
        for table in tables:
            name = f"{where}.{quote(table)}"
            # Start from nothing, so a right given by hand earlier (UPDATE, TRUNCATE) is gone.
            connection.execute(text(f"REVOKE ALL ON {name} FROM {who}"))
            if table in APPEND_ONLY_TABLES:
                rights, bucket = "SELECT, INSERT", append_only
            elif table == VERSION_TABLE:
                rights, bucket = "SELECT", read_only
            else:
                rights, bucket = "SELECT, INSERT, UPDATE, DELETE", read_write
            connection.execute(text(f"GRANT {rights} ON {name} TO {who}"))
            bucket.append(table)
        connection.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {who}"))
    return StationGrants(role, tuple(read_write), tuple(append_only), tuple(read_only))
