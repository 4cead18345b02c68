"""What a command needs, resolved lazily from the global options: settings, database, context."""

from __future__ import annotations

import argparse
import sys
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from wms_desk.settings import Settings, load_settings

if TYPE_CHECKING:
    from wms_desk.services.context import ServiceContext
    from wms_desk.services.database import Database


class CommandError(Exception):
    """A command failed for a reason the user can act on; printed to stderr, exit code 1."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class CliEnv:
    def __init__(self, args: argparse.Namespace, stdout: TextIO | None = None) -> None:
        self.args = args
        self.stdout = stdout or sys.stdout
        self.stderr = sys.stderr

    @cached_property
    def settings(self) -> Settings:
        cli = {"db": self.args.db, "station": self.args.station, "demo": self.args.demo or None}
        config = Path(self.args.config) if self.args.config else None
        return load_settings(cli=cli, config_path=config)

    def database_url(self) -> str:
        from wms_desk.app import resolve_database_url

        return resolve_database_url(self.settings)

    def open_database(self, prepare: bool = True) -> Database:
        """The database with its schema checked (embedded: upgraded; shared: only checked)."""
        from wms_desk.services.database import Database

        database = Database(self.database_url())
        if prepare:
            database.prepare()
        return database

    def context(self, database: Database | None = None) -> ServiceContext:
        """A system context at this station: the CLI is for IT, who already hold the database."""
        from wms_desk.services.context import ServiceContext, system_actor
        from wms_desk.services.stations import ensure_station

        database = database or self.open_database()
        station = ensure_station(database, self.settings.station_name)
        return ServiceContext(database, system_actor(station.id, station.name))

    def out(self, text: str = "") -> None:
        print(text, file=self.stdout)
