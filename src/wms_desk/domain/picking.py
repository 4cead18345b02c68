"""Pick rules: the order lines are walked in bin sequence and the screen says what to scan next."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class PickStage(StrEnum):
    BIN = "bin"  # scan the bin (when the station requires it)
    ITEM = "item"  # scan the item (or enter a quantity)
    TOTE = "tote"  # put what was picked into the order's tote
    DONE = "done"


@dataclass(frozen=True)
class PickTask:
    """One line to pick from one bin (a line reserved in two bins is two tasks)."""

    line_id: int
    order_id: int
    order_number: str
    tote: str  # where the goods go: the order's tote in a batch, else staging
    tote_label: str  # what the screen calls it: "tote 4" or "staging"
    bin_id: int
    bin_code: str
    bin_sequence: int
    product_id: int
    sku: str
    name: str
    qty: int  # to pick from this bin
    picked: int = 0
    skipped: int = 0  # how many times it was sent to the end
    shorted: int = 0
    # What the screen's Picked column shows: the order line's units picked so far, from any
    # bin (`qty` is what is still reserved here, so `picked` above stays 0 once loaded).
    line_picked: int = 0

    @property
    def remaining(self) -> int:
        return self.qty - self.picked - self.shorted

    @property
    def key(self) -> tuple[int, int]:
        return self.line_id, self.bin_id


def walk_order(tasks: Sequence[PickTask]) -> list[PickTask]:
    """Open tasks in walking order: skipped ones last, then by bin sequence, then by tote."""
    return sorted(
        (t for t in tasks if t.remaining > 0),
        key=lambda t: (t.skipped, t.bin_sequence, t.bin_code, t.tote, t.line_id),
    )


@dataclass(frozen=True)
class PickStep:
    stage: PickStage
    task: PickTask | None
    instruction: str


def next_step(
    tasks: Sequence[PickTask],
    require_bin_scan: bool,
    bin_confirmed: tuple[int, int] | None,
    awaiting_tote: tuple[int, int] | None,
) -> PickStep:
    """What the picker must do now: scan the bin, scan the item, put it in the tote, or finish."""
    by_key = {t.key: t for t in tasks}
    if awaiting_tote is not None and awaiting_tote in by_key:
        task = by_key[awaiting_tote]
        return PickStep(PickStage.TOTE, task, f"Put in {task.tote_label} and scan it")
    open_tasks = walk_order(tasks)
    if not open_tasks:
        return PickStep(PickStage.DONE, None, "All picked: take the goods to packing")
    task = open_tasks[0]
    if require_bin_scan and bin_confirmed != task.key:
        return PickStep(PickStage.BIN, task, f"Scan bin {task.bin_code}")
    return PickStep(
        PickStage.ITEM,
        task,
        f"Scan item {task.sku} {task.name} ({task.remaining} to pick from {task.bin_code})",
    )


class PickOutcome(StrEnum):
    BIN_CONFIRMED = "bin_confirmed"
    WRONG_BIN = "wrong_bin"
    PICKED = "picked"
    WRONG_ITEM = "wrong_item"
    OVER_PICK = "over_pick"
    IN_TOTE = "in_tote"
    WRONG_TOTE = "wrong_tote"
    SHORTED = "shorted"
    SKIPPED = "skipped"
    UNKNOWN_CODE = "unknown_code"
    REPLAYED = "replayed"

    @property
    def accepted(self) -> bool:
        return self not in {
            PickOutcome.WRONG_BIN,
            PickOutcome.WRONG_ITEM,
            PickOutcome.OVER_PICK,
            PickOutcome.WRONG_TOTE,
            PickOutcome.UNKNOWN_CODE,
        }


def judge_pick(
    task: PickTask, product_id: int | None, units: int, sku: str
) -> tuple[PickOutcome, str]:
    """An item scanned at the current task's bin: the right product within what is left?"""
    if product_id != task.product_id:
        what = sku or "this code"
        return (
            PickOutcome.WRONG_ITEM,
            f"That is {what}, not {task.sku} {task.name}. "
            f"Scan item {task.sku} from {task.bin_code}.",
        )
    if units > task.remaining:
        return (
            PickOutcome.OVER_PICK,
            f"That is {units} of {task.sku}; only {task.remaining} are to be picked from "
            f"{task.bin_code}. Pick single units.",
        )
    return (
        PickOutcome.PICKED,
        f"{units} x {task.sku} picked for order {task.order_number}: put in {task.tote_label}.",
    )
