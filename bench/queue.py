"""Queue benchmark at a million orders (the code is in bench/queue_bench.py): one JSON line.

Usage: python bench/queue.py --backend sqlite|postgresql [--orders N] [--url URL] [--keep]

This file's name is also the standard library's `queue`. Any script run from bench/ that
imports `queue` (psycopg's COPY, concurrent.futures, ...) finds this file first, so when it
is imported rather than run, it hands over the standard library's module instead.
"""

from __future__ import annotations

import importlib.util
import sys
import sysconfig
from pathlib import Path
from types import ModuleType


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    # Nothing imported from here on may find this file as `queue`.
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    sys.exit(_load("queue_bench", here / "queue_bench.py").main())
else:
    _load("queue", Path(sysconfig.get_paths()["stdlib"]) / "queue.py")
