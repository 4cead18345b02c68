"""Scan-to-verify rules: what a scan means, what comes next, when COMPLETE is allowed."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from wms_desk.domain.weighing import WeightCheck


class ScanOutcome(StrEnum):
    VERIFIED = "verified"
    WRONG_ITEM = "wrong_item"
    OVER_SCAN = "over_scan"
    NEEDS_SERIAL = "needs_serial"
    SERIAL_RECORDED = "serial_recorded"
    DUPLICATE_SERIAL = "duplicate_serial"
    UNKNOWN_CODE = "unknown_code"
    CARTON_SET = "carton_set"
    NEW_BOX = "new_box"
    WEIGHED = "weighed"
    COMPLETED = "completed"
    NOT_COMPLETE = "not_complete"
    REPLAYED = "replayed"
    CONFIRMED_BY_HAND = "confirmed_by_hand"
    SHORTED = "shorted"

    @property
    def accepted(self) -> bool:
        """Green flash: the scan moved the order on (or was a harmless replay)."""
        return self in _ACCEPTED


_ACCEPTED = frozenset(
    {
        ScanOutcome.VERIFIED,
        ScanOutcome.NEEDS_SERIAL,
        ScanOutcome.SERIAL_RECORDED,
        ScanOutcome.CARTON_SET,
        ScanOutcome.NEW_BOX,
        ScanOutcome.WEIGHED,
        ScanOutcome.COMPLETED,
        ScanOutcome.REPLAYED,
        ScanOutcome.CONFIRMED_BY_HAND,
        ScanOutcome.SHORTED,
    }
)


@dataclass(frozen=True)
class PackLine:
    """One order line as the packer sees it."""

    line_id: int
    line_no: int
    sku: str
    name: str
    product_id: int | None
    ordered: int
    verified: int
    shorted: int = 0
    bin_code: str = ""
    needs_serial: bool = False
    needs_lot: bool = False
    has_barcode: bool = True
    image_path: str | None = None
    unit_weight_g: Decimal = Decimal(0)
    picked: int | None = None  # what picking put in the tote: no more can be verified
    # The product's outer size (None when unknown): what the carton suggestion needs.
    length_mm: int | None = None
    width_mm: int | None = None
    height_mm: int | None = None

    # Cached on the (frozen, shared between scans) line: the rules and the snapshot ask a
    # 200-line order's lines for it some 800 times a scan.
    @functools.cached_property
    def remaining(self) -> int:
        return self.ordered - self.verified - self.shorted

    @functools.cached_property
    def verifiable(self) -> int:
        """Units that may still be scanned: the remaining ones that were actually picked."""
        if self.picked is None:
            return self.remaining
        return max(0, min(self.remaining, self.picked - self.verified))

    @property
    def done(self) -> bool:
        return self.remaining <= 0

    @property
    def capture(self) -> str | None:
        """What must be scanned after the item itself: 'serial', 'lot' or nothing."""
        return "serial" if self.needs_serial else "lot" if self.needs_lot else None


@dataclass(frozen=True)
class ScannedProduct:
    """What a product barcode stands for in the catalogue (any order's product)."""

    product_id: int
    sku: str
    name: str
    quantity: int  # units per scan: 1, or a case's pack quantity


@dataclass(frozen=True)
class Judgement:
    outcome: ScanOutcome
    message: str
    line_id: int | None = None
    qty: int = 0


def judge_item(
    order_number: str, lines: tuple[PackLine, ...], scanned: ScannedProduct
) -> Judgement:
    """A product scan against the order's lines: count it, ask for its serial, or refuse it."""
    mine = [line for line in lines if line.product_id == scanned.product_id]
    what = f"{scanned.sku} {scanned.name}"
    if not mine:
        return Judgement(
            ScanOutcome.WRONG_ITEM,
            f"This is {what}. Order {order_number} does not contain it. Put it aside.",
        )
    open_lines = [line for line in mine if line.verifiable > 0]
    if not open_lines and any(line.remaining > 0 for line in mine):
        picked = sum(line.picked or 0 for line in mine)
        return Judgement(
            ScanOutcome.OVER_SCAN,
            f"{what}: only {picked} were picked for order {order_number} and all are verified; "
            "the rest is short. Ask a supervisor to short the line.",
            mine[0].line_id,
        )
    if not open_lines:
        ordered = sum(line.ordered for line in mine)
        return Judgement(
            ScanOutcome.OVER_SCAN,
            f"{what}: all {ordered} for order {order_number} are already verified. "
            "Do not pack this one.",
            mine[0].line_id,
        )
    fitting = [line for line in open_lines if line.verifiable >= scanned.quantity]
    if not fitting:
        left = max(line.verifiable for line in open_lines)
        return Judgement(
            ScanOutcome.OVER_SCAN,
            f"This case holds {scanned.quantity} of {what}; order {order_number} needs only "
            f"{left} more. Open the case and scan single units.",
            open_lines[0].line_id,
        )
    line = fitting[0]
    if line.capture is not None:
        if scanned.quantity != 1:
            return Judgement(
                ScanOutcome.OVER_SCAN,
                f"{what} needs a {line.capture} number per unit: scan single units, not the case.",
                line.line_id,
            )
        return Judgement(
            ScanOutcome.NEEDS_SERIAL,
            f"{what}: now scan its {line.capture} number.",
            line.line_id,
            1,
        )
    left = line.verifiable - scanned.quantity
    counted = f"{scanned.quantity} x " if scanned.quantity > 1 else ""
    return Judgement(
        ScanOutcome.VERIFIED,
        f"{counted}{what} verified for order {order_number}"
        + (f"; {left} more to scan." if left else "; line complete."),
        line.line_id,
        scanned.quantity,
    )


def judge_capture(order_number: str, line: PackLine, value: str, already_taken: bool) -> Judgement:
    """The serial or lot number scanned after a flagged item."""
    kind = line.capture or "serial"
    value = value.strip()
    if not value:
        return Judgement(
            ScanOutcome.NEEDS_SERIAL, f"Scan the {kind} number of {line.sku}.", line.line_id
        )
    if already_taken and kind == "serial":
        return Judgement(
            ScanOutcome.DUPLICATE_SERIAL,
            f"Serial {value} is already packed for {line.sku} in order {order_number}. "
            "Scan the serial of this unit.",
            line.line_id,
        )
    return Judgement(
        ScanOutcome.SERIAL_RECORDED,
        f"{line.sku} {line.name} with {kind} {value} verified for order {order_number}.",
        line.line_id,
        1,
    )


@dataclass(frozen=True)
class PackageState:
    seq: int
    carton_code: str
    items: int
    weight_g: Decimal | None
    expected_weight_g: Decimal
    weight_check: WeightCheck | None = None
    weight_approved: bool = False

    @property
    def blocked(self) -> bool:
        return self.weight_check is WeightCheck.BLOCK and not self.weight_approved


@dataclass(frozen=True)
class Readiness:
    can_complete: bool
    reasons: tuple[str, ...]


def readiness(
    order_number: str,
    lines: tuple[PackLine, ...],
    packages: tuple[PackageState, ...],
    awaiting_capture: PackLine | None,
    require_weight: bool = True,
) -> Readiness:
    """COMPLETE only when every line is verified (or shorted by a supervisor) and every
    box with items has a weight that is not blocked."""
    reasons: list[str] = []
    if awaiting_capture is not None:
        reasons.append(f"Scan the {awaiting_capture.capture} number of {awaiting_capture.sku}.")
    open_lines = [line for line in lines if line.remaining > 0]
    if open_lines:
        units = sum(line.remaining for line in open_lines)
        reasons.append(
            f"{units} unit(s) of order {order_number} are not verified yet "
            f"({', '.join(line.sku for line in open_lines[:3])}"
            f"{'...' if len(open_lines) > 3 else ''})."
        )
    filled = [p for p in packages if p.items > 0]
    if not filled and not open_lines:
        reasons.append("No box holds any item.")
    for package in filled:
        if require_weight and package.weight_g is None:
            reasons.append(f"Box {package.seq} has no weight yet: put it on the scale.")
        elif package.blocked:
            reasons.append(
                f"Box {package.seq} weighs far from what it should: check its contents, "
                "or ask a supervisor to approve the weight."
            )
    return Readiness(not reasons, tuple(reasons))


def next_action(
    order_number: str,
    lines: tuple[PackLine, ...],
    packages: tuple[PackageState, ...],
    current_seq: int,
    awaiting_capture: PackLine | None,
    require_weight: bool = True,
) -> str:
    """The one status line that says what to do now."""
    if awaiting_capture is not None:
        return f"Scan the {awaiting_capture.capture} number of {awaiting_capture.sku}"
    open_lines = [line for line in lines if line.remaining > 0]
    current = next((p for p in packages if p.seq == current_seq), None)
    if open_lines:
        line = open_lines[0]
        if not line.has_barcode:
            return f"Confirm {line.sku} {line.name} by hand (it has no barcode)"
        return f"Scan an item of order {order_number}"
    if current is not None and current.blocked:
        return f"Box {current.seq} weight is off: re-check it or ask a supervisor to approve"
    unweighed = [p for p in packages if p.items > 0 and p.weight_g is None]
    if require_weight and unweighed:
        return f"Put the parcel (box {unweighed[0].seq}) on the scale"
    blocked = [p for p in packages if p.items > 0 and p.blocked]
    if blocked:
        return f"Box {blocked[0].seq} weight is off: re-check it or ask a supervisor to approve"
    return f"Scan COMPLETE to finish order {order_number}"
