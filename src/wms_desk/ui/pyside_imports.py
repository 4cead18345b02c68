"""PySide6's check of every later import, made cheap: one file read instead of a tokenised parse.

Once PySide6 is loaded, its `__feature__` support asks of every module imported afterwards
whether its source mentions "PySide6" (`shibokensupport.feature._mod_uses_pyside`), through
`inspect.getsource`: each module's source is tokenised line by line and kept in linecache. At
start-up that is SQLAlchemy, our models and services, some 600 modules: about 0.1 s of the GUI
thread's or the database worker's time, and memory for sources nobody reads. The same question
is answered here from the file's bytes; anything that is not a plain .py file still gets
PySide6's own answer.
"""

from __future__ import annotations

import sys
from importlib.machinery import EXTENSION_SUFFIXES
from types import ModuleType

import shiboken6  # noqa: F401  (loads shibokensupport, whose check this replaces)

_MARK = "_wms_desk_fast"
_EXTENSIONS = tuple(EXTENSION_SUFFIXES)


def speed_up_import_check() -> bool:
    """Replace PySide6's per-import source check with a byte search; True if installed.

    Does nothing (and returns False) when the private hook is not where this PySide6 version
    keeps it: the app then starts exactly as before, only slower."""
    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or not callable(original):
        return False
    if getattr(original, _MARK, False):
        return True

    def mod_uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return b"PySide6" in source.read()
            except OSError:
                pass
        elif isinstance(path, str) and path.endswith(_EXTENSIONS):
            return False  # no source: PySide6's own check says False after a slower search
        return bool(original(module))

    setattr(mod_uses_pyside, _MARK, True)
    feature._mod_uses_pyside = mod_uses_pyside  # type: ignore[attr-defined]
    return True
