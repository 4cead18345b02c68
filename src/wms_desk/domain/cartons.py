"""Carton choice: the smallest carton that fits the items by volume, dimensions and weight."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class CartonSpec:
    code: str
    length_mm: int
    width_mm: int
    height_mm: int
    max_weight_g: Decimal
    tare_g: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        if min(self.length_mm, self.width_mm, self.height_mm) <= 0:
            raise ValueError(f"carton {self.code}: inner dimensions must be positive")

    @property
    def volume(self) -> int:
        return self.length_mm * self.width_mm * self.height_mm

    @property
    def dims(self) -> tuple[int, int, int]:
        a, b, c = sorted((self.length_mm, self.width_mm, self.height_mm), reverse=True)
        return a, b, c


@dataclass(frozen=True)
class ItemSize:
    """One order line's product: dimensions may be unknown (then only weight is checked)."""

    length_mm: int | None
    width_mm: int | None
    height_mm: int | None
    weight_g: Decimal
    qty: int

    @property
    def dims(self) -> tuple[int, int, int] | None:
        return _sorted_sides(self.length_mm, self.width_mm, self.height_mm)


# A catalogue has few distinct sizes and a scan's suggestion sorts every open line's sides:
# 200 sorts a scan of a 200-line order, each the same as the scan before's.
@functools.lru_cache(maxsize=4096)
def _sorted_sides(
    length: int | None, width: int | None, height: int | None
) -> tuple[int, int, int] | None:
    if length is None or width is None or height is None or min(length, width, height) <= 0:
        return None
    a, b, c = sorted((int(length), int(width), int(height)), reverse=True)
    return a, b, c


@dataclass(frozen=True)
class ItemsSummary:
    """What any carton needs to know of the items: the longest side, middle side and shortest
    side over all items (sorted sides: every item fits on its own exactly when each of these
    fits), total volume of those with dimensions, and total weight. One pass over the items, so
    choosing among the cartons costs nothing per item (a 200-line order is summarised once per
    scan, not once per carton)."""

    sides: tuple[int, int, int]
    volume: int
    weight_g: Decimal

    @classmethod
    def of(cls, items: Iterable[ItemSize]) -> ItemsSummary:
        longest = middle = shortest = volume = 0
        weight = Decimal(0)
        for item in items:
            weight += item.weight_g * item.qty
            dims = item.dims
            if dims is None:
                continue
            longest, middle, shortest = (
                max(longest, dims[0]),
                max(middle, dims[1]),
                max(shortest, dims[2]),
            )
            volume += dims[0] * dims[1] * dims[2] * item.qty
        return cls((longest, middle, shortest), volume, weight)

    def fit(self, carton: CartonSpec) -> bool:
        if any(side > room for side, room in zip(self.sides, carton.dims, strict=True)):
            return False
        return self.volume <= carton.volume and self.weight_g + carton.tare_g <= carton.max_weight_g


def fits(carton: CartonSpec, items: Iterable[ItemSize]) -> bool:
    """Every item fits the carton on its own (sorted sides), and together by volume and weight."""
    return ItemsSummary.of(items).fit(carton)


def suggest_carton(cartons: Sequence[CartonSpec], items: Sequence[ItemSize]) -> CartonSpec | None:
    """The smallest (by volume, then code) carton that fits, or None when none does."""
    summary = ItemsSummary.of(items)
    for carton in sorted(cartons, key=lambda c: (c.volume, c.code)):
        if summary.fit(carton):
            return carton
    return None
