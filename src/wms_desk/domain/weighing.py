"""Package weights: the expected weight, the tolerance check, and which reading may count."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum


class WeightCheck(StrEnum):
    OK = "ok"
    WARN = "warn"  # outside the tolerance: the station warns, packing may go on
    BLOCK = "block"  # far outside: COMPLETE waits for a supervisor's approval


@dataclass(frozen=True)
class Tolerance:
    """How far a captured weight may be from the expected one: the larger of percent and grams."""

    warn_percent: Decimal = Decimal(5)
    warn_grams: Decimal = Decimal(30)
    block_percent: Decimal = Decimal(15)
    block_grams: Decimal = Decimal(100)

    def __post_init__(self) -> None:
        if min(self.warn_percent, self.warn_grams, self.block_percent, self.block_grams) < 0:
            raise ValueError("weight tolerances cannot be negative")
        if self.block_percent < self.warn_percent or self.block_grams < self.warn_grams:
            raise ValueError("the blocking threshold must not be below the warning one")


@dataclass(frozen=True)
class WeightVerdict:
    check: WeightCheck
    difference_g: Decimal  # actual - expected
    allowed_g: Decimal  # the warning threshold for this expected weight
    message: str


def expected_weight(items: Iterable[tuple[Decimal, int]], tare_g: Decimal) -> Decimal:
    """Item unit weights times quantities plus the carton's tare, in grams."""
    return tare_g + sum((weight * qty for weight, qty in items), Decimal(0))


def _limit(expected: Decimal, percent: Decimal, grams: Decimal) -> Decimal:
    return max(abs(expected) * percent / 100, grams)


def check_weight(actual_g: Decimal, expected_g: Decimal, tolerance: Tolerance) -> WeightVerdict:
    difference = actual_g - expected_g
    warn = _limit(expected_g, tolerance.warn_percent, tolerance.warn_grams)
    block = _limit(expected_g, tolerance.block_percent, tolerance.block_grams)
    size = abs(difference)
    heavier = "heavier" if difference > 0 else "lighter"
    if size > block:
        return WeightVerdict(
            WeightCheck.BLOCK,
            difference,
            warn,
            f"The box weighs {actual_g:.0f} g, {size:.0f} g {heavier} than the expected "
            f"{expected_g:.0f} g: an item is probably wrong or missing. Check the contents; "
            "a supervisor must approve this weight to go on.",
        )
    if size > warn:
        return WeightVerdict(
            WeightCheck.WARN,
            difference,
            warn,
            f"The box weighs {actual_g:.0f} g, {size:.0f} g {heavier} than the expected "
            f"{expected_g:.0f} g. Check the contents before you close it.",
        )
    return WeightVerdict(
        WeightCheck.OK, difference, warn, f"Weight {actual_g:.0f} g is as expected."
    )


def reading_refusal(
    stable: bool,
    grams: Decimal,
    taken_at: datetime | None,
    last_item_at: datetime | None,
) -> str | None:
    """Why a scale reading cannot be this package's weight, or None if it can.

    A reading counts only when stable, above zero and taken after the box's last item went in,
    so a previous box's weight (taken before) is never reused for this one.
    """
    if not stable:
        return "The scale is still moving: wait until the weight is stable."
    if grams <= 0:
        return "The scale reads zero: put the box on the scale."
    if last_item_at is None:
        return "This box is empty: scan its items before weighing it."
    if taken_at is not None and taken_at < last_item_at:
        return "That reading was taken before the last item went in: weigh the box again."
    return None
