#!/usr/bin/env python3
"""Set-up and run in one step: `python3 dev.py demo` opens the app, `python3 dev.py test` tests it.

Needs only Python 3.11+; it creates .venv beside this file and installs what the command needs
(again only when pyproject.toml changed). Extra arguments go to the app or to pytest.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_venv(extra: str) -> None:
    # dev.py runs on whatever python3 the machine has, so this check is real.
    if sys.version_info < (3, 11):  # noqa: UP036
        sys.exit(f"wms-desk needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print(f"creating {VENV} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    fingerprint = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = VENV / f".installed-{extra or 'app'}-{fingerprint}"
    if stamp.exists():
        return
    print("installing wms-desk and its dependencies (first run only) …", flush=True)
    target = f".[{extra}]" if extra else "."
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True, cwd=ROOT
    )
    subprocess.run(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "-e", target], check=True, cwd=ROOT
    )
    for old in VENV.glob(f".installed-{extra or 'app'}-*"):
        old.unlink()
    stamp.touch()


NO_DISPLAY = """\
dev.py demo: there is no display here (DISPLAY and WAYLAND_DISPLAY are not set), so the app's
window cannot open. On a machine without a screen, run it on a virtual display:

    xvfb-run -a python3 dev.py demo        (Debian/Ubuntu: sudo apt install xvfb)

or start it without showing anything: QT_QPA_PLATFORM=offscreen python3 dev.py demo"""


# What Qt's xcb plugin loads beyond a bare X11 client (PySide6 6.x); Qt's own hint names only
# the first, though on a fresh Debian the next two were the missing ones.
XCB_PACKAGES = "libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0"
QT_ABORTED = f"""\
dev.py demo: the app could not open its window. If Qt said it could not load the platform
plugin "xcb", the X11 libraries it needs are missing; on Debian/Ubuntu:

    sudo apt install {XCB_PACKAGES}"""


def display_problem(environ: dict[str, str], platform: str = sys.platform) -> str | None:
    """On Linux a window needs X11 or Wayland; without either Qt fails with a cryptic hint."""
    if not platform.startswith("linux"):
        return None  # Windows and macOS always have their own window system
    if any(environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        return None
    return NO_DISPLAY


def demo(args: list[str]) -> int:
    problem = display_problem(dict(os.environ))
    if problem:
        print(problem, file=sys.stderr)
        return 1
    ensure_venv("")
    code = subprocess.call([str(PYTHON), "-m", "wms_desk", "--demo", *args], cwd=ROOT)
    if code == -signal.SIGABRT and sys.platform.startswith("linux"):  # Qt aborts, no message
        print(QT_ABORTED, file=sys.stderr)
    return code


def test(args: list[str]) -> int:
    ensure_venv("test")
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    command = [str(PYTHON), "-m", "pytest", "-n", "2", "-q", *args]
    return subprocess.call(command, cwd=ROOT, env=env)


def main() -> int:
    commands = {"demo": demo, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__.strip(), file=sys.stderr)
        print("\nusage: python3 dev.py demo|test [ARGS...]", file=sys.stderr)
        return 2
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
