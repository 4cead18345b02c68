"""Stations: each names its devices and printers; created on first start under that name."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.db.models import Station
from wms_desk.domain.roles import Permission
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.errors import NotFound
from wms_desk.services.uow import UnitOfWork, insert_ignoring_duplicates, unit_of_work


@dataclass(frozen=True)
class StationInfo:
    id: int
    name: str
    description: str = ""
    bindings: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


def _info(station: Station) -> StationInfo:
    return StationInfo(station.id, station.name, station.description, dict(station.bindings))


def ensure_station_row(session: Session, name: str) -> Station:
    insert_ignoring_duplicates(
        session, Station, {"name": name, "description": "", "bindings": {}, "active": True}, "name"
    )
    station = session.scalar(select(Station).where(Station.name == name))
    assert station is not None
    return station


def ensure_station(database: Any, name: str) -> StationInfo:
    """Find this station by name, registering it on first start."""

    @unit_of_work()
    def work(uow: UnitOfWork) -> StationInfo:
        return _info(ensure_station_row(uow.session, name))

    return work(ServiceContext(database, system_actor(station_name=name)))


@unit_of_work(Permission.CHANGE_SETTINGS)
def save_bindings(uow: UnitOfWork, station_id: int, bindings: dict[str, Any]) -> StationInfo:
    _check_printers(bindings)
    station = uow.session.get(Station, station_id)
    if station is None:
        raise NotFound(f"Station {station_id} does not exist.")
    before = dict(station.bindings)
    station.bindings = dict(bindings)
    uow.audit("station.bindings_changed", "station", station.id, before=before, after=bindings)
    return _info(station)


@unit_of_work(Permission.CHANGE_SETTINGS)
def merge_bindings(uow: UnitOfWork, station_id: int, changes: dict[str, Any]) -> StationInfo:
    """Replace only the given keys (e.g. the printers), reading and writing in one transaction,
    so two panels saving their own parts never undo each other."""
    _check_printers(changes)
    station = uow.session.get(Station, station_id, with_for_update=True)
    if station is None:
        raise NotFound(f"Station {station_id} does not exist.")
    before = dict(station.bindings)
    station.bindings = {**before, **changes}
    uow.audit(
        "station.bindings_changed",
        "station",
        station.id,
        before={key: before.get(key) for key in changes},
        after=changes,
    )
    return _info(station)


def _check_printers(bindings: dict[str, Any]) -> None:
    """A printer address nothing here can print to is refused when set, not when printing."""
    # Imported here: printer_setup reaches documents and the print queue, which need stations.
    from wms_desk.services.printer_setup import check_printer_bindings

    check_printer_bindings(bindings)
