"""Tracking numbers from an assigned range: check-digit rules, formatting and validation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import quote

from wms_desk.domain.errors import DomainError

# UPU S10 weights for the 8 serial digits (UPU standard S10, clause on the check digit).
S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
_LETTERS2 = re.compile(r"^[A-Z]{2}$")


class TrackingRangeError(DomainError):
    """A tracking range is misconfigured, used up, or a number does not belong to it."""


class CheckRule(StrEnum):
    """How the last digit of a tracking number is computed from the digits before it."""

    NONE = "none"
    MOD10 = "mod10"  # GS1 / USPS IMpb: weights 3,1 from the right, 10 - sum % 10
    LUHN = "luhn"  # mod 10 with weights 2,1 from the right, digits of products summed
    MOD7 = "mod7"  # serial % 7 (DHL Express and several regional couriers)
    S10 = "s10"  # UPU S10 mod 11: AA 12345678 C CC


def mod10_check_digit(digits: str) -> int:
    """GS1 mod 10: the rightmost digit weighs 3, the next 1, alternating."""
    _require_digits(digits)
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def luhn_check_digit(digits: str) -> int:
    """Luhn: double every second digit from the right (the one next to the check digit)."""
    _require_digits(digits)
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return (10 - total % 10) % 10


def mod7_check_digit(digits: str) -> int:
    _require_digits(digits)
    return int(digits) % 7


def s10_check_digit(serial: str) -> int:
    """UPU S10: weights 8 6 4 2 3 5 9 7; 11 - sum % 11, where 10 becomes 0 and 11 becomes 5."""
    if len(serial) != 8:
        raise TrackingRangeError(f"An S10 serial has 8 digits, not {len(serial)} ({serial!r}).")
    _require_digits(serial)
    check = 11 - sum(int(d) * w for d, w in zip(serial, S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def check_digit(rule: CheckRule, digits: str) -> int | None:
    """The check digit `rule` gives for `digits`, or None for CheckRule.NONE."""
    if rule is CheckRule.NONE:
        return None
    if rule is CheckRule.MOD10:
        return mod10_check_digit(digits)
    if rule is CheckRule.LUHN:
        return luhn_check_digit(digits)
    if rule is CheckRule.MOD7:
        return mod7_check_digit(digits)
    return s10_check_digit(digits)


def _require_digits(digits: str) -> None:
    if not digits or not digits.isascii() or not digits.isdigit():
        raise TrackingRangeError(f"A check digit is computed over digits only, not {digits!r}.")


@dataclass(frozen=True)
class TrackingRange:
    """A block of tracking numbers a carrier assigned to us: prefix + serial + check + suffix.

    `start`..`end` are serials (both included). Serials are zero-padded to `digits` (default: as
    many as `end` has). For MOD10, LUHN and MOD7 the check digit covers the prefix too when the
    prefix is all digits (as in USPS IMpb and GS1 numbers), else only the serial; for S10 it
    covers the 8-digit serial, and prefix and suffix must be two letters (service, country).
    Which serial comes next is not decided here: the counter lives in the database, so two
    stations never format the same serial.
    """

    prefix: str
    start: int
    end: int
    rule: CheckRule = CheckRule.NONE
    suffix: str = ""
    digits: int = 0

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise TrackingRangeError(
                f"Tracking range {self.prefix}: start {self.start} must be 0 or more and not "
                f"after end {self.end}."
            )
        width = self.digits or len(str(self.end))
        object.__setattr__(self, "digits", width)
        if len(str(self.end)) > width:
            raise TrackingRangeError(
                f"Tracking range {self.prefix}: end {self.end} does not fit in {width} digits."
            )
        if self.rule is CheckRule.S10:
            if width != 8:
                raise TrackingRangeError("An S10 range has 8-digit serials (digits = 8).")
            if not _LETTERS2.match(self.prefix) or not _LETTERS2.match(self.suffix):
                raise TrackingRangeError(
                    "An S10 range needs a two-letter service prefix and a two-letter country "
                    f"suffix (like RR...GB), not {self.prefix!r} and {self.suffix!r}."
                )

    @property
    def size(self) -> int:
        return self.end - self.start + 1

    def contains(self, serial: int) -> bool:
        return self.start <= serial <= self.end

    def _check_input(self, serial_text: str) -> str:
        if self.rule is not CheckRule.S10 and self.prefix.isdigit():
            return self.prefix + serial_text
        return serial_text

    def format(self, serial: int) -> str:
        """The tracking number for `serial`, with its check digit."""
        if not self.contains(serial):
            raise TrackingRangeError(
                f"Serial {serial} is outside the tracking range {self.prefix} "
                f"{self.start}-{self.end}: the range is used up; ask the carrier for a new "
                "range and import it with the rate card."
            )
        text = str(serial).zfill(self.digits)
        check = check_digit(self.rule, self._check_input(text))
        return f"{self.prefix}{text}{'' if check is None else check}{self.suffix}"

    def parse(self, tracking: str) -> int | None:
        """The serial of a tracking number from this range, or None if it is not one of ours."""
        text = tracking.strip().upper()
        check_len = 0 if self.rule is CheckRule.NONE else 1
        if not (text.startswith(self.prefix.upper()) and text.endswith(self.suffix.upper())):
            return None
        body = text[len(self.prefix) : len(text) - len(self.suffix)]
        if len(body) != self.digits + check_len or not body.isascii() or not body.isdigit():
            return None
        serial_text = body[: self.digits]
        serial = int(serial_text)
        if not self.contains(serial):
            return None
        check = check_digit(self.rule, self._check_input(serial_text))
        if check is not None and body[-1] != str(check):
            return None
        return serial

    def validate(self, tracking: str) -> bool:
        """True when `tracking` is a well-formed number of this range with the right check digit."""
        return self.parse(tracking) is not None


def tracking_link(pattern: str, tracking: str) -> str:
    """A carrier's link pattern with {tracking} filled in (URL-quoted); '' without a pattern."""
    return pattern.replace("{tracking}", quote(tracking, safe="")) if pattern else ""
