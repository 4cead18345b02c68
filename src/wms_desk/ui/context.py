"""What every screen gets, declared: services, tasks, settings, the station's parts."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wms_desk.settings import Settings
from wms_desk.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the station window paints before the database layer is imported
    from PySide6.QtCore import QSettings

    from wms_desk.services.context import Actor, ServiceContext
    from wms_desk.services.station_bindings import StationBindings
    from wms_desk.ui.change_signals import ChangeSignals
    from wms_desk.ui.device_hub import DeviceHub
    from wms_desk.ui.feedback import ScanFeedback
    from wms_desk.ui.print_worker import QtPrintWorker
    from wms_desk.ui.widgets.toast import Toast


@dataclass
class UiContext:
    """Passed explicitly to each screen's constructor (git-cola style: no globals).

    The composition root (app.gui) fills every attribute; a test of one screen may leave the
    station's parts out (None), and the screen then does without them.
    """

    services: ServiceContext
    tasks: TaskRunner
    settings: Settings
    # Where screens keep their own view state (columns, splitters); None: not remembered.
    qsettings: QSettings | None = None
    devices: DeviceHub | None = None
    print_worker: QtPrintWorker | None = None
    # Refresh from here: a commit anywhere (this station or another) lands as `changed`.
    changes: ChangeSignals | None = None
    feedback: ScanFeedback | None = None
    toast: Toast | None = None

    @property
    def actor(self) -> Actor:
        return self.services.actor

    @property
    def bindings(self) -> StationBindings | None:
        return self.services.bindings

    def building(self) -> AbstractContextManager[None]:
        """`with ui.building():` around building a screen: its events skip the wedge filter."""
        return self.devices.building() if self.devices is not None else nullcontext()
