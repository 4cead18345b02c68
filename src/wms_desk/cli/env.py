"""What a command needs, resolved lazily from the global options: settings, database, context."""

from __future__ import annotations

import argparse
import sys
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from wms_desk.settings import Settings, load_settings

if TYPE_CHECKING:
    from wms_desk.app.station import Station
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
        self._told_database = False

    @cached_property
    def settings(self) -> Settings:
        cli = {
            "db": self.args.db,
            "station": self.args.station,
            "demo": self.args.demo or None,
            "scanner_port": getattr(self.args, "scanner", None),
            "scanner_suffix": getattr(self.args, "scanner_suffix", None),
            "scale_port": getattr(self.args, "scale", None),
            "scale_protocol": getattr(self.args, "scale_protocol", None),
            "label_printer": getattr(self.args, "label_printer", None),
            "document_printer": getattr(self.args, "document_printer", None),
        }
        config = Path(self.args.config) if self.args.config else None
        return load_settings(cli=cli, config_path=config)

    def database_url(self) -> str:
        from wms_desk.app.station import resolve_database_url
        from wms_desk.cli.db_commands import database_note

        if not self._told_database:
            # Once per command: the default file is used while a demo database exists.
            self._told_database = True
            note = database_note(self)
            if note:
                print(f"wms-desk: {note}", file=self.stderr)
        return resolve_database_url(self.settings)

    def open_database(self, prepare: bool = True) -> Database:
        """The database with its schema checked (embedded: upgraded; shared: only checked)."""
        from wms_desk.app.station import open_database

        return open_database(self.settings, prepare)

    def station(self, database: Database | None = None) -> Station:
        """This station, built by the composition root exactly as the GUI builds it."""
        from wms_desk.app.station import Station, binding_overrides
        from wms_desk.services.station_bindings import StationBindings
        from wms_desk.services.stations import ensure_station

        database = database or self.open_database()
        info = ensure_station(database, self.settings.station_name)
        bindings = StationBindings.resolve(info.bindings, binding_overrides(self.settings))
        return Station(database, info, bindings)

    def context(self, database: Database | None = None) -> ServiceContext:
        """A system context at this station: the CLI is for IT, who already hold the database."""
        return self.station(database).system

    def out(self, text: str = "") -> None:
        print(text, file=self.stdout)
