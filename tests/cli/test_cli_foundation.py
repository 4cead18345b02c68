"""The `wms-desk` command as IT runs it: a real process, real database, exit codes and messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def wms(
    *args: str,
    stdin: str | None = None,
    env_extra: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WMS_DESK_")}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "wms_desk", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=cwd,
    )


def test_db_info_shows_url_without_password_revision_and_counts(db_url: str) -> None:
    result = wms("--db", db_url, "db", "info", "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["revision"] == info["needed"]
    assert info["counts"]["orders"] == 0 and "users" in info["counts"]
    assert info["mode"] in {"embedded", "shared"}
    text = wms("--db", db_url, "db", "info")
    assert "revision:" in text.stdout and "orders:" in text.stdout


def test_db_info_hides_the_password() -> None:
    result = wms("--db", "postgresql+psycopg://clerk:s3cret@127.0.0.1:1/wms", "db", "info")
    assert result.returncode == 1
    assert "s3cret" not in result.stdout + result.stderr
    assert "***" in result.stderr and "Cannot reach the database" in result.stderr


def test_user_add_with_password_from_stdin_then_list(db_url: str) -> None:
    added = wms(
        "--db",
        db_url,
        "user",
        "add",
        "kim",
        "--role",
        "packer",
        "--badge",
        "K-1",
        "--password-stdin",
        stdin="long-enough\n",
    )
    assert added.returncode == 0, added.stderr
    assert "added packer 'kim' with a badge" in added.stdout
    listed = wms("--db", db_url, "user", "list", "--json")
    users = json.loads(listed.stdout)
    assert [(u["username"], u["role"], u["badge"]) for u in users] == [("kim", "packer", True)]


def test_user_add_errors_go_to_stderr_with_nonzero_exit(db_url: str) -> None:
    first = wms(
        "--db",
        db_url,
        "user",
        "add",
        "kim",
        "--role",
        "packer",
        "--password-stdin",
        stdin="long-enough\n",
    )
    assert first.returncode == 0
    taken = wms(
        "--db",
        db_url,
        "user",
        "add",
        "kim",
        "--role",
        "packer",
        "--password-stdin",
        stdin="long-enough\n",
    )
    assert taken.returncode == 1 and "is taken" in taken.stderr and taken.stdout == ""
    short = wms(
        "--db", db_url, "user", "add", "lee", "--role", "packer", "--password-stdin", stdin="abc\n"
    )
    assert short.returncode == 1 and "at least 6 characters" in short.stderr


@pytest.mark.parametrize(
    "args",
    [("user", "add", "kim"), ("user", "add", "kim", "--role", "boss"), ("db",), ("frobnicate",)],
)
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    result = wms(*args)
    assert result.returncode == 2 and "usage:" in result.stderr


def test_db_upgrade_creates_then_reports_current(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    first = wms("--db", str(path), "db", "upgrade")
    assert first.returncode == 0 and "upgraded from empty to" in first.stdout
    again = wms("--db", str(path), "db", "upgrade")
    assert again.returncode == 0 and "already at revision" in again.stdout


def test_seed_demo_fills_an_empty_database_and_refuses_a_second_time(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    seeded = wms("--db", str(path), "db", "seed-demo", "--orders", "40", "--seed", "3")
    assert seeded.returncode == 0, seeded.stderr
    assert "40 orders" in seeded.stdout and "pat" in seeded.stdout
    info = json.loads(wms("--db", str(path), "db", "info", "--json").stdout)
    assert info["counts"]["orders"] == 40 and info["counts"]["products"] >= 60
    # 150 storage bins plus the staging and dock areas picking and packing move goods through.
    assert info["counts"]["bins"] == 152
    again = wms("--db", str(path), "db", "seed-demo")
    assert again.returncode == 1 and "already has products" in again.stderr


def test_config_file_and_env_supply_the_database(tmp_path: Path) -> None:
    path = tmp_path / "from-config.sqlite3"
    config = tmp_path / "config.toml"
    config.write_text(f'db = "{path}"\n')
    result = wms("--config", str(config), "db", "upgrade")
    assert result.returncode == 0 and str(path) in result.stdout
    env_path = tmp_path / "from-env.sqlite3"
    result = wms("db", "upgrade", env_extra={"WMS_DESK_DB": str(env_path)})
    assert str(env_path) in result.stdout
