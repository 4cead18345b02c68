"""`wms-desk db info`: which database a command uses, and a database without a schema is exit 1."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from tests.cli.test_cli_foundation import wms


def test_a_database_without_a_schema_is_exit_1_and_says_how_to_create_it(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    sqlite3.connect(path).close()
    result = wms("--db", str(path), "db", "info")
    assert result.returncode == 1
    assert "revision: none" in result.stdout and str(path) in result.stdout  # what it knows
    assert "no wms-desk schema" in result.stderr and "db upgrade" in result.stderr
    as_json = wms("--db", str(path), "db", "info", "--json")
    assert as_json.returncode == 1 and json.loads(as_json.stdout)["revision"] is None
    assert "db upgrade" in as_json.stderr
    assert wms("--db", str(path), "db", "upgrade").returncode == 0
    assert wms("--db", str(path), "db", "info").returncode == 0


def test_an_empty_postgresql_database_is_exit_1_too(empty_pg_url: str) -> None:
    result = wms("--db", empty_pg_url, "db", "info", "--json")
    assert result.returncode == 1 and json.loads(result.stdout)["revision"] is None
    assert "wms-desk [--db URL] db upgrade" in result.stderr


def test_db_info_says_the_default_database_is_not_the_demo_one(tmp_path: Path) -> None:
    data = {"WMS_DESK_DATA_DIR": str(tmp_path)}
    assert wms("db", "upgrade", env_extra=data).returncode == 0
    # No demo database yet: nothing to confuse it with.
    alone = json.loads(wms("db", "info", "--json", env_extra=data).stdout)
    assert (alone["source"], alone["demo_file"]) == ("default", None)
    assert wms("--demo", "db", "upgrade", env_extra=data).returncode == 0

    default = wms("db", "info", "--json", env_extra=data)
    assert default.returncode == 0, default.stderr
    info = json.loads(default.stdout)
    assert info["source"] == "default" and info["url"].endswith("wms_desk.sqlite3")
    assert info["demo_file"] == str(tmp_path / "demo.sqlite3")
    text = wms("db", "info", env_extra=data).stdout
    assert "default embedded file" in text and "add --demo to use it" in text

    demo = json.loads(wms("--demo", "db", "info", "--json", env_extra=data).stdout)
    assert demo["source"] == "demo" and demo["url"].endswith("demo.sqlite3")
    assert demo["demo_file"] is None
    given = json.loads(wms("--db", info["url"], "db", "info", "--json", env_extra=data).stdout)
    assert given["source"] == "given"
