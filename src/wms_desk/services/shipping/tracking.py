"""Tracking to delivery: record carrier scans once each, keep shipments' and orders' delivery
current, raise a supervisor alert for each exception; from webhook files, CSVs or polling."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from wms_desk.carriers.base import CarrierError
from wms_desk.carriers.easypost_tracking import TrackingPayloadError, webhook_events
from wms_desk.carriers.tracking_csv import TrackingFileError, parse_tracking_csv
from wms_desk.channels.drop_folder import DropFolder
from wms_desk.db.models import Order, Shipment, ShipmentEvent, ShipmentLabel
from wms_desk.domain import tracking as rules
from wms_desk.domain.roles import Permission
from wms_desk.domain.tracking import ExceptionKind, TrackingEvent, TrackingState, TrackingStatus
from wms_desk.services.alerts import acknowledge_alert, list_alerts, raise_alert
from wms_desk.services.changes import Topic
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.shipping.accounts import find_account
from wms_desk.services.uow import UnitOfWork, insert_ignoring_duplicates, unit_of_work

__all__ = [
    "Refused",
    "TrackingReport",
    "acknowledge_alert",
    "import_tracking_csv",
    "import_tracking_file",
    "ingest_folder",
    "list_alerts",
    "record_events",
]


@dataclass(frozen=True)
class Refused:
    """An event or row that was not recorded, and why (it is kept in the file it came in)."""

    where: str  # "row 4", "payload.json event #2"
    tracking: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class TrackingReport:
    source: str
    recorded: int = 0  # new events
    duplicates: int = 0  # known already: changed nothing
    refused: tuple[Refused, ...] = ()
    delivered: tuple[str, ...] = ()  # order numbers delivered by these events
    alerts: tuple[int, ...] = ()  # alerts raised

    @property
    def ok(self) -> bool:
        return not self.refused

    @property
    def message(self) -> str:
        parts = [f"{self.source}: {self.recorded} new tracking event(s)"]
        if self.duplicates:
            parts.append(f"{self.duplicates} known already")
        if self.delivered:
            parts.append(f"order(s) {', '.join(self.delivered)} delivered")
        if self.alerts:
            parts.append(f"{len(self.alerts)} alert(s) raised for the supervisor")
        if self.refused:
            parts.append(f"{len(self.refused)} refused")
        return ", ".join(parts) + "."

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "recorded": self.recorded,
            "duplicates": self.duplicates,
            "delivered": list(self.delivered),
            "alerts": list(self.alerts),
            "refused": [
                {"where": r.where, "tracking": r.tracking or None, "message": r.message}
                for r in self.refused
            ],
        }


Located = tuple[str, TrackingEvent]  # (where it came from, the event)


def _label_of(session: Session, tracking: str) -> ShipmentLabel | None:
    number = tracking.strip().upper().replace(" ", "")
    return session.scalar(select(ShipmentLabel).where(ShipmentLabel.tracking == number))


def _alert_text(number: str, e: TrackingEvent) -> str:
    kind = (e.exception or ExceptionKind.OTHER).label
    said = f": {e.description}" if e.description else ""
    place = f" at {e.where}" if e.where else ""
    return (
        f"Order {number}, parcel {e.tracking}: {kind}{said} ({e.at:%d %b %Y %H:%M} UTC{place}). "
        "Contact the carrier or the customer, then acknowledge."
    )


def shipment_tracking(session: Session, shipment_id: int) -> TrackingState:
    """A shipment's state from every event of its labels (domain rules)."""
    rows = session.execute(
        select(ShipmentEvent).where(ShipmentEvent.shipment_id == shipment_id)
    ).scalars()
    by_label: dict[int, list[TrackingEvent]] = {}
    for row in rows:
        by_label.setdefault(row.label_id, []).append(event_of(row))
    labels = session.scalars(
        select(ShipmentLabel.id).where(ShipmentLabel.shipment_id == shipment_id)
    ).all()
    return rules.shipment_state(rules.current_state(by_label.get(i, ())) for i in labels)


def event_of(row: ShipmentEvent) -> TrackingEvent:
    kind = ExceptionKind(row.exception_kind) if row.exception_kind else None
    return TrackingEvent(
        row.tracking, TrackingStatus(row.status), row.at, row.where, row.description,
        row.source, kind, row.event_key,
    )  # fmt: skip


def _refresh_order(uow: UnitOfWork, order_id: int) -> str | None:
    """Set the order's delivery once every live shipment is delivered; its number if so."""
    session = uow.session
    # Lock the order first: two stations delivering its two parcels at once then decide one
    # after the other, the second seeing the first's committed shipment (PostgreSQL).
    order = session.execute(
        select(Order.number, Order.delivered_at).where(Order.id == order_id).with_for_update()
    ).one()
    # Columns, not ORM objects: an object loaded before the lock would show stale values.
    shipments = session.execute(
        select(Shipment.tracking_status, Shipment.delivered_at).where(
            Shipment.order_id == order_id, Shipment.status == "bought"
        )
    ).all()
    states = [
        TrackingState(TrackingStatus(status or "unknown"), None, at) for status, at in shipments
    ]
    delivered_at = rules.order_delivered_at(states)
    # Never cleared: a later exception raises an alert; the delivery happened all the same.
    if delivered_at is None or order.delivered_at is not None:
        return None
    # A plain UPDATE, not the ORM's versioned one: tracking must not make a supervisor's open
    # edit of the order stale.
    session.execute(update(Order).where(Order.id == order_id).values(delivered_at=delivered_at))
    uow.changed(Topic.ORDERS, order_id)
    uow.audit(
        "order.delivered", "order", order_id, None, {"delivered_at": delivered_at.isoformat()}
    )
    return str(order.number)


def record_in(
    uow: UnitOfWork, items: Sequence[Located], source: str, carrier: str | None = None
) -> TrackingReport:
    """Record each event once (by its key), then bring the touched shipments up to date."""
    session = uow.session
    recorded = duplicates = 0
    refused: list[Refused] = []
    alerts: list[int] = []
    touched: dict[int, int] = {}  # shipment id -> order id
    numbers: dict[int, str] = {}
    for where, e in items:
        label = _label_of(session, e.tracking)
        if label is None:
            why = f"no label has tracking number {e.tracking}; check the number"
            refused.append(Refused(where, e.tracking, why))
            continue
        shipment = label.shipment
        if shipment.order_id not in numbers:
            numbers[shipment.order_id] = (
                session.scalar(select(Order.number).where(Order.id == shipment.order_id)) or ""
            )
        number = numbers[shipment.order_id]
        if carrier is not None and shipment.carrier.lower() != carrier.lower():
            why = f"{e.tracking} is a {shipment.carrier} label of order {number}, not {carrier}'s"
            refused.append(Refused(where, e.tracking, why))
            continue
        if shipment.status == "voided":
            why = f"label {e.tracking} of order {number} was voided: ask why it was scanned"
            refused.append(Refused(where, e.tracking, why))
            continue
        values = {
            "shipment_id": shipment.id,
            "label_id": label.id,
            "tracking": label.tracking,
            "status": e.status.value,
            "exception_kind": e.exception.value if e.exception else None,
            "at": e.at,
            "where": e.where[:200],
            "description": e.description[:500],
            "source": (e.source or source)[:40],
            "event_key": e.key,
            "recorded_at": uow.now,
        }
        if not insert_ignoring_duplicates(session, ShipmentEvent, values, "event_key"):
            duplicates += 1
            continue
        recorded += 1
        touched[shipment.id] = shipment.order_id
        uow.audit("tracking.event", "order", shipment.order_id, None,
                  {"tracking": label.tracking, "status": e.status.value, "at": e.at.isoformat(),
                   "where": e.where})  # fmt: skip
        if e.status.is_exception:
            kind = (e.exception or ExceptionKind.OTHER).value
            alert = raise_alert(uow, f"tracking.{kind}", _alert_text(number, e),
                                f"tracking:{e.key}", shipment.order_id, shipment.id)  # fmt: skip
            if alert is not None:
                alerts.append(alert)
    delivered: list[str] = []
    # Row locks (PostgreSQL; SQLite writes are serial anyway), in id order: a concurrent
    # recording of the same shipment's scans waits, then recomputes from every committed
    # event, so the last commit never overwrites the status with a view that missed one.
    session.execute(
        select(Shipment.id)
        .where(Shipment.id.in_(sorted(touched)))
        .order_by(Shipment.id)
        .with_for_update()
    ).all()
    for shipment_id in sorted(touched):
        state = shipment_tracking(session, shipment_id)
        session.execute(
            update(Shipment)
            .where(Shipment.id == shipment_id)
            .values(tracking_status=state.status.value, delivered_at=state.delivered_at)
        )
        uow.changed(Topic.SHIPMENTS)
    for order_id in sorted(set(touched.values())):
        done = _refresh_order(uow, order_id)
        if done:
            delivered.append(done)
    return TrackingReport(source, recorded, duplicates, tuple(refused), tuple(delivered),
                          tuple(alerts))  # fmt: skip


@unit_of_work(Permission.IMPORT_ORDERS)
def _record(
    uow: UnitOfWork, items: Sequence[Located], source: str, carrier: str | None = None
) -> TrackingReport:
    if carrier is not None:
        carrier = find_account(uow.session, carrier).code
    return record_in(uow, items, source, carrier)


def record_events(
    ctx: ServiceContext, events: Sequence[TrackingEvent], source: str = "events"
) -> TrackingReport:
    """Record tracking events in one transaction; a replayed event changes nothing."""
    return _record(ctx, [(f"event #{i}", e) for i, e in enumerate(events, 1)], source)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(f"{path.name} is not UTF-8 text; save it as UTF-8.") from exc
    except OSError as exc:
        raise ValidationFailed(f"{path} cannot be read ({exc.strerror}).") from exc


def import_webhook_file(ctx: ServiceContext, path: Path) -> TrackingReport:
    """One webhook body (an EasyPost Event, or a list of them) saved as a file."""
    try:
        events = webhook_events(_read(path), path.name)
    except TrackingPayloadError as exc:
        raise ValidationFailed(f"{exc}. Nothing was recorded from it.") from exc
    where = [(f"{path.name} {e.tracking} {e.at:%Y-%m-%d %H:%M}", e) for e in events]
    return _record(ctx, where, path.name)


def import_tracking_csv(ctx: ServiceContext, path: Path, carrier: str) -> TrackingReport:
    """A rate-card carrier's tracking CSV; bad rows are refused by line, the rest recorded."""
    try:
        parsed = parse_tracking_csv(_read(path), carrier, path.name)
    except TrackingFileError as exc:
        raise ValidationFailed(f"{exc} Nothing was recorded from it.") from exc
    report = _record(ctx, [(f"row {row}", e) for row, e in parsed.events], path.name, carrier)
    bad = tuple(Refused(f"row {p.row}", p.tracking, p.message) for p in parsed.problems)
    refused = tuple(sorted(bad + report.refused, key=lambda r: int(r.where.split()[1])))
    return TrackingReport(report.source, report.recorded, report.duplicates, refused,
                          report.delivered, report.alerts)  # fmt: skip


def import_tracking_file(
    ctx: ServiceContext, path: Path, carrier: str | None = None
) -> TrackingReport:
    """A webhook JSON file, or (with the carrier named) a tracking CSV."""
    if path.suffix.lower() == ".json":
        return import_webhook_file(ctx, path)
    if not carrier:
        raise ValidationFailed(
            f"{path.name} is a tracking CSV: say whose labels it tracks with --carrier NAME."
        )
    return import_tracking_csv(ctx, path, carrier)


@dataclass(frozen=True)
class FolderFile:
    name: str
    ok: bool
    moved_to: Path
    report: TrackingReport | None = None
    error: str = ""


@dataclass(frozen=True)
class FolderReport:
    folder: Path
    files: tuple[FolderFile, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)


def ingest_folder(ctx: ServiceContext, folder: Path) -> FolderReport:
    """Every webhook file in `folder`: recorded ones move to done/, files with anything
    refused (or unreadable) to failed/, each with a .report.json saying why."""
    ctx.actor.require(Permission.IMPORT_ORDERS)
    if not folder.is_dir():
        raise ValidationFailed(f"{folder} is not a folder. Name the webhook drop folder.")
    results: dict[str, TrackingReport | str] = {}

    def handle(path: Path) -> tuple[bool, Mapping[str, Any]]:
        try:
            report = import_webhook_file(ctx, path)
        except ValidationFailed as exc:
            results[path.name] = str(exc)
            return False, {"error": str(exc)}
        results[path.name] = report
        return report.ok, report.to_json()

    outcomes = DropFolder(folder, handle, patterns=("*.json",)).process_all()
    files = []
    for o in outcomes:
        got = results.get(o.source.name, "not read")
        if isinstance(got, TrackingReport):
            files.append(FolderFile(o.source.name, o.ok, o.moved_to, got))
        else:
            files.append(FolderFile(o.source.name, False, o.moved_to, None, got))
    return FolderReport(folder, tuple(files))


# -- polling ------------------------------------------------------------------------------------

Tracker = Callable[[str], list[TrackingEvent]]  # tracking number -> its events


@dataclass(frozen=True)
class PollReport:
    checked: tuple[str, ...]  # tracking numbers asked about
    report: TrackingReport
    problems: tuple[Refused, ...] = ()

    @property
    def ok(self) -> bool:
        return self.report.ok and not self.problems


def poll(
    ctx: ServiceContext,
    trackers: Callable[[str], Tracker] | None = None,
    base_url: str | None = None,
) -> PollReport:
    """Ask EasyPost about every label of an EasyPost account's shipments not yet delivered.
    `trackers(account_code)` gives the lookup per account (tests pass a local server's)."""
    from wms_desk.services.shipping.tracking_poll import easypost_trackers, open_labels

    ctx.actor.require(Permission.IMPORT_ORDERS)
    lookup = trackers or easypost_trackers(ctx, base_url)
    items: list[Located] = []
    problems: list[Refused] = []
    checked: list[str] = []
    by_account = open_labels(ctx)
    for account, labels in by_account.items():
        track = lookup(account)
        for tracking, number in labels:
            checked.append(tracking)
            try:
                found = track(tracking)
            except CarrierError as exc:
                problems.append(Refused(f"{tracking} (order {number})", tracking, str(exc)))
                continue
            items.extend((f"{tracking} (order {number})", e) for e in found)
    report = _record(ctx, items, "EasyPost poll") if items else TrackingReport("EasyPost poll")
    return PollReport(tuple(checked), report, tuple(problems))
