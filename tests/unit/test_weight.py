"""Weight is grams: exact conversions from kg, lb and oz, and text a packer reads at a glance."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wms_desk.domain.weight import GRAMS_PER_LB, Weight, WeightError

AMOUNTS = st.decimals(min_value=0, max_value=100_000, places=3, allow_nan=False)


@given(AMOUNTS)
def test_conversions_are_exact_and_invert(x: Decimal) -> None:
    assert Weight.from_kg(x).grams == x * 1000
    assert Weight.from_kg(x).kg == x
    assert Weight.from_lb(x).grams == x * GRAMS_PER_LB
    assert Weight.from_oz(x * 16) == Weight.from_lb(x)
    assert Weight.from_oz(x).oz.quantize(Decimal("0.001")) == x


@given(AMOUNTS, AMOUNTS)
def test_arithmetic_and_order_follow_the_grams(a: Decimal, b: Decimal) -> None:
    wa, wb = Weight(a), Weight(b)
    assert (wa + wb).grams == a + b
    assert (wa - wb).grams == a - b
    assert sum([wa, wb]) == wa + wb
    assert (wa < wb) == (a < b)
    assert (wa * 3).grams == a * 3


@given(AMOUNTS)
def test_display_reads_back_within_its_rounding(grams: Decimal) -> None:
    w = Weight(grams)
    text = w.display()
    back = Weight.parse(text)
    # Grams show whole, kilos to the gram: never more than half a gram off.
    assert abs(back.grams - w.grams) <= Decimal("0.5"), text
    assert text.endswith(" g") == (grams < 1000)


def test_screen_texts() -> None:
    assert Weight(Decimal("850.4")).display() == "850 g"
    assert Weight(Decimal("1250")).display() == "1.25 kg"
    assert Weight(Decimal("2000")).display() == "2 kg"
    assert Weight(Decimal("1234.56")).display() == "1.235 kg"
    assert Weight.from_lb(1).display("lb") == "1.00 lb"
    assert Weight.from_oz(12).display("oz") == "12.0 oz"
    assert Weight.parse("2,5 kg") == Weight(Decimal(2500))
    assert Weight.parse("1 LB").grams == Decimal("453.59237")
    assert Weight.from_lb(1).stored() == Decimal("453.59")
    assert str(Weight.zero()) == "0 g"


@pytest.mark.parametrize("text", ["", "12", "kg", "12 stone", "1.2.3 kg"])
def test_unreadable_weights_say_what_to_type(text: str) -> None:
    with pytest.raises(WeightError, match="try '850 g'"):
        Weight.parse(text)
