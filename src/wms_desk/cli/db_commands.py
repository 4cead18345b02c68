"""`wms-desk db upgrade | info | seed-demo`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wms_desk.cli.env import CliEnv, CommandError

if TYPE_CHECKING:
    from wms_desk.services.database import Database


def register(subparsers: Any) -> None:
    db = subparsers.add_parser("db", help="create, upgrade and inspect the database")
    commands = db.add_subparsers(dest="db_command", metavar="COMMAND", required=True)

    upgrade = commands.add_parser("upgrade", help="upgrade the schema to this version's revision")
    upgrade.add_argument(
        "--grant-to",
        metavar="ROLE",
        help="PostgreSQL: then give the stations' role only what it needs (run as the owner)",
    )
    upgrade.set_defaults(run=run_upgrade)

    info = commands.add_parser("info", help="show the URL (password hidden), revision and counts")
    info.add_argument("--json", action="store_true", help="print one JSON object")
    info.set_defaults(run=run_info)

    seed = commands.add_parser("seed-demo", help="fill the database with realistic demo data")
    seed.add_argument("--orders", type=_positive, default=300, help="number of orders (300)")
    seed.add_argument("--seed", type=int, default=7, help="random seed for repeatable data (7)")
    seed.set_defaults(run=run_seed_demo)


def _positive(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be zero or more")
    return value


def run_upgrade(env: CliEnv) -> int:
    from wms_desk.db import badge_key, schema
    from wms_desk.services.database import Database

    database = Database(env.database_url())
    grant_to = env.args.grant_to
    if grant_to and database.is_sqlite:
        database.dispose()
        raise CommandError(
            "--grant-to is for a shared PostgreSQL database; an embedded SQLite file has no "
            "roles. Run `wms-desk db upgrade` without it."
        )
    database.ping()
    schema.check_newer_than_known(database.engine)
    before = schema.current_revision(database.engine)
    had_key_inside = _has_setting(database, badge_key.LEGACY_SETTING)
    schema.upgrade(database.engine)
    after = schema.current_revision(database.engine)
    if before == after:
        env.out(f"{database.display_url}: already at revision {after}")
    else:
        env.out(f"{database.display_url}: upgraded from {before or 'empty'} to {after}")
    if had_key_inside and not database.is_sqlite:
        source = badge_key.key_source(database.engine.url)
        env.out(
            f"The badge key moved out of the database into {source.describe()}. Give every "
            f"station the same key: copy that file to each station's data folder, or set "
            f"{badge_key.ENV_KEY} on each."
        )
    if grant_to:
        try:
            grants = schema.grant_station_role(database.engine, grant_to)
        except schema.GrantRefused as exc:
            raise CommandError(str(exc)) from exc
        finally:
            database.dispose()
        env.out(
            f"granted to {grants.role}: read and write on {len(grants.read_write)} tables, "
            f"SELECT and INSERT only on {', '.join(grants.append_only)}, "
            f"SELECT only on {', '.join(grants.read_only)}"
        )
    database.dispose()
    return 0


def which_database(env: CliEnv) -> tuple[str, Path | None]:
    """Where the URL came from ("given", "demo", "default"), and the demo file beside the
    default one when it exists: the demo (`dev.py demo`) and the plain CLI use different files."""
    from wms_desk.app.station import DEMO_FILE

    settings = env.settings
    if settings.db:
        return "given", None
    if settings.demo:
        return "demo", None
    demo = settings.data_path / DEMO_FILE
    return "default", demo if demo.exists() else None


def database_note(env: CliEnv) -> str | None:
    """One line for stderr when the default database is used while a demo database exists."""
    source, demo = which_database(env)
    if source != "default" or demo is None:
        return None
    return (
        f"note: this is the default database, not the demo's ({demo}); "
        "add --demo to use the demo database"
    )


def _has_setting(database: Database, key: str) -> bool:
    """Whether app_settings holds key (False on a database without the table yet)."""
    from sqlalchemy import inspect, text

    with database.engine.connect() as connection:
        if not inspect(connection).has_table("app_settings"):
            return False
        found = connection.execute(text("SELECT 1 FROM app_settings WHERE key = :k"), {"k": key})
        return found.first() is not None


def run_info(env: CliEnv) -> int:
    import json

    from wms_desk.services.database import Database
    from wms_desk.services.info import database_info

    database = Database(env.database_url())
    info = database_info(database)
    source, demo = which_database(env)
    if env.args.json:
        env.out(json.dumps({**info, "source": source, "demo_file": str(demo) if demo else None}))
    else:
        env.out(f"url:      {info['url']}")
        env.out(f"mode:     {info['mode']}")
        env.out(f"source:   {_SOURCES[source]}")
        if demo is not None:
            env.out(f"demo:     {demo} (a different file: add --demo to use it)")
        env.out(f"revision: {info['revision'] or 'none'} (this program needs {info['needed']})")
        for table, count in info["counts"].items():
            env.out(f"{table + ':':<10}{count}")
    database.dispose()
    if info["revision"] is None:
        raise CommandError(
            f"{info['url']} has no wms-desk schema yet. Create it with: "
            "wms-desk [--db URL] db upgrade"
        )
    return 0


_SOURCES = {
    "given": "chosen by --db, WMS_DESK_DB or the config file",
    "demo": "the demo database (--demo, as dev.py demo runs it)",
    "default": "the default embedded file (without --db or --demo)",
}


def run_seed_demo(env: CliEnv) -> int:
    from wms_desk.services.demo import seed_demo

    ctx = env.context()
    summary = seed_demo(ctx, orders=env.args.orders, seed=env.args.seed)
    env.out(
        f"seeded {summary.products} products, {summary.bins} bins, "
        f"{summary.orders} orders, users: {', '.join(summary.users)}"
    )
    return 0
