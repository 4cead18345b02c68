"""Fixtures the CLI tests share (and some they borrow from other folders)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.printing.conftest import make_order
from wms_desk.cli.main import main

__all__ = ["make_order", "wms"]


@pytest.fixture
def wms(db_url: str, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """`wms("orders", "show", ...)` runs the CLI in-process at station cli-test on the test
    database and returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", db_url, "--station", "cli-test", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run
