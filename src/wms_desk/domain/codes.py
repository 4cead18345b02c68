"""What the project's own barcodes look like, so printing and scan interpretation agree.

Order slips, station command cards and badge cards carry a short prefix so a scan can never be
mistaken for a product; bin labels carry the bin code itself, which has a fixed shape.
"""

from __future__ import annotations

import re
from enum import StrEnum

ORDER_PREFIX = "ORD:"
# An order whose number Code 128 cannot carry is named by its database id instead: `ORDID:42`.
# A prefix of its own, because order numbers may themselves start with `#` (Shopify `#1001`).
ORDER_ID_PREFIX = "ORDID:"
COMMAND_PREFIX = "CMD:"
BADGE_PREFIX = "BADGE:"
# Bin codes: zone letters, aisle, rack, optional level: A-01-03, BK-12-04-2
BIN_CODE = re.compile(r"^[A-Z]{1,2}-\d{2}-\d{2}(?:-\d{1,2})?$")


class StationCommand(StrEnum):
    NEW_BOX = "NEW-BOX"
    COMPLETE = "COMPLETE"
    REPRINT = "REPRINT"
    CANCEL = "CANCEL"
    LOGOUT = "LOGOUT"
    NEXT_BATCH = "NEXT-BATCH"  # cluster picking: claim the most urgent open batch

    @property
    def label(self) -> str:
        return self.value.replace("-", " ")


def code128_safe(text: str) -> bool:
    """Printable ASCII only: what every Code 128 printer and scanner carries unchanged."""
    return bool(text) and all(32 <= ord(ch) < 127 for ch in text)


def order_barcode(number: str, order_id: int | None = None) -> str:
    """`ORD:<number>` when Code 128 carries the number as is, else `ORDID:<id>`.

    Code 128 silently drops what it cannot encode, so `#Z3-ÄÖ` would print as `ORD:#Z3-` and
    open another order; the id is stable and unique, and the number is printed beside it.
    """
    if code128_safe(ORDER_PREFIX + number) and number.strip() == number:
        return ORDER_PREFIX + number
    if order_id is None:
        raise ValueError(f"order {number!r} needs its id for a barcode Code 128 can carry")
    return f"{ORDER_ID_PREFIX}{order_id}"


def order_id_of(code: str) -> int | None:
    """`ORDID:42` -> 42; anything else -> None."""
    if not code.startswith(ORDER_ID_PREFIX):
        return None
    rest = code[len(ORDER_ID_PREFIX) :].strip()
    return int(rest) if rest.isascii() and rest.isdigit() else None


def command_barcode(command: StationCommand) -> str:
    return COMMAND_PREFIX + command.value


def badge_barcode(code: str) -> str:
    return BADGE_PREFIX + code


def is_bin_code(text: str) -> bool:
    return bool(BIN_CODE.match(text))
