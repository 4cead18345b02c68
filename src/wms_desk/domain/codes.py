"""What the project's own barcodes look like, so printing and scan interpretation agree.

Order slips, station command cards and badge cards carry a short prefix so a scan can never be
mistaken for a product; bin labels carry the bin code itself, which has a fixed shape.
"""

from __future__ import annotations

import re
from enum import StrEnum

ORDER_PREFIX = "ORD:"
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

    @property
    def label(self) -> str:
        return self.value.replace("-", " ")


def order_barcode(number: str) -> str:
    return ORDER_PREFIX + number


def command_barcode(command: StationCommand) -> str:
    return COMMAND_PREFIX + command.value


def badge_barcode(code: str) -> str:
    return BADGE_PREFIX + code


def is_bin_code(text: str) -> bool:
    return bool(BIN_CODE.match(text))
