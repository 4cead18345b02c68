"""Composition root: settings -> database -> station -> devices/printers -> MainWindow."""

from __future__ import annotations

from pathlib import Path

from wms_desk.settings import Settings

EMBEDDED_FILE = "wms_desk.sqlite3"
DEMO_FILE = "demo.sqlite3"


def resolve_database_url(settings: Settings) -> str:
    """--db may be a URL or a plain file path; without it, the data folder's embedded file."""
    from wms_desk.db.engine import sqlite_url

    db = settings.db
    if db:
        return db if "://" in db else sqlite_url(Path(db).expanduser().resolve())
    name = DEMO_FILE if settings.demo else EMBEDDED_FILE
    return sqlite_url(settings.data_path / name)


def run_gui(settings: Settings) -> int:
    from wms_desk.ui.application import run

    return run(settings)
