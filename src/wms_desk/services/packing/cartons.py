"""Supervisor set-up for packing: carton types and each station's scan rules."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.db.models import Carton, Station, StationRule
from wms_desk.domain.roles import Permission
from wms_desk.domain.station_rules import StationRules
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.uow import UnitOfWork, read_only, unit_of_work


@dataclass(frozen=True)
class CartonInfo:
    code: str
    name: str
    barcode: str
    length_mm: int
    width_mm: int
    height_mm: int
    max_weight_g: Decimal
    tare_g: Decimal
    active: bool


def _info(c: Carton) -> CartonInfo:
    return CartonInfo(
        c.code,
        c.name,
        c.barcode,
        c.length_mm,
        c.width_mm,
        c.height_mm,
        c.max_weight_g,
        c.tare_g,
        c.active,
    )


@read_only
def _list(session: Session, include_inactive: bool) -> list[CartonInfo]:
    query = select(Carton).order_by(Carton.length_mm * Carton.width_mm * Carton.height_mm)
    if not include_inactive:
        query = query.where(Carton.active.is_(True))
    return [_info(c) for c in session.scalars(query)]


def list_cartons(ctx: ServiceContext, include_inactive: bool = False) -> list[CartonInfo]:
    return _list(ctx, include_inactive)


@unit_of_work(Permission.CHANGE_SETTINGS)
def save_carton(uow: UnitOfWork, carton: CartonInfo) -> CartonInfo:
    """Add or change a carton type (by code), audited; dimensions and weights are checked."""
    if min(carton.length_mm, carton.width_mm, carton.height_mm) <= 0:
        raise ValidationFailed(f"Carton {carton.code}: inner dimensions must be above 0 mm.")
    if carton.max_weight_g <= 0 or carton.tare_g < 0:
        raise ValidationFailed(
            f"Carton {carton.code}: the maximum weight must be above 0 g, the tare 0 g or more."
        )
    if not carton.code.strip() or not carton.barcode.strip():
        raise ValidationFailed("A carton needs a code and a barcode.")
    clash = uow.session.scalar(
        select(Carton.code).where(Carton.barcode == carton.barcode, Carton.code != carton.code)
    )
    if clash:
        raise ValidationFailed(f"Barcode {carton.barcode} already belongs to carton {clash}.")
    row = uow.session.scalar(select(Carton).where(Carton.code == carton.code))
    before = _info(row).__dict__ if row else None
    if row is None:
        row = Carton(code=carton.code, created_at=uow.now)
        uow.session.add(row)
    for field in ("name", "barcode", "length_mm", "width_mm", "height_mm", "active"):
        setattr(row, field, getattr(carton, field))
    row.max_weight_g, row.tare_g = carton.max_weight_g, carton.tare_g
    uow.session.flush()
    after = {k: str(v) for k, v in _info(row).__dict__.items()}
    uow.audit(
        "carton.saved",
        "carton",
        carton.code,
        before={k: str(v) for k, v in before.items()} if before else None,
        after=after,
    )
    return _info(row)


@unit_of_work(Permission.CHANGE_SETTINGS)
def save_station_rules(uow: UnitOfWork, station_id: int, rules: StationRules) -> StationRules:
    """A station's pick/pack scan policy and work filter, audited."""
    if uow.session.get(Station, station_id) is None:
        raise NotFound(f"Station {station_id} does not exist.")
    row = uow.session.get(StationRule, station_id)
    before = dict(row.rules) if row else None
    if row is None:
        row = StationRule(station_id=station_id)
        uow.session.add(row)
    row.rules = rules.to_dict()
    row.updated_at = uow.now
    uow.audit("station.rules_changed", "station", station_id, before=before, after=row.rules)
    return rules
