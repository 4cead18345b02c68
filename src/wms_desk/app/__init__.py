"""Composition root: settings -> database -> station -> devices -> print worker -> changes.

`app.station` builds what the GUI and the CLI share (no Qt); `app.gui` builds the station window
and its workers. Nothing below imports this package: it hands typed contexts down.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wms_desk.settings import Settings


def run_gui(settings: Settings) -> int:
    from wms_desk.app.gui import run

    return run(settings)
