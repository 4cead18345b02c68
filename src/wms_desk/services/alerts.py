"""Supervisor alerts: raised once per cause (a tracking exception...), listed, acknowledged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from wms_desk.db.models import Alert, Order, Shipment, User
from wms_desk.domain.roles import Permission
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import NotFound
from wms_desk.services.uow import UnitOfWork, insert_ignoring_duplicates, read_only, unit_of_work


@dataclass(frozen=True)
class AlertInfo:
    id: int
    kind: str
    order_number: str
    tracking: str
    message: str
    raised_at: datetime
    acknowledged_at: datetime | None = None
    acknowledged_by: str = ""

    @property
    def open(self) -> bool:
        return self.acknowledged_at is None

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "kind": self.kind,
            "order": self.order_number or None,
            "tracking": self.tracking or None,
            "message": self.message,
            "raised_at": self.raised_at.isoformat(),
            "acknowledged_at": self.acknowledged_at.isoformat() if self.acknowledged_at else None,
            "acknowledged_by": self.acknowledged_by or None,
        }


@dataclass(frozen=True)
class Acknowledged:
    alert: AlertInfo
    already: bool

    @property
    def message(self) -> str:
        a = self.alert
        about = f" (order {a.order_number})" if a.order_number else ""
        if self.already:
            return (
                f"Alert {a.id}{about} was acknowledged already by {a.acknowledged_by or 'someone'}."
            )
        return f"Alert {a.id}{about} acknowledged: {a.message}"


def raise_alert(
    uow: UnitOfWork,
    kind: str,
    message: str,
    dedupe_key: str,
    order_id: int | None = None,
    shipment_id: int | None = None,
) -> int | None:
    """Insert an alert unless one with `dedupe_key` exists; the new alert's id, else None."""
    values = {
        "kind": kind,
        "order_id": order_id,
        "shipment_id": shipment_id,
        "message": message,
        "dedupe_key": dedupe_key,
        "raised_at": uow.now,
    }
    if not insert_ignoring_duplicates(uow.session, Alert, values, "dedupe_key"):
        return None
    alert_id = uow.session.scalar(select(Alert.id).where(Alert.dedupe_key == dedupe_key))
    uow.audit("alert.raised", "alert", alert_id, None, {"kind": kind, "message": message})
    return alert_id


def _rows(session: Session, *where: object) -> tuple[AlertInfo, ...]:
    from wms_desk.db.models import ShipmentLabel

    by = aliased(User)
    tracking = (
        select(ShipmentLabel.tracking)
        .where(ShipmentLabel.shipment_id == Alert.shipment_id)
        .order_by(ShipmentLabel.seq)
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(Alert, Order.number, tracking, by.username)
        .outerjoin(Order, Order.id == Alert.order_id)
        .outerjoin(Shipment, Shipment.id == Alert.shipment_id)
        .outerjoin(by, by.id == Alert.acknowledged_by_id)
        .where(*where)  # type: ignore[arg-type]
        .order_by(Alert.raised_at.desc(), Alert.id.desc())
    )
    return tuple(
        AlertInfo(
            a.id,
            a.kind,
            number or "",
            code or "",
            a.message,
            a.raised_at,
            a.acknowledged_at,
            user or "",
        )
        for a, number, code, user in session.execute(query)
    )


@read_only
def _list(session: Session, open_only: bool) -> tuple[AlertInfo, ...]:
    return _rows(session, *((Alert.acknowledged_at.is_(None),) if open_only else ()))


def list_alerts(ctx: ServiceContext, open_only: bool = True) -> tuple[AlertInfo, ...]:
    """Newest first; open ones only unless `open_only` is False."""
    ctx.actor.require(Permission.VIEW_QUEUE)
    return _list(ctx, open_only)


@unit_of_work(Permission.HOLD_ORDERS)
def acknowledge_alert(uow: UnitOfWork, alert_id: int) -> Acknowledged:
    """A supervisor has seen it. Acknowledging twice changes nothing and says who did it."""
    alert = uow.session.get(Alert, alert_id)
    if alert is None:
        raise NotFound(f"There is no alert {alert_id}. `wms-desk alerts list --all` shows them.")
    already = alert.acknowledged_at is not None
    if not already:
        alert.acknowledged_at = uow.now
        alert.acknowledged_by_id = uow.actor.user_id
        uow.audit("alert.acknowledged", "alert", alert.id, None, {"kind": alert.kind})
        uow.session.flush()
    (info,) = _rows(uow.session, Alert.id == alert_id)
    if not already and not info.acknowledged_by:
        info = AlertInfo(**{**info.__dict__, "acknowledged_by": uow.actor.username})
    return Acknowledged(info, already)
