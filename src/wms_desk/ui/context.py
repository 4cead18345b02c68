"""What every screen gets: the signed-in user's service context, the task runner, the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wms_desk.settings import Settings
from wms_desk.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the station window paints before the database layer is imported
    from wms_desk.services.context import Actor, ServiceContext


@dataclass
class UiContext:
    """Passed explicitly to each screen's constructor (git-cola style: no globals)."""

    services: ServiceContext
    tasks: TaskRunner
    settings: Settings
    # Filled in by the composition root: the station's device bridge, print worker, etc.
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def actor(self) -> Actor:
        return self.services.actor
