"""Money: a Decimal amount in one currency, rounded to that currency's minor unit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from wms_desk.domain.errors import DomainError

# ISO 4217 currencies whose minor unit is not the usual two digits (the list changes rarely;
# a table this small is clearer than a dependency that ships locale data).
_MINOR_DIGITS: dict[str, int] = {
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(("CLF", "UYW"), 4),
    **dict.fromkeys(
        (
            "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
            "VND", "VUV", "XAF", "XOF", "XPF",
        ),
        0,
    ),
}  # fmt: skip
_CODE = re.compile(r"[A-Z]{3}")
_TEXT = re.compile(r"^\s*(?:([A-Za-z]{3})\s*)?([-+]?[\d.,' ]*\d[\d.,' ]*)\s*(?:([A-Za-z]{3}))?\s*$")


class MoneyError(DomainError, ValueError):
    """An amount that cannot be read, or arithmetic across two currencies."""


def minor_digits(currency: str) -> int:
    """Digits after the decimal point for `currency` (2 unless ISO 4217 says otherwise)."""
    return _MINOR_DIGITS.get(currency.upper(), 2)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        code = str(self.currency).strip().upper()
        if not _CODE.fullmatch(code):
            raise MoneyError(f"'{self.currency}' is not a currency code (three letters, e.g. EUR).")
        try:
            amount = Decimal(self.amount)
        except (InvalidOperation, TypeError, ValueError) as error:
            raise MoneyError(f"'{self.amount}' is not an amount of money.") from error
        if not amount.is_finite():
            raise MoneyError(f"'{self.amount}' is not an amount of money.")
        step = Decimal(1).scaleb(-minor_digits(code))
        object.__setattr__(self, "currency", code)
        object.__setattr__(self, "amount", amount.quantize(step, rounding=ROUND_HALF_UP))

    # --- making --------------------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def from_minor(cls, units: int, currency: str) -> Money:
        """From integer minor units: 1250 EUR cents -> 12.50 EUR."""
        return cls(Decimal(units).scaleb(-minor_digits(currency)), currency)

    @classmethod
    def parse(cls, text: str, currency: str | None = None) -> Money:
        """'12.50 EUR', 'EUR 12.50', '1,234.50' (with `currency`), '12,50 EUR' (decimal comma)."""
        match = _TEXT.match(text or "")
        if not match:
            raise MoneyError(f"'{text}' is not an amount of money (try '12.50 EUR').")
        before, number, after = match.groups()
        if before and after and before.upper() != after.upper():
            raise MoneyError(f"'{text}' names two currencies.")
        code = (before or after or currency or "").upper()
        if not code:
            raise MoneyError(f"'{text}' has no currency (try '12.50 EUR').")
        if currency and code != currency.upper():
            raise MoneyError(f"'{text}' is in {code}, not {currency.upper()}.")
        return cls(_decimal(number.replace(" ", "").replace("'", ""), text), code)

    # --- reading -------------------------------------------------------------------------
    @property
    def minor_units(self) -> int:
        return int(self.amount.scaleb(minor_digits(self.currency)))

    def __str__(self) -> str:
        return f"{self.amount:.{minor_digits(self.currency)}f} {self.currency}"

    def display(self) -> str:
        """For screens: thousands grouped, '1,234.50 EUR'."""
        return f"{self.amount:,.{minor_digits(self.currency)}f} {self.currency}"

    # --- arithmetic ----------------------------------------------------------------------
    def _same(self, other: Money, what: str) -> None:
        if other.currency != self.currency:
            raise MoneyError(f"Cannot {what} {other} and {self}: the currencies differ.")

    def __add__(self, other: object) -> Money:
        if isinstance(other, int) and other == 0:
            return self  # sum() starts from 0
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "add")
        return Money(self.amount + other.amount, self.currency)

    __radd__ = __add__

    def __sub__(self, other: object) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other, "subtract")
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: object) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int | Decimal):
            return NotImplemented  # money times money, or times a float, means nothing exact
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def _compare(self, other: object) -> Decimal:
        if not isinstance(other, Money):
            raise TypeError(f"Cannot compare {self} with {other!r}.")
        self._same(other, "compare")
        return self.amount - other.amount

    def __lt__(self, other: object) -> bool:
        return self._compare(other) < 0

    def __le__(self, other: object) -> bool:
        return self._compare(other) <= 0

    def __gt__(self, other: object) -> bool:
        return self._compare(other) > 0

    def __ge__(self, other: object) -> bool:
        return self._compare(other) >= 0


def _decimal(number: str, text: str) -> Decimal:
    """Reads '1,234.50', '1.234,50', '12,50' and '12.50'; the last separator is the decimal one
    when it is followed by other than three digits or when both kinds appear."""
    last_dot, last_comma = number.rfind("."), number.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal_mark = "." if last_dot > last_comma else ","
    elif last_comma >= 0:
        tail = number[last_comma + 1 :]
        grouped = number.count(",") > 1 or len(tail) == 3
        decimal_mark = "." if grouped else ","
    else:
        decimal_mark = "."
    group_mark = "," if decimal_mark == "." else "."
    if number.count(decimal_mark) > 1:
        raise MoneyError(f"'{text}' is not an amount of money.")
    plain = number.replace(group_mark, "").replace(decimal_mark, ".")
    try:
        return Decimal(plain)
    except InvalidOperation as error:
        raise MoneyError(f"'{text}' is not an amount of money.") from error
