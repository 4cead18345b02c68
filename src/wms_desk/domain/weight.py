"""Weight: Decimal grams, made from kg, lb or oz, and shown the way a packer reads a scale."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from wms_desk.domain.errors import DomainError

GRAMS_PER_KG = Decimal(1000)
GRAMS_PER_LB = Decimal("453.59237")  # exact, by the 1959 international agreement
GRAMS_PER_OZ = GRAMS_PER_LB / 16  # 28.349523125, also exact
_UNITS: dict[str, Decimal] = {
    "g": Decimal(1),
    "kg": GRAMS_PER_KG,
    "lb": GRAMS_PER_LB,
    "lbs": GRAMS_PER_LB,
    "oz": GRAMS_PER_OZ,
}
_TEXT = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?)\s*([a-zA-Z]+)\s*$")
# What the database keeps (Numeric(12, 2) grams).
STORED_STEP = Decimal("0.01")


class WeightError(DomainError, ValueError):
    """A weight that cannot be read."""


@dataclass(frozen=True, order=True)
class Weight:
    grams: Decimal

    def __post_init__(self) -> None:
        try:
            grams = Decimal(self.grams)
        except (InvalidOperation, TypeError, ValueError) as error:
            raise WeightError(f"'{self.grams}' is not a weight in grams.") from error
        if not grams.is_finite():
            raise WeightError(f"'{self.grams}' is not a weight in grams.")
        object.__setattr__(self, "grams", grams)

    # --- making --------------------------------------------------------------------------
    @classmethod
    def zero(cls) -> Weight:
        return cls(Decimal(0))

    @classmethod
    def from_kg(cls, kg: Decimal | int | str) -> Weight:
        return cls(Decimal(kg) * GRAMS_PER_KG)

    @classmethod
    def from_lb(cls, lb: Decimal | int | str) -> Weight:
        return cls(Decimal(lb) * GRAMS_PER_LB)

    @classmethod
    def from_oz(cls, oz: Decimal | int | str) -> Weight:
        return cls(Decimal(oz) * GRAMS_PER_OZ)

    @classmethod
    def parse(cls, text: str) -> Weight:
        """'850 g', '1.25 kg', '2,5 kg', '3 lb', '12 oz'."""
        match = _TEXT.match(text or "")
        unit = match.group(2).lower() if match else ""
        if not match or unit not in _UNITS:
            raise WeightError(f"'{text}' is not a weight (try '850 g' or '1.25 kg').")
        return cls(Decimal(match.group(1).replace(",", ".")) * _UNITS[unit])

    # --- reading -------------------------------------------------------------------------
    @property
    def kg(self) -> Decimal:
        return self.grams / GRAMS_PER_KG

    @property
    def lb(self) -> Decimal:
        return self.grams / GRAMS_PER_LB

    @property
    def oz(self) -> Decimal:
        return self.grams / GRAMS_PER_OZ

    def stored(self) -> Decimal:
        """The grams as the database column keeps them (two decimals)."""
        return self.grams.quantize(STORED_STEP)

    def display(self, unit: str = "auto") -> str:
        """For screens: '850 g' under a kilo, '1.25 kg' from one up; or in `unit` (g/kg/lb/oz)."""
        if unit == "auto":
            unit = "g" if abs(self.grams) < GRAMS_PER_KG else "kg"
        if unit not in _UNITS:
            raise WeightError(f"Unknown weight unit '{unit}' (g, kg, lb or oz).")
        digits = {"g": 0, "kg": 3, "lb": 2, "oz": 1}[unit if unit != "lbs" else "lb"]
        value = (self.grams / _UNITS[unit]).quantize(Decimal(1).scaleb(-digits))
        text = f"{value:f}"
        if unit == "kg" and "." in text:
            text = text.rstrip("0").rstrip(".")  # 1.250 kg reads as 1.25 kg, 2.000 kg as 2 kg
        return f"{'0' if text in ('-0', '') else text} {unit}"

    def __str__(self) -> str:
        return self.display()

    # --- arithmetic ----------------------------------------------------------------------
    def __add__(self, other: object) -> Weight:
        if isinstance(other, int) and other == 0:
            return self  # sum() starts from 0
        if not isinstance(other, Weight):
            return NotImplemented
        return Weight(self.grams + other.grams)

    __radd__ = __add__

    def __sub__(self, other: object) -> Weight:
        if not isinstance(other, Weight):
            return NotImplemented
        return Weight(self.grams - other.grams)

    def __mul__(self, factor: object) -> Weight:
        if isinstance(factor, bool) or not isinstance(factor, int | Decimal):
            return NotImplemented
        return Weight(self.grams * factor)

    __rmul__ = __mul__
