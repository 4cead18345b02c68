"""Importing rate-card files: the documented card reads exactly; every mistake is named."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.carriers.conftest import documented_card_text
from wms_desk.carriers.rate_card_file import RateCardFileError, load_rate_card, parse_rate_card
from wms_desk.domain.tracking_numbers import CheckRule


def test_documented_card_is_read_exactly(tmp_path: Path) -> None:
    path = tmp_path / "nordpost.toml"
    path.write_text(documented_card_text(), encoding="utf-8")
    card = load_rate_card(path)
    assert (card.code, card.carrier, card.currency, card.dim_divisor) == (
        "NORDPOST-2026", "Nordpost", "EUR", Decimal(5000),
    )  # fmt: skip
    assert card.prices[0].breaks[0].price == Decimal("5.90")  # not 5.9000000000000003552...
    assert card.prices[0].breaks[-1].max_weight_g == Decimal(10000)
    assert card.surcharges.oversize_longest_mm == Decimal(1200)
    assert card.surcharges.oversize_weight_g == Decimal(30000)
    assert card.tracking is not None and card.tracking.rule is CheckRule.S10
    assert [z.postal_prefix for z in card.zones] == ["11", "1", "", ""]
    assert card.tracking_url == "https://tracking.nordpost.example/?id={tracking}"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('dim_divisor = 5000', 'dim_divsor = 5000', r"\[carrier\]: unknown key 'dim_divsor'"),
        ('currency = "EUR"', 'currency = "EURO"', "3-letter code"),
        ("residential = 2.50", 'residential = "two fifty"', "residential must be a number"),
        ("[[1, 5.90], [5, 8.50]", "[[5, 5.90], [1, 8.50]", "must be heavier than the one before"),
        ('service = "STD"\nzone = "Z2"', 'service = "ECO"\nzone = "Z2"',
         r"\[\[price\]\] #2: service 'ECO' is not one"),
        ('rule = "s10"', 'rule = "mod11"', "rule 'mod11' is not one of"),
        ("digits = 8", "digits = 7",
         r"\[tracking\]: Tracking range RR: end 10999999 does not fit in 7 digits"),
        ("per_extra_kg = 1.20", "per_extra_kg = -1", "per_extra_kg must be above 0"),
        ('[carrier]', '[carier]', "unknown key 'carier'"),
        ("transit_days = 3", "transit_days = 3\ntransit_days = 4", "not valid TOML"),
        ("?id={tracking}", "?id=", r"tracking_url must be an http\(s\) link with \{tracking\}"),
    ],
)  # fmt: skip
def test_mistakes_are_named_with_the_place_and_the_fix(old: str, new: str, message: str) -> None:
    text = documented_card_text()
    assert old in text
    with pytest.raises(RateCardFileError, match=message) as caught:
        parse_rate_card(text.replace(old, new, 1), "nordpost.toml")
    assert str(caught.value).startswith("Rate card nordpost.toml: ")
    assert str(caught.value).endswith("Fix the file and import it again.")


def test_an_unreadable_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(RateCardFileError, match="cannot be read"):
        load_rate_card(tmp_path / "missing.toml")
