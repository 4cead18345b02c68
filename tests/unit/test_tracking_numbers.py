"""Check digits (hand-computed and published examples) and tracking ranges."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wms_desk.domain.tracking_numbers import (
    S10_WEIGHTS,
    CheckRule,
    TrackingRange,
    TrackingRangeError,
    luhn_check_digit,
    mod7_check_digit,
    mod10_check_digit,
    s10_check_digit,
)


def test_s10_published_example_and_the_two_special_cases() -> None:
    # UPU S10's own example RB 12345678 5 GB: 1*8+2*6+3*4+4*2+5*3+6*5+7*9+8*7 = 204,
    # 204 % 11 = 6, 11 - 6 = 5.
    assert s10_check_digit("12345678") == 5
    # 4*8+7*6+3*4+1*2+2*3+4*5+8*9+2*7 = 200, 200 % 11 = 2, 11 - 2 = 9.
    assert s10_check_digit("47312482") == 9
    assert s10_check_digit("00000000") == 5  # 11 - 0 = 11 becomes 5
    assert s10_check_digit("00000008") == 0  # 8*7 = 56, 56 % 11 = 1, 11 - 1 = 10 becomes 0
    with pytest.raises(TrackingRangeError):
        s10_check_digit("1234567")


def test_mod10_luhn_and_mod7_examples() -> None:
    assert mod10_check_digit("400638133393") == 1  # GTIN 4006381333931
    assert mod10_check_digit("00000000000000000") == 0
    assert luhn_check_digit("7992739871") == 3  # the usual Luhn example 79927398713
    assert mod7_check_digit("1234567890") == 3  # 1234567890 = 7 * 176366841 + 3
    with pytest.raises(TrackingRangeError):
        luhn_check_digit("12a4")


def test_s10_range_formats_parses_and_validates() -> None:
    rng = TrackingRange("RR", 12345678, 12349999, CheckRule.S10, suffix="SE", digits=8)
    assert rng.format(12345678) == "RR123456785SE"
    assert rng.parse("rr123456785se ") == 12345678
    assert rng.validate("RR123456785SE")
    assert not rng.validate("RR123456784SE")  # wrong check digit
    assert not rng.validate("RR123456785GB")  # another country's range
    assert not rng.validate("RR000000005SE")  # check digit right, but not our serial
    assert rng.size == 4322


def test_numeric_prefix_is_covered_by_the_check_digit() -> None:
    rng = TrackingRange("9400", 1, 9_999_999_999, CheckRule.MOD10, digits=10)
    number = rng.format(1)
    assert number == "9400" + "0000000001" + str(mod10_check_digit("94000000000001"))
    assert rng.validate(number)
    letters = TrackingRange("NP", 1, 999, CheckRule.LUHN)
    assert letters.format(7) == "NP007" + str(luhn_check_digit("007"))


def test_no_rule_has_no_check_digit() -> None:
    rng = TrackingRange("X", 1, 50)
    assert rng.format(5) == "X05"
    assert rng.validate("X50") and not rng.validate("X51")


def test_a_used_up_range_says_so() -> None:
    rng = TrackingRange("NP", 1, 3, CheckRule.MOD10)
    with pytest.raises(TrackingRangeError, match="used up"):
        rng.format(4)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prefix": "R", "start": 1, "end": 9, "rule": CheckRule.S10, "suffix": "SE", "digits": 8},
         "two-letter"),
        ({"prefix": "RR", "start": 1, "end": 9, "rule": CheckRule.S10, "suffix": "SE"}, "8-digit"),
        ({"prefix": "NP", "start": 9, "end": 1}, "not after end"),
        ({"prefix": "NP", "start": 1, "end": 1000, "digits": 3}, "does not fit"),
    ],
)  # fmt: skip
def test_misconfigured_ranges_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(TrackingRangeError, match=message):
        TrackingRange(**kwargs)  # type: ignore[arg-type]


@given(
    serial=st.integers(0, 99_999_999),
    position=st.integers(0, 7),
    delta=st.integers(1, 9),
    rule=st.sampled_from([CheckRule.S10, CheckRule.MOD10, CheckRule.LUHN]),
)
def test_every_single_digit_misread_is_caught(
    serial: int, position: int, delta: int, rule: CheckRule
) -> None:
    if rule is CheckRule.S10:
        rng = TrackingRange("RR", 0, 99_999_999, rule, suffix="SE", digits=8)
    else:
        rng = TrackingRange("NP", 0, 99_999_999, rule, digits=8)
    number = rng.format(serial)
    assert rng.validate(number)
    i = 2 + position
    wrong = number[:i] + str((int(number[i]) + delta) % 10) + number[i + 1 :]
    if rule is CheckRule.S10 and {_s10_rest(number), _s10_rest(wrong)} == {0, 6}:
        # S10's one blind spot: remainders 0 and 6 both give check digit 5 (11 -> 5).
        assert rng.validate(wrong)
    else:
        assert not rng.validate(wrong)


def _s10_rest(number: str) -> int:
    return sum(int(d) * w for d, w in zip(number[2:10], S10_WEIGHTS, strict=True)) % 11
