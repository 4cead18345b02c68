"""Who is acting, where, and on which database: passed explicitly to every service call."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from wms_desk.domain.roles import Permission, Role, can, require
from wms_desk.services.database import Database

if TYPE_CHECKING:
    from wms_desk.services.station_bindings import StationBindings


@dataclass(frozen=True)
class Actor:
    """The signed-in user at a station (or the system itself, for IT commands)."""

    user_id: int | None
    username: str
    display_name: str
    role: Role
    station_id: int | None
    station_name: str

    def can(self, permission: Permission) -> bool:
        return can(self.role, permission)

    def require(self, permission: Permission) -> None:
        require(self.role, permission)


@dataclass(frozen=True)
class ServiceContext:
    """Which database, who acts, and (when the composition root knows) this station's devices
    and printers for this run."""

    database: Database
    actor: Actor
    bindings: StationBindings | None = field(default=None, compare=False)

    def as_actor(self, actor: Actor) -> ServiceContext:
        return replace(self, actor=actor)


def system_actor(station_id: int | None = None, station_name: str = "") -> Actor:
    """IT commands on the command line act as the system: whoever can reach the DB is IT."""
    return Actor(None, "system", "System", Role.ADMIN, station_id, station_name)
