"""The pack session snapshot: everything the pack screen shows, read in the caller's session."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from wms_desk.db.models import (
    Carton,
    Order,
    Package,
    PackProgress,
)
from wms_desk.domain import cartons as carton_rules
from wms_desk.domain import packing
from wms_desk.domain.packing import PackageState, PackLine, ScanOutcome
from wms_desk.domain.station_rules import PackPolicy
from wms_desk.domain.weighing import WeightCheck
from wms_desk.services.packing import statements


@dataclass(frozen=True)
class Barcode:
    code: str
    qty: int


@dataclass(frozen=True)
class SessionLine:
    line_id: int
    line_no: int
    sku: str
    name: str
    image_path: str | None
    bin_code: str
    ordered: int
    verified: int
    shorted: int
    needs_serial: bool
    needs_lot: bool
    barcodes: tuple[Barcode, ...]

    @property
    def done(self) -> bool:
        return self.verified + self.shorted >= self.ordered


@dataclass(frozen=True)
class PackageItemView:
    line_id: int
    sku: str
    qty: int


@dataclass(frozen=True)
class PackageView:
    seq: int
    count: int  # "seq of count"
    carton_code: str
    items: tuple[PackageItemView, ...]
    item_count: int
    weight_g: Decimal | None
    expected_weight_g: Decimal
    weight_check: str
    weight_source: str
    weight_approved: bool


@dataclass(frozen=True)
class PackSession:
    order_id: int
    order_number: str
    status: str
    lines: tuple[SessionLine, ...]
    packages: tuple[PackageView, ...]
    current_seq: int
    suggested_carton: str | None  # for the current box while it has no carton
    awaiting_capture: str | None  # "serial of SKU-1" while a serial/lot scan is due
    next_action: str
    can_complete: bool
    blockers: tuple[str, ...]
    lease_until: datetime | None
    completed: bool


@dataclass(frozen=True)
class ScanVerdict:
    outcome: ScanOutcome
    message: str
    session: PackSession
    line_id: int | None = None
    qty: int = 0

    @property
    def accepted(self) -> bool:
        return self.outcome.accepted


def flushed_connection(session: Session) -> Connection:
    """Column reads of a 200-line order go straight to the session's connection: the ORM's
    result machinery costs several times what the rows do. Flushed first, as the ORM would."""
    session.flush()
    return session.connection()


def pack_lines(session: Session, order: Order) -> tuple[PackLine, ...]:
    """The order's pickable lines with product facts, verified and shorted counts.

    Plain columns, not ORM entities: this runs on every scan of a 200-line order, and loading
    entities was most of a scan's time.
    """
    rows = statements.rows(
        flushed_connection(session), statements.LINES, {statements.ORDER_ID: order.id}
    )
    coded = order_barcodes(session, order).keys()
    bins = _pick_bins(session, order)
    return tuple(_line_of(row, bins.get(row[4] or -1, ""), row[4] in coded) for row in rows)


# The value objects a scan builds for every line of the order (frozen) are shared with the
# last scan's wherever their values are equal: a 200-line order's lines cost several
# microseconds each to build, 200 times a scan, and all but the scanned one are unchanged.
# typed: 1 and True stay apart. Each scan touches all of its order's lines, so what ages out
# is earlier orders and superseded counts; the bound keeps what the collector walks small
# (an order of up to ~2000 lines stays shared).
_SHARED = 2048
_barcode = functools.lru_cache(maxsize=_SHARED, typed=True)(Barcode)
_session_line = functools.lru_cache(maxsize=_SHARED, typed=True)(SessionLine)


@functools.lru_cache(maxsize=_SHARED)
def _line_of(row: tuple[Any, ...], bin_code: str, coded: bool) -> PackLine:
    """A LINES row as the packer's line: all a line is made of is its row, its bin and whether
    its product has a barcode, so an equal row gives the very line of the scan before (keyed
    by the driver's row itself: hashing it once cost a third of building the line's key from
    its 18 values). Untyped: a row's column always has the one type (the driver's, processed
    as Core would), and the flags are made bools here."""
    # Unpacked by position, in statements.LINES' column order.
    (
        line_id,
        line_no,
        sku,
        name,
        product_id,
        qty,
        packed,
        picked,
        product_name,
        needs_serial,
        needs_lot,
        image_path,
        weight,
        shorted,
        length,
        width,
        height,
    ) = row
    return PackLine(
        line_id,
        line_no,
        sku or "",
        name or (product_name or ""),
        product_id,
        qty,
        packed,
        int(shorted or 0),
        bin_code,
        bool(needs_serial),
        bool(needs_lot),
        coded,
        image_path,
        weight if weight is not None else Decimal(0),
        picked,
        length,
        width,
        height,
    )


# What the carton suggestion weighs for each open line: one unit fewer of the scanned line, the
# rest as on the scan before.
_item_size = functools.lru_cache(maxsize=_SHARED, typed=True)(carton_rules.ItemSize)


def order_barcodes(session: Session, order: Order) -> dict[int, tuple[Barcode, ...]]:
    """The barcodes of the order's products, per product (one read per unit of work: Work
    keeps it, so the lines and the snapshot after a scan share it)."""
    cached = session.info.get(_BARCODES_KEY)
    if cached is not None and cached[0] == order.id:
        return cast(dict[int, tuple[Barcode, ...]], cached[1])
    grouped: dict[int, list[Barcode]] = {}
    for product_id, code, qty in statements.rows(
        flushed_connection(session), statements.BARCODES, {statements.ORDER_ID: order.id}
    ):
        grouped.setdefault(product_id, []).append(_barcode(code, qty))
    barcodes = {product_id: tuple(codes) for product_id, codes in grouped.items()}
    session.info[_BARCODES_KEY] = (order.id, barcodes)
    return barcodes


# Per session (= per unit of work): a scan's transaction reads the barcodes once.
_BARCODES_KEY = "wms_pack_barcodes"


def _pick_bins(session: Session, order: Order) -> dict[int, str]:
    """Where each product was picked from (the ledger's pick moves for this order)."""
    rows = statements.rows(
        flushed_connection(session), statements.PICK_BINS, {"order_number": order.number}
    )
    return {product_id: code for product_id, code in rows}


# A box as the snapshot reads it: the row, its rules' state, its (line id, qty) items.
BoxRead = tuple[Package, PackageState, list[tuple[int, int]]]


# Per box id, its (line id, qty) item rows.
BoxItems = dict[int, list[tuple[int, int]]]


def read_boxes(session: Session, order_id: int) -> tuple[list[Package], BoxItems]:
    """The order's boxes (entities, by seq) and their item rows."""
    packages = list(session.scalars(statements.PACKAGES, {statements.ORDER_ID: order_id}))
    items: BoxItems = {package.id: [] for package in packages}
    if packages:
        for package_id, line_id, qty in statements.rows(
            flushed_connection(session), statements.PACKAGE_ITEMS, {statements.ORDER_ID: order_id}
        ):
            items[package_id].append((line_id, qty))
    return packages, items


def box_reads(packages: list[Package], items: BoxItems) -> list[BoxRead]:
    """The boxes as the snapshot shows them, from their entities as they are now."""
    result = []
    for package in packages:
        rows = list(items.get(package.id, ()))  # a copy: Work keeps changing its own
        check = WeightCheck(package.weight_check) if package.weight_check else None
        state = PackageState(
            package.seq,
            package.carton,
            sum(q for _, q in rows),
            package.weight_g,
            package.expected_weight_g or Decimal(0),
            check,
            package.weight_approved_by_id is not None,
        )
        result.append((package, state, rows))
    return result


def package_states(session: Session, order: Order) -> list[BoxRead]:
    return box_reads(*read_boxes(session, order.id))


def suggest(session: Session, lines: tuple[PackLine, ...]) -> Carton | None:
    """The smallest active carton for what is still to pack (the remaining units; the whole
    order once nothing remains)."""
    cartons = [carton for carton in all_cartons(session) if carton.active]
    if not cartons:
        return None
    products = [line for line in lines if line.product_id is not None]
    open_lines = [line for line in products if line.remaining > 0]
    sizes = [
        _item_size(
            line.length_mm,
            line.width_mm,
            line.height_mm,
            line.unit_weight_g,
            line.remaining if open_lines else line.ordered,
        )
        for line in open_lines or products
    ]
    specs = [
        carton_rules.CartonSpec(
            c.code, c.length_mm, c.width_mm, c.height_mm, c.max_weight_g, c.tare_g
        )
        for c in cartons
    ]
    choice = carton_rules.suggest_carton(specs, sizes)
    return next((c for c in cartons if choice and c.code == choice.code), None)


def all_cartons(session: Session) -> list[Carton]:
    """Every carton (a handful), read once per unit of work: a scan looks its code up among
    them and the suggestion chooses among the active ones."""
    cached = session.info.get(_CARTONS_KEY)
    if cached is None:
        cached = session.info[_CARTONS_KEY] = list(session.scalars(statements.CARTONS))
    return cast(list[Carton], cached)


_CARTONS_KEY = "wms_pack_cartons"


def build_session(
    session: Session,
    order: Order,
    policy: PackPolicy,
    progress: PackProgress | None,
    lines: tuple[PackLine, ...] | None = None,
    packages: list[BoxRead] | None = None,
) -> PackSession:
    """`lines` and `packages`: what the caller has read in this unit of work and knows to be
    current (None: read here)."""
    if lines is None:
        lines = pack_lines(session, order)
    if packages is None:
        packages = package_states(session, order)
    states = tuple(state for _, state, _ in packages)
    awaiting = next(
        (line for line in lines if progress and line.line_id == progress.awaiting_line_id), None
    )
    current_seq = progress.current_seq if progress else 1
    ready = packing.readiness(order.number, lines, states, awaiting, policy.require_weight)
    done = progress is not None and progress.completed_at is not None
    action = (
        f"Order {order.number} is packed. Scan the next order."
        if done
        else packing.next_action(
            order.number, lines, states, current_seq, awaiting, policy.require_weight
        )
    )
    barcodes = order_barcodes(session, order)
    sku_of = {line.line_id: line.sku for line in lines}
    # The suggestion is for a box without a carton (the screen shows the box's own otherwise);
    # a 200-line order's suggestion is not worked out again on every scan into a chosen box.
    current = next((state for state in states if state.seq == current_seq), None)
    carton = suggest(session, lines) if current is None or not current.carton_code else None
    return PackSession(
        order.id,
        order.number,
        order.status,
        tuple(
            _session_line(
                line.line_id,
                line.line_no,
                line.sku,
                line.name,
                line.image_path,
                line.bin_code,
                line.ordered,
                line.verified,
                line.shorted,
                line.needs_serial,
                line.needs_lot,
                barcodes.get(line.product_id or -1, ()),
            )
            for line in lines
        ),
        tuple(
            PackageView(
                state.seq,
                len(packages),
                state.carton_code,
                tuple(PackageItemView(lid, sku_of.get(lid, ""), q) for lid, q in items),
                state.items,
                state.weight_g,
                state.expected_weight_g,
                package.weight_check,
                package.weight_source,
                state.weight_approved,
            )
            for package, state, items in packages
        ),
        current_seq,
        carton.code if carton else None,
        f"{awaiting.capture} of {awaiting.sku}" if awaiting else None,
        action,
        ready.can_complete and not done,
        () if done else ready.reasons,
        order.lease_until,
        done,
    )
