"""`dev.py demo` without a display says so and how to run it, instead of Qt's xcb hint."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _dev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "dev.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_display_of_any_kind_is_enough() -> None:
    dev = _dev()
    assert dev.display_problem({}, "linux") is not None
    for name, value in (
        ("DISPLAY", ":0"),
        ("WAYLAND_DISPLAY", "wayland-0"),
        ("QT_QPA_PLATFORM", "offscreen"),
    ):
        assert dev.display_problem({name: value}, "linux") is None
    assert dev.display_problem({"DISPLAY": ""}, "linux") is not None
    assert dev.display_problem({}, "win32") is None and dev.display_problem({}, "darwin") is None


def test_demo_without_a_display_says_so_and_starts_nothing(tmp_path: Path) -> None:
    # A copy in an empty folder: were the check missing, it would fail there, not install.
    shutil.copy(ROOT / "dev.py", tmp_path / "dev.py")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}
    }
    result = subprocess.run(
        [sys.executable, str(tmp_path / "dev.py"), "demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    if not sys.platform.startswith("linux"):
        return  # only Linux can lack a window system
    assert result.returncode == 1
    assert (
        "there is no display" in result.stderr
        and "xvfb-run -a python3 dev.py demo" in result.stderr
    )
    assert not (tmp_path / ".venv").exists()


def test_a_qt_abort_names_the_missing_x11_libraries(monkeypatch, capsys) -> None:
    dev = _dev()
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.setattr(dev, "ensure_venv", lambda extra: None)
    monkeypatch.setattr(dev.subprocess, "call", lambda *a, **k: -dev.signal.SIGABRT)
    monkeypatch.setattr(dev.sys, "platform", "linux")
    assert dev.demo([]) == -dev.signal.SIGABRT
    assert "sudo apt install libxcb-cursor0 libxcb-icccm4" in capsys.readouterr().err
    monkeypatch.setattr(dev.subprocess, "call", lambda *a, **k: 0)
    assert dev.demo([]) == 0 and capsys.readouterr().err == ""
