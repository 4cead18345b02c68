"""Shared steps of the pack services: load under the lease, audit a scan, build a verdict."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import cast

from sqlalchemy import Table, bindparam, update
from sqlalchemy.orm.attributes import set_committed_value

from wms_desk.db.models import (
    Carton,
    Order,
    OrderLine,
    Package,
    PackageItem,
    PackProgress,
)
from wms_desk.domain.packing import PackLine, ScanOutcome
from wms_desk.domain.station_rules import Operation, PackPolicy, StationRules
from wms_desk.services import claims
from wms_desk.services.changes import Topic
from wms_desk.services.errors import NotFound
from wms_desk.services.packing import statements
from wms_desk.services.packing.session import (
    BoxItems,
    BoxRead,
    PackSession,
    ScanVerdict,
    box_reads,
    build_session,
    flushed_connection,
    pack_lines,
    package_states,
    read_boxes,
    suggest,
)
from wms_desk.services.uow import UnitOfWork, insert_or_add


@dataclass
class Work:
    """One pack action's view of the order, inside its unit of work."""

    uow: UnitOfWork
    order: Order
    policy: PackPolicy
    progress: PackProgress
    # The lines as read once in this unit of work; `counted()` keeps them true after a scan
    # counted an item, so the snapshot after a scan needs no second read of a 200-line order.
    _lines: tuple[PackLine, ...] | None = field(default=None, repr=False)
    _lines_current: bool = field(default=False, repr=False)
    # The lease was found ours and left for now (load with renewing=False): `keep_lease`
    # renews it, or the action releases it.
    lease_due: bool = field(default=False, repr=False)
    # The boxes (entities) and their item rows, read when a box is first needed and kept true
    # by `current_package` and `add_item`: the snapshot after a scan builds its boxes from them
    # (the entities are current through the session) instead of reading them again.
    _packages: list[Package] | None = field(default=None, repr=False)
    _items: BoxItems = field(default_factory=dict, repr=False)
    # The scanned code's product as load_scan read it with the order (statements.
    # SCAN_START_PRODUCT): (units per scan, id, sku, name), None when no product has the code;
    # `scanned_read` False: not read (the scan looks it up itself).
    scanned: tuple[int, int, str, str] | None = field(default=None, repr=False)
    scanned_read: bool = field(default=False, repr=False)

    def keep_lease(self) -> None:
        """Renew a lease `load` left for later (the action is not releasing it after all)."""
        if self.lease_due:
            claims.renew(self.uow, self.order, Operation.PACK)
            self.lease_due = False

    def lines(self) -> tuple[PackLine, ...]:
        if self._lines is None:
            self._lines = pack_lines(self.uow.session, self.order)
        return self._lines

    def unchanging_lines(self) -> tuple[PackLine, ...]:
        """The lines, kept for every snapshot of this action: for one that changes no count,
        short or pick (COMPLETE), so its snapshots before and after need no second read."""
        lines = self.lines()
        self._lines_current = True
        return lines

    def counted(self, line_id: int, qty: int) -> None:
        """`qty` more units of a line are verified (what add_item just wrote)."""
        if self._lines is None:
            return
        self._lines = tuple(
            replace(line, verified=line.verified + qty) if line.line_id == line_id else line
            for line in self._lines
        )
        self._lines_current = True

    def session_view(self, packages: list[BoxRead] | None = None) -> PackSession:
        """`packages`: the boxes as the caller knows them to be now (None: the tracked ones,
        or read them)."""
        self.uow.session.flush()
        # Only a count kept the cached lines true; anything else (a short, a box) re-reads.
        lines = self._lines if self._lines_current else None
        if packages is None and self._packages is not None:
            packages = box_reads(self._packages, self._items)
        return build_session(
            self.uow.session, self.order, self.policy, self.progress, lines, packages
        )

    def boxes(self) -> list[BoxRead]:
        """The boxes with their items, read now (for an action that shows them twice)."""
        self.uow.session.flush()
        return package_states(self.uow.session, self.order)

    def tracked_packages(self) -> list[Package]:
        """The boxes by seq, read on first use in this unit of work."""
        if self._packages is None:
            self._packages, self._items = read_boxes(self.uow.session, self.order.id)
        return self._packages

    def box_added(self, package: Package) -> None:
        packages = self.tracked_packages()
        packages.append(package)
        packages.sort(key=lambda p: p.seq)
        self._items.setdefault(package.id, [])

    def item_added(self, package_id: int, line_id: int, qty: int) -> None:
        """What `add_item`'s upsert wrote: `qty` more of the line in the box (line order)."""
        rows = self._items.setdefault(package_id, [])
        for n, (known, had) in enumerate(rows):
            if known == line_id:
                rows[n] = (line_id, had + qty)
                return
        rows.append((line_id, qty))
        rows.sort()

    def verdict(
        self, outcome: ScanOutcome, message: str, line_id: int | None = None, qty: int = 0
    ) -> ScanVerdict:
        return ScanVerdict(outcome, message, self.session_view(), line_id, qty)


def load(uow: UnitOfWork, order_id: int, hold: bool = True, renewing: bool = True) -> Work:
    """The order with its pack progress; `hold` checks and renews this station's lease
    (`renewing` False: checks it, and the lease is renewed by `Work.keep_lease`)."""
    order = uow.session.get(Order, order_id)
    if order is None:
        raise NotFound(f"Order id {order_id} no longer exists.")
    due = False
    if hold:  # keeps `order` current: no re-read
        due = claims.hold(uow, order, Operation.PACK, renewing)
    progress = uow.session.get(PackProgress, order.id)
    if progress is None:
        progress = _new_progress(uow, order)
    policy = claims.station_rules(uow.session, uow.actor.station_id).pack
    work = Work(uow, order, policy, progress)
    work.lease_due = due
    return work


def load_scan(
    uow: UnitOfWork,
    order_id: int,
    event_id: str | None,
    asynchronous: bool = True,
    codes: list[str] | None = None,
) -> tuple[Work, str | None]:
    """A scan's `load(hold=False)` and `replayed` in one read (statements.SCAN_START): the
    work, and the message of the event already recorded under `event_id` (None if new).
    `codes`: the scanned code's stored forms; the product one of them names is read in the
    same statement (Work.scanned).

    `asynchronous` (an item scan; not COMPLETE): on PostgreSQL the scan's commit does not wait
    for the WAL flush (synchronous_commit off for this transaction only). That wait is the
    disk's fsync: usually under a millisecond, but tens to hundreds of ms whenever the disk is
    busy (checkpoints, other databases), and it was every spike of scan-to-feedback. What is
    given up: a crash of the database server (not of the station) within ~0.6 s of a scan may
    forget that scan, atomically, so the packer scans the item again; the data stays consistent.
    It is the durability an SQLite station has always had (WAL with synchronous=NORMAL), and
    COMPLETE commits synchronously, which flushes every earlier scan of the order before it
    answers.
    """
    postgresql = uow.session.get_bind().dialect.name == "postgresql"
    unsynchronous = asynchronous and postgresql
    values: dict[str, object] = {
        statements.ORDER_ID: order_id,
        "station_id": uow.actor.station_id,
        "event_id": event_id,
    }
    if codes is None:
        statement = statements.SCAN_START_PG if unsynchronous else statements.SCAN_START
    else:
        statement = (
            statements.SCAN_START_PRODUCT_PG if unsynchronous else statements.SCAN_START_PRODUCT
        )
        values["codes"] = codes
    found = uow.session.execute(statement, values).first()
    if found is None:
        raise NotFound(f"Order id {order_id} no longer exists.")
    order, progress, rules, recorded, after = found[:5]
    if progress is None:
        progress = _new_progress(uow, order)
    # No station or no row: no rules joined, the defaults (as claims.station_rules reads it).
    policy = StationRules.from_dict(rules).pack
    already = _message(after) if recorded is not None and event_id else None
    work = Work(uow, order, policy, progress)
    if codes is not None:
        quantity, product_id, sku, name = found[5:9]
        work.scanned = None if product_id is None else (quantity, product_id, sku, name)
        work.scanned_read = True
    return work, already


def _new_progress(uow: UnitOfWork, order: Order) -> PackProgress:
    progress = PackProgress(order_id=order.id, current_seq=1, started_at=uow.now)
    uow.session.add(progress)
    uow.session.flush()
    return progress


def _message(after: dict[str, object] | None) -> str:
    return str((after or {}).get("message") or "Already recorded.")


def replayed(uow: UnitOfWork, event_id: str | None) -> str | None:
    """The message of an already recorded event with this id, or None when it is new."""
    if not event_id:
        return None
    row = (
        flushed_connection(uow.session)
        .execute(statements.EVENT_BY_ID, {"event_id": event_id})
        .first()
    )
    if row is None:
        return None
    return _message(row.after)


def record(
    work: Work,
    event_id: str | None,
    action: str,
    outcome: ScanOutcome,
    message: str,
    **details: object,
) -> bool:
    """The scan or action as an audit event (its judgement included); False on a replay."""
    after = {"outcome": outcome.value, "message": message, **details}
    return work.uow.audit(action, "order", work.order.id, after=after, event_id=event_id)


def current_package(work: Work) -> Package:
    """The open box (created on first use with the suggested carton)."""
    session = work.uow.session
    seq = work.progress.current_seq
    package = next((p for p in work.tracked_packages() if p.seq == seq), None)
    if package is not None:
        return package
    carton = suggest(session, work.lines())
    package = Package(
        order_id=work.order.id,
        seq=work.progress.current_seq,
        carton=carton.code if carton else "",
        carton_id=carton.id if carton else None,
        expected_weight_g=carton.tare_g if carton else Decimal(0),
        created_at=work.uow.now,
    )
    session.add(package)
    session.flush()
    work.box_added(package)
    return package


def forget_weight(package: Package) -> None:
    """The box changed: its weight must be taken again."""
    package.weight_g = None
    package.weight_check = ""
    package.weight_source = ""
    package.weight_approved_by_id = None
    package.weighed_at = None


# add_item's writes as Core statements on the session's connection, built once: the ORM's
# execute around them and its flush of the box (a unit of work of one UPDATE) cost more than
# the statements. No OrderLine entity is loaded in a scan; the box entity is told what its row
# now says (set_committed_value), as claims.renew does for the order.
_LINE_ROWS = cast(Table, OrderLine.__table__)
_BOX_ROWS = cast(Table, Package.__table__)
_COUNT_LINE = (
    update(_LINE_ROWS)
    .where(_LINE_ROWS.c.id == bindparam("counted_line_id"))
    .values(packed_qty=_LINE_ROWS.c.packed_qty + bindparam("counted_qty"))
)
# The box changed: its expected weight and last item, and its weight must be taken again.
_BOX_FILLED = (
    update(_BOX_ROWS)
    .where(_BOX_ROWS.c.id == bindparam("box_id"))
    .values(
        expected_weight_g=bindparam("box_expected_g", type_=Package.expected_weight_g.type),
        last_item_at=bindparam("box_last_item_at", type_=Package.last_item_at.type),
        weight_g=None,
        weight_check="",
        weight_source="",
        weight_approved_by_id=None,
        weighed_at=None,
    )
)
_FORGOTTEN_WEIGHT = {
    "weight_g": None,
    "weight_check": "",
    "weight_source": "",
    "weight_approved_by_id": None,
    "weighed_at": None,
}


def add_item(work: Work, line: PackLine, qty: int) -> Package:
    """Count `qty` units of a line into the open box."""
    package = current_package(work)
    connection = flushed_connection(work.uow.session)  # the box row exists, and is current
    connection.execute(_COUNT_LINE, {"counted_line_id": line.line_id, "counted_qty": qty})
    insert_or_add(
        connection,
        PackageItem,
        {"package_id": package.id, "order_line_id": line.line_id, "qty": qty},
        ("package_id", "order_line_id"),
        "qty",
    )
    expected = (package.expected_weight_g or Decimal(0)) + line.unit_weight_g * qty
    now = work.uow.now
    connection.execute(
        _BOX_FILLED, {"box_id": package.id, "box_expected_g": expected, "box_last_item_at": now}
    )
    for name, value in (
        ("expected_weight_g", expected),
        ("last_item_at", now),
        *_FORGOTTEN_WEIGHT.items(),
    ):
        set_committed_value(package, name, value)
    # What the ORM's execute and flush announced for these tables (services/changes.py).
    work.uow.changed(Topic.ORDERS)
    work.uow.changed(Topic.PACKAGES)
    work.counted(line.line_id, qty)
    work.item_added(package.id, line.line_id, qty)
    return package


def set_carton(work: Work, carton: Carton) -> Package:
    package = current_package(work)
    old_tare = Decimal(0)
    if package.carton_id is not None:
        old = work.uow.session.get(Carton, package.carton_id)
        old_tare = old.tare_g if old else Decimal(0)
    package.carton_id = carton.id
    package.carton = carton.code
    package.expected_weight_g = (package.expected_weight_g or Decimal(0)) - old_tare + carton.tare_g
    forget_weight(package)
    work.uow.session.flush()
    return package
