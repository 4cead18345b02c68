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
SCHEMA_HEAD = "0002"
VERSION_TABLE = "alembic_version"


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Alembic hook: hide objects models cannot express (FTS5 tables) from autogenerate."""
    from wms_desk.db.queries.search import is_unmodelled_table

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
