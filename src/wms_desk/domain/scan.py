"""The one interpretation step for every scan: symbology, GS1 element strings, what the code is."""

from __future__ import annotations

import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from wms_desk.domain.codes import (
    BADGE_PREFIX,
    COMMAND_PREFIX,
    ORDER_ID_PREFIX,
    ORDER_PREFIX,
    StationCommand,
    is_bin_code,
    order_id_of,
)
from wms_desk.domain.scan_kinds import ScanKind

GS = "\x1d"
AIM_PREFIX = re.compile(r"^\][A-Za-z][0-9A-Za-z]")

# ISO/IEC 15424 code character -> our symbology name; the GS1 modifiers are refined below.
_AIM_FAMILIES = {
    "A": "code39",
    "C": "code128",
    "E": "ean-13",
    "F": "codabar",
    "G": "code93",
    "H": "code11",
    "I": "itf",
    "L": "pdf417",
    "M": "msi",
    "Q": "qr",
    "U": "maxicode",
    "d": "datamatrix",
    "e": "gs1-databar",
    "z": "aztec",
    "J": "dotcode",
}
_AIM_EXACT = {
    "]C1": "gs1-128",
    "]E4": "ean-8",
    "]E1": "ean-addon",
    "]E2": "ean-addon",
    "]I1": "itf-14",
    "]d2": "gs1-datamatrix",
    "]Q3": "gs1-qr",
    "]Q4": "gs1-qr",
    "]e1": "gs1-composite",
    "]e2": "gs1-composite",
    "]J1": "gs1-dotcode",
}
_GS1_MESSAGE_AIMS = {"]C1", "]d2", "]Q3", "]Q4", "]e0", "]e1", "]J1"}
_GTIN_AIMS = {"]E0", "]E3", "]E4", "]I1"}

# Carrier tracking numbers with a recognisable shape. Purely numeric carrier numbers (FedEx 12/15,
# DHL 10) are indistinguishable from other numbers, so only the USPS IMpb family is matched.
_TRACKING = (
    re.compile(r"^1Z[0-9A-Z]{16}$"),  # UPS
    re.compile(r"^[A-Z]{2}\d{9}[A-Z]{2}$"),  # UPU S10 (international post)
    re.compile(r"^9[2-5]\d{20}(?:\d{4})?$"),  # USPS IMpb
    re.compile(r"^JJD\d{18}$|^JVGL\d{16,20}$"),  # DHL parcel
)
# Check-digit carrying AIs that biip does not check: AI -> (start, end) of the digits to verify.
_CHECKED_COMPONENTS = {"253": (0, 13), "8003": (1, 14), "8017": (0, 18), "8018": (0, 18)}
_TRACKING_AIS = {"403", "420", "421"}


def new_event_id() -> str:
    """The client event id of one scan: made when the scan is read, stored UNIQUE by services,
    so the same scan replayed (a retry, a crash and resume) is recognised and changes nothing."""
    return str(uuid.uuid4())


@dataclass(frozen=True)
class ScanResult:
    """What one scan means. `error` is None when the code was read and understood.

    The typed payload (`order_number`, `command`, `badge`, `bin_code`, `tracking`, `gtin`,
    `quantity`, `serial`, `lot`, `expiry`) says what the code carries for its kind.
    """

    data: str
    aim: str | None = None
    symbology: str = "unknown"
    gs1: dict[str, str] | None = field(default=None, hash=False)
    kind: ScanKind = ScanKind.UNKNOWN
    error: str | None = None
    gtin: str | None = None
    sscc: str | None = None
    # AI -> Decimal (310n/320n ...), date (day 00 = the month's last day) or datetime.
    decoded: dict[str, Any] | None = field(default=None, hash=False, compare=False)
    event_id: str = field(default_factory=new_event_id, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.kind, ScanKind):
            object.__setattr__(self, "kind", ScanKind(self.kind))

    @property
    def ok(self) -> bool:
        return self.error is None

    # -- the typed payload ------------------------------------------------------------------
    @property
    def order_number(self) -> str | None:
        """`ORD:1042` -> "1042". (A bare number is UNKNOWN here: only the database can tell it
        is an order, so the router looks it up.)"""
        if self.kind is ScanKind.ORDER and self.ok and not self.data.startswith(ORDER_ID_PREFIX):
            return self.data[len(ORDER_PREFIX) :].strip()
        return None

    @property
    def order_id(self) -> int | None:
        """`ORDID:42` (an order whose number Code 128 cannot carry) -> 42."""
        if self.kind is ScanKind.ORDER and self.ok:
            return order_id_of(self.data)
        return None

    @property
    def order_ref(self) -> str | None:
        """What the services resolve to an order: the number, or `ORDID:<id>` as scanned."""
        if self.order_id is not None:
            return f"{ORDER_ID_PREFIX}{self.order_id}"
        return self.order_number

    @property
    def badge(self) -> str | None:
        """The badge code: `BADGE:PACK-0001` -> "PACK-0001"."""
        if self.kind is ScanKind.BADGE and self.ok:
            return self.data[len(BADGE_PREFIX) :].strip()
        return None

    @property
    def command(self) -> StationCommand | None:
        if self.kind is ScanKind.COMMAND and self.ok:
            return StationCommand(self.data[len(COMMAND_PREFIX) :])
        return None

    @property
    def bin_code(self) -> str | None:
        return self.data if self.kind is ScanKind.BIN and self.ok else None

    @property
    def tracking(self) -> str | None:
        if self.kind is not ScanKind.TRACKING or not self.ok:
            return None
        for ai in ("421", "420", "403"):  # a GS1 routing code carries it in one of these
            if self.gs1 and ai in self.gs1:
                return self.gs1[ai]
        return self.data

    @property
    def quantity(self) -> int | None:
        """A count the code itself carries (GS1 AI 30 or 37); case sizes come from the
        catalogue's barcodes instead, which only services can read."""
        for ai in ("30", "37"):
            if self.gs1 and ai in self.gs1 and self.gs1[ai].isdigit():
                return int(self.gs1[ai])
        return None

    @property
    def serial(self) -> str | None:
        return self.gs1.get("21") if self.gs1 else None

    @property
    def lot(self) -> str | None:
        return self.gs1.get("10") if self.gs1 else None

    @property
    def expiry(self) -> date | None:
        value = (self.decoded or {}).get("17")
        return value if isinstance(value, date) else None

    def describe(self) -> str:
        """Plain words for feedback: what was scanned, e.g. "order barcode ORD:1042"."""
        shown = self.data if len(self.data) <= 40 else self.data[:37] + "…"
        return f"{self.kind.label} {shown}".strip()

    def as_dict(self) -> dict[str, Any]:
        """The scripting contract of `wms-desk scanner listen`."""
        return {
            "data": self.data,
            "aim": self.aim,
            "symbology": self.symbology,
            "gs1": dict(self.gs1) if self.gs1 is not None else None,
            "kind": self.kind.value,
            "error": self.error,
        }


def unreadable(data: str, reason: str, aim: str | None = None) -> ScanResult:
    """A scan the device layer could not even turn into text (bad bytes, empty frame)."""
    return ScanResult(data=data, aim=aim, symbology=symbology_for(aim), error=reason)


def symbology_for(aim: str | None) -> str:
    if not aim:
        return "unknown"
    if aim in _AIM_EXACT:
        return _AIM_EXACT[aim]
    return _AIM_FAMILIES.get(aim[1:2], "unknown")


def split_aim(text: str) -> tuple[str | None, str]:
    """`]C10109...` -> (`]C1`, `0109...`); text without an AIM identifier -> (None, text)."""
    if AIM_PREFIX.match(text):
        return text[:3], text[3:]
    return None, text


def interpret(data: str, aim: str | None = None, *, detect_aim: bool = True) -> ScanResult:
    """Interpret one scan; never raises. `data` may still carry its AIM prefix when `aim` is None.

    detect_aim=False is for scanners set not to send AIM identifiers, so `]` is plain data.
    """
    try:
        if aim is None and detect_aim:
            aim, data = split_aim(data)
        return _interpret(data, aim)
    except Exception as exc:  # a parser bug must become an error event, never a crash
        return unreadable(data, f"could not interpret the scan: {exc}", aim)


def _interpret(data: str, aim: str | None) -> ScanResult:
    symbology = symbology_for(aim)
    if not data:
        why = "symbology identifier with no data" if aim else "empty scan"
        return ScanResult(data=data, aim=aim, symbology=symbology, error=why)
    bad = next((ch for ch in data if ord(ch) < 0x20 and ch != GS), None)
    if bad is not None:
        return ScanResult(
            data, aim, symbology, error=f"control character 0x{ord(bad):02X} in the scan"
        )
    if aim in _GTIN_AIMS:
        return _as_gtin(data, aim, symbology)
    if aim in _GS1_MESSAGE_AIMS:
        return _as_gs1(data, aim, symbology)
    own = _own_code(data, aim, symbology)
    if own is not None:
        return own
    if aim is None:
        return _guess_without_aim(data)
    if data.isdigit() and len(data) in (8, 12, 13, 14) and _valid_gtin(data):
        return _as_gtin(data, aim, symbology)
    if data.isdigit() and len(data) == 18 and _valid_gtin(data):
        return _as_sscc(data, aim, symbology)  # an SSCC printed without FNC1
    return _unknown(data, aim, symbology)


def _own_code(data: str, aim: str | None, symbology: str) -> ScanResult | None:
    """The project's own prefixes and shapes (domain.codes), then carrier tracking numbers."""
    if data.startswith(ORDER_ID_PREFIX):
        error = None if order_id_of(data) is not None else "order id code without a number"
        return ScanResult(data, aim, symbology, kind=ScanKind.ORDER, error=error)
    for prefix, kind in ((ORDER_PREFIX, ScanKind.ORDER), (BADGE_PREFIX, ScanKind.BADGE)):
        if data.startswith(prefix):
            error = None if data[len(prefix) :].strip() else f"{kind} code without a value"
            return ScanResult(data, aim, symbology, kind=kind, error=error)
    if data.startswith(COMMAND_PREFIX):
        name = data[len(COMMAND_PREFIX) :]
        known = {command.value for command in StationCommand}
        error = None if name in known else f"unknown station command {name!r}"
        return ScanResult(data, aim, symbology, kind=ScanKind.COMMAND, error=error)
    if is_bin_code(data):
        return ScanResult(data, aim, symbology, kind=ScanKind.BIN)
    if any(pattern.match(data) for pattern in _TRACKING):
        return ScanResult(data, aim, symbology, kind=ScanKind.TRACKING)
    return None


def _guess_without_aim(data: str) -> ScanResult:
    """No symbology identifier: EAN/UPC lengths first, then GS1 element strings, then bare keys."""
    if data.isdigit() and len(data) in (12, 13):
        return _as_gtin(data, None, "unknown")  # an EAN-13/UPC-A, or its bad check digit
    if data[:1].isdigit():
        parsed = _as_gs1(data, None, "unknown")
        if parsed.ok:
            return parsed
        if data.isdigit() and len(data) == 14:
            return _as_gtin(data, None, "unknown")  # a GTIN-14, or its bad check digit
        if data.isdigit() and len(data) == 18:
            return _as_sscc(data)
        return parsed
    return _unknown(data, None, "unknown")


def _unknown(data: str, aim: str | None, symbology: str) -> ScanResult:
    return ScanResult(
        data,
        aim,
        symbology,
        error="unknown code: not a product, bin, order, tracking number, SSCC, badge or command",
    )


# biip is imported on the first scan that needs it, not when the station opens (it costs about
# 0.1 s); the GUI warms it on a worker after sign-in so even the first scan does not wait.
# Its package imports its own modules in a circle that only resolves in one thread at a time:
# a scan interpreted while the warm-up was importing it failed with "cannot import name
# 'GS1Message' from partially initialized module". So the whole package is loaded once, behind
# a lock, before any of it is used.
_biip_lock = threading.Lock()
_biip_loaded = False


def _load_biip() -> None:
    global _biip_loaded
    if _biip_loaded:
        return
    with _biip_lock:
        if not _biip_loaded:
            import biip  # noqa: F401  (the package imports every module the parsers below use)

            _biip_loaded = True


def _valid_gtin(digits: str) -> bool:
    _load_biip()
    from biip.checksums import gs1_standard_check_digit

    return gs1_standard_check_digit(digits[:-1]) == int(digits[-1])


def _as_gtin(data: str, aim: str | None, symbology: str) -> ScanResult:
    _load_biip()
    from biip import ParseError
    from biip.gtin import Gtin

    digits = data
    if aim == "]E3" and len(data) > 13:
        digits = data[:13]  # EAN-13 followed by its 2- or 5-digit add-on
    try:
        gtin = Gtin.parse(digits)
    except ParseError as exc:
        return ScanResult(data, aim, symbology, kind=ScanKind.PRODUCT, error=_clean(str(exc)))
    if symbology == "ean-13" and (len(digits) == 12 or digits.startswith("0")):
        symbology = "upc-a"
    elif symbology == "ean-13" and len(digits) == 8:
        symbology = "upc-e"
    gtin14 = gtin.as_gtin_14()
    return ScanResult(data, aim, symbology, {"01": gtin14}, ScanKind.PRODUCT, gtin=gtin14)


def _as_sscc(data: str, aim: str | None = None, symbology: str = "unknown") -> ScanResult:
    _load_biip()
    from biip import ParseError
    from biip.sscc import Sscc

    try:
        sscc = Sscc.parse(data)
    except ParseError as exc:
        return ScanResult(data, aim, symbology, kind=ScanKind.SSCC, error=_clean(str(exc)))
    return ScanResult(data, aim, symbology, {"00": sscc.value}, ScanKind.SSCC, sscc=sscc.value)


def _as_gs1(data: str, aim: str | None, symbology: str) -> ScanResult:
    _load_biip()
    from biip import ParseError
    from biip.gs1_messages import GS1Message

    try:
        message = GS1Message.parse(data)
    except ParseError as exc:
        return ScanResult(data, aim, symbology, error=f"not a valid GS1 code: {_clean(str(exc))}")
    elements: dict[str, str] = {}
    decoded: dict[str, Any] = {}
    for element in message.element_strings:
        ai = element.ai.ai
        problem = element.gtin_error or element.sscc_error or element.gln_error
        problem = problem or _component_check(ai, element.value)
        if problem:
            return ScanResult(data, aim, symbology, error=f"AI ({ai}): {_clean(problem)}")
        elements[ai] = element.value
        value: Decimal | date | datetime | None = (
            element.decimal or element.datetime or element.date
        )
        if value is not None:
            decoded[ai] = value
    gtin = elements.get("01") or elements.get("02")
    sscc = elements.get("00")
    if sscc is not None:
        kind = ScanKind.SSCC
    elif gtin is not None:
        kind = ScanKind.PRODUCT
    elif _TRACKING_AIS & elements.keys():
        kind = ScanKind.TRACKING
    else:
        kind = ScanKind.UNKNOWN  # a well-formed GS1 string about something else (GRAI, GLN, ...)
    return ScanResult(data, aim, symbology, elements, kind, None, gtin, sscc, decoded or None)


def _component_check(ai: str, value: str) -> str | None:
    span = _CHECKED_COMPONENTS.get(ai)
    if span is None:
        return None
    digits = value[span[0] : span[1]]
    if len(digits) != span[1] - span[0] or not digits.isdigit():
        return None  # biip's pattern match already rejects malformed values
    _load_biip()
    from biip.checksums import gs1_standard_check_digit

    expected = gs1_standard_check_digit(digits[:-1])
    if expected != int(digits[-1]):
        return f"invalid check digit in {digits!r}: expected {expected}, got {digits[-1]}"
    return None


def warm_up() -> None:
    """Import the GS1 parser now (on a worker), so the first real scan does not pay for it."""
    _load_biip()
    interpret("4006381333931")


def _clean(message: str) -> str:
    return message.replace(GS, "<GS>").rstrip(".")
