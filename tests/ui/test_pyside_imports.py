"""PySide6's per-import check, answered from the file's bytes: the same answers, installed."""

from __future__ import annotations

import importlib
import inspect
import sys
from types import ModuleType

import pytest

import wms_desk.ui  # noqa: F401  (installs the check)
from wms_desk.ui.pyside_imports import speed_up_import_check


def _pyside_answer(module: ModuleType) -> bool:
    """What shibokensupport.feature._mod_uses_pyside itself answers (PySide6 6.x)."""
    try:
        return "PySide6" in inspect.getsource(module)
    except (TypeError, OSError, SyntaxError):
        return False


def test_the_check_is_installed_once_wms_desk_ui_is_imported() -> None:
    feature = sys.modules["shibokensupport.feature"]
    assert getattr(feature._mod_uses_pyside, "_wms_desk_fast", False)
    assert speed_up_import_check() is True  # a second call keeps the one installed


@pytest.mark.parametrize(
    "name",
    [
        "json",  # the standard library
        "sys",  # built in
        "_ssl",  # an extension module
        "PySide6.QtCore",  # PySide6's own extension
        "wms_desk.ui.main_window",  # ours, with Qt
        "wms_desk.domain.roles",  # ours, without
        "wms_desk.ui",  # a package (its __init__.py)
    ],
)
def test_it_answers_as_pyside6_does(name: str) -> None:
    module = importlib.import_module(name)
    feature = sys.modules["shibokensupport.feature"]
    assert feature._mod_uses_pyside(module) is _pyside_answer(module)
