"""Logging to a rotating file in the data folder, so a support call can start from facts."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path


def setup_logging(data_dir: Path, level: int = logging.INFO) -> Path | None:
    """Log to data_dir/logs/wms-desk.log (1 MB x 5); returns the path, or None if unwritable."""
    folder = data_dir / "logs"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            folder / "wms-desk.log", maxBytes=1_000_000, backupCount=5, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    return folder / "wms-desk.log"
