"""Carton choice: the smallest carton that fits the items by volume, dimensions and weight."""

from __future__ import annotations

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
        sides = (self.length_mm, self.width_mm, self.height_mm)
        if any(side is None or side <= 0 for side in sides):
            return None
        a, b, c = sorted((int(s) for s in sides if s is not None), reverse=True)
        return a, b, c


def fits(carton: CartonSpec, items: Iterable[ItemSize]) -> bool:
    """Every item fits the carton on its own (sorted sides), and together by volume and weight."""
    volume = 0
    weight = carton.tare_g
    for item in items:
        weight += item.weight_g * item.qty
        dims = item.dims
        if dims is None:
            continue
        if any(side > room for side, room in zip(dims, carton.dims, strict=True)):
            return False
        volume += dims[0] * dims[1] * dims[2] * item.qty
    return volume <= carton.volume and weight <= carton.max_weight_g


def suggest_carton(cartons: Sequence[CartonSpec], items: Sequence[ItemSize]) -> CartonSpec | None:
    """The smallest (by volume, then code) carton that fits, or None when none does."""
    for carton in sorted(cartons, key=lambda c: (c.volume, c.code)):
        if fits(carton, items):
            return carton
    return None
