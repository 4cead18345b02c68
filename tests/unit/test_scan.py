"""interpret(): symbology from AIM ids, GS1 element strings, check digits, and what a code is."""

from __future__ import annotations

import json
import random
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from wms_desk.domain.codes import StationCommand, command_barcode, order_barcode
from wms_desk.domain.scan import GS, interpret, split_aim, symbology_for

VECTORS = json.loads(
    Path("/work/shared/reference/samples/gs1_vectors.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize(
    ("aim", "symbology"),
    [
        ("]C0", "code128"),
        ("]C1", "gs1-128"),
        ("]C2", "code128"),
        ("]E0", "ean-13"),
        ("]E3", "ean-13"),
        ("]E4", "ean-8"),
        ("]I0", "itf"),
        ("]I1", "itf-14"),
        ("]A0", "code39"),
        ("]Q1", "qr"),
        ("]Q3", "gs1-qr"),
        ("]d1", "datamatrix"),
        ("]d2", "gs1-datamatrix"),
        ("]e0", "gs1-databar"),
        ("]L0", "pdf417"),
        ("]z0", "aztec"),
        ("]F0", "codabar"),
        ("]G0", "code93"),
        ("]J1", "gs1-dotcode"),
        ("]X0", "unknown"),
        (None, "unknown"),
    ],
)
def test_aim_identifiers_name_the_symbology(aim: str | None, symbology: str) -> None:
    assert symbology_for(aim) == symbology


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: repr(v["input"])[:40])
def test_gs1_vectors(vector: dict) -> None:
    aim, data = split_aim(vector["input"])
    assert aim == vector["aim"]
    result = interpret(data, aim)
    if vector.get("lenient"):
        assert result.error is not None or result.gs1 == vector["expect"]
    elif "expect" in vector:
        assert result.error is None, result.error
        assert result.gs1 == vector["expect"]
        for ai, value in (vector.get("decoded") or {}).items():
            if isinstance(value, int):
                continue  # counts (AI 37) stay strings in `gs1`
            got = result.decoded[ai]
            if isinstance(got, datetime):
                got = got.isoformat(timespec="minutes")
            elif isinstance(got, date):
                got = got.isoformat()
            assert str(got) == value
    else:
        assert result.error, vector["expect_error"]


def test_ean_and_upc_carry_the_gtin_under_01() -> None:
    ean = interpret("5901234123457", "]E0")
    assert (ean.symbology, ean.kind, ean.gs1) == ("ean-13", "product", {"01": "05901234123457"})
    upc = interpret("036000291452", "]E0")
    assert (upc.symbology, upc.gtin) == ("upc-a", "00036000291452")
    assert interpret("96385074", "]E4").gtin == "00000096385074"
    assert interpret("15901234123457", "]I1").symbology == "itf-14"
    with_addon = interpret("590123412345712", "]E3")
    assert with_addon.gtin == "05901234123457"


@pytest.mark.parametrize(
    ("digits", "check"),
    [("400638133393", "1"), ("0950600013435", "2"), ("10614141123456789", "7")],
)
def test_computed_check_digits_of_hardware_md(digits: str, check: str) -> None:
    if len(digits) == 17:  # an SSCC body, carried as AI 00
        assert interpret("00" + digits + check).sscc == digits + check
        wrong = str((int(check) + 1) % 10)
        assert "check digit" in interpret("00" + digits + wrong).error.lower()
    else:
        assert interpret(digits + check).kind == "product"
        wrong = str((int(check) + 1) % 10)
        assert "check digit" in interpret(digits + wrong).error.lower()


def test_sscc_of_hardware_md_bare_and_as_ai_00() -> None:
    assert interpret("006141411234567890").sscc == "006141411234567890"
    as_code128 = interpret("006141411234567890", "]C0")
    assert (as_code128.kind, as_code128.symbology) == ("sscc", "code128")
    result = interpret("00006141411234567890", "]C1")
    assert (result.kind, result.sscc) == ("sscc", "006141411234567890")


def test_weights_and_day_00_dates_are_decoded() -> None:
    result = interpret(f"0195012345678903310300125015261100{GS}", "]C1")
    assert result.decoded == {"3103": Decimal("1.250"), "15": date(2026, 11, 30)}
    pounds = interpret("0190012345678908320200175015100312", "]C1")
    assert pounds.decoded["3202"] == Decimal("17.50")


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (order_barcode("100234"), "order"),
        (command_barcode(StationCommand.NEW_BOX), "command"),
        ("BADGE:7F3A", "badge"),
        ("A-01-03", "bin"),
        ("BK-12-04-2", "bin"),
        ("1Z999AA10123456784", "tracking"),
        ("RR123456785DE", "tracking"),
        ("9405510200864168997758", "tracking"),
        (f"42029651{GS}9405510200864168997758", "tracking"),
    ],
)
def test_what_the_code_most_likely_is(data: str, kind: str) -> None:
    result = interpret(data)
    assert (result.kind, result.error) == (kind, None)


@pytest.mark.parametrize(
    ("data", "aim", "why"),
    [
        ("CMD:SELF-DESTRUCT", None, "unknown station command"),
        ("ORD:", None, "without a value"),
        ("hello world", "]C0", "unknown code"),
        ("", None, "empty scan"),
        ("", "]C1", "no data"),
        ("AB\tC", None, "control character"),
        ("0112345678901234", "]C1", "check digit"),
        ("5901234123458", "]E0", "check digit"),
        ("0938425876095074", "]C1", "not a valid GS1 code"),
    ],
)
def test_invalid_scans_become_clear_errors(data: str, aim: str | None, why: str) -> None:
    result = interpret(data, aim)
    assert result.error is not None and why.lower() in result.error.lower()
    assert not result.ok


def test_interpret_never_raises_on_random_input() -> None:
    rng = random.Random(15424)
    alphabet = "0123456789]CEdQ" + GS + "ABC:-~\x00é"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40)))
        result = interpret(text)
        assert result.error is None or isinstance(result.error, str)
        assert result.as_dict().keys() == {"data", "aim", "symbology", "gs1", "kind", "error"}


def test_detect_aim_off_keeps_the_bracket_as_data() -> None:
    assert interpret("]C0ABC", detect_aim=False).data == "]C0ABC"
    assert interpret("]C0ABC").aim == "]C0"


# -- the typed payload and the client event id (station runtime) ------------------------------


def test_each_scan_carries_its_own_event_id() -> None:
    from wms_desk.domain.scan import ScanKind

    first, second = interpret("ORD:1042"), interpret("ORD:1042")
    assert first.event_id and second.event_id and first.event_id != second.event_id
    assert first == second  # the id is not part of what the scan means
    assert first.kind is ScanKind.ORDER and first.kind == "order"


def test_typed_payload_per_kind() -> None:
    from datetime import date

    from wms_desk.domain.codes import StationCommand

    assert interpret("ORD:#W-1042").order_number == "#W-1042"
    assert interpret("BADGE:PACK-0001").badge == "PACK-0001"
    assert interpret("CMD:NEW-BOX").command is StationCommand.NEW_BOX
    assert interpret("CMD:NOPE").command is None
    assert interpret("A-03-02").bin_code == "A-03-02"
    assert interpret("1Z999AA10123456784").tracking == "1Z999AA10123456784"
    gs1 = interpret("]C1010950110153000317251231" + "10LOT7" + "\x1d" + "2112345")
    assert (gs1.gtin, gs1.lot, gs1.serial, gs1.expiry) == (
        "09501101530003",
        "LOT7",
        "12345",
        date(2025, 12, 31),
    )
    case = interpret("]C1010950110153000337" + "12")
    assert case.quantity == 12
    assert interpret("ORD:1042").badge is None and interpret("BADGE:X").order_number is None


def test_describe_names_the_kind_and_the_code() -> None:
    assert interpret("ORD:1042").describe() == "order barcode ORD:1042"
    assert interpret("A-03-02").describe() == "bin label A-03-02"
