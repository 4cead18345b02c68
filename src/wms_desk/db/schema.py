"""Schema revisions: upgrade to head, and refuse to run on a schema this build does not know."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


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
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations shipped"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


@dataclass(frozen=True)
class SchemaState:
    found: str | None
    needed: str

    @property
    def up_to_date(self) -> bool:
        return self.found == self.needed


def schema_state(engine: Engine) -> SchemaState:
    return SchemaState(current_revision(engine), head_revision())


def check_schema(engine: Engine) -> None:
    """Raise SchemaMismatch unless the database is exactly at this build's head revision."""
    state = schema_state(engine)
    if state.up_to_date:
        return
    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    raise SchemaMismatch(state.found, state.needed, newer=state.found not in known)


def check_newer_than_known(engine: Engine) -> None:
    """Refuse to touch a database written by a newer wms-desk (its revision is unknown here)."""
    found = current_revision(engine)
    if found is None:
        return
    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if found not in known:
        raise SchemaMismatch(found, head_revision(), newer=True)
