"""Money keeps one currency, rounds to its minor unit, and reads back what it prints."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wms_desk.domain.money import Money, MoneyError, minor_digits

CURRENCIES = st.sampled_from(["EUR", "USD", "GBP", "JPY", "KWD", "CLF", "CHF"])
AMOUNTS = st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False)


@st.composite
def money(draw: st.DrawFn, currency: str | None = None) -> Money:
    return Money(draw(AMOUNTS), currency or draw(CURRENCIES))


@given(money())
def test_amount_is_rounded_to_the_minor_unit(m: Money) -> None:
    exponent = m.amount.as_tuple().exponent
    assert isinstance(exponent, int) and exponent == -minor_digits(m.currency)


@given(AMOUNTS, CURRENCIES)
def test_rounding_is_half_up_and_never_more_than_half_a_unit(amount: Decimal, cur: str) -> None:
    m = Money(amount, cur)
    half = Decimal(1).scaleb(-minor_digits(cur)) / 2
    assert abs(m.amount - amount) <= half


@given(money(), st.data())
def test_addition_within_a_currency_is_exact_and_commutative(a: Money, data: st.DataObject) -> None:
    b = data.draw(money(a.currency))
    c = data.draw(money(a.currency))
    assert a + b == b + a
    assert (a + b) + c == a + (b + c)
    assert (a + b).amount == a.amount + b.amount
    assert a - b + b == a
    assert sum([a, b, c]) == a + b + c
    assert (a - a) + a == a == -Money.zero(a.currency) + a


@given(money(), st.integers(min_value=-50, max_value=50))
def test_multiplying_by_a_count_is_repeated_addition(m: Money, n: int) -> None:
    expected = sum([m] * abs(n), Money.zero(m.currency))
    assert m * n == (expected if n >= 0 else -expected)
    assert n * m == m * n


@given(money(), money())
def test_mixed_currencies_are_refused(a: Money, b: Money) -> None:
    if a.currency == b.currency:
        return
    for op in (lambda: a + b, lambda: a - b, lambda: a < b):
        with pytest.raises(MoneyError, match="currencies differ"):
            op()


@given(money())
def test_text_and_minor_units_round_trip(m: Money) -> None:
    assert Money.parse(str(m)) == m
    assert Money.parse(m.display()) == m
    assert Money.parse(f"{m.currency} {m.amount}") == m
    assert Money.from_minor(m.minor_units, m.currency) == m


def test_known_values() -> None:
    assert str(Money(Decimal("12.5"), "eur")) == "12.50 EUR"
    assert str(Money(Decimal("0.005"), "EUR")) == "0.01 EUR"
    assert str(Money(Decimal("1200.4"), "JPY")) == "1200 JPY"
    assert Money.from_minor(1250, "KWD") == Money(Decimal("1.250"), "KWD")
    assert Money.parse("12,50 EUR") == Money(Decimal("12.50"), "EUR")
    assert Money.parse("1.234,50", "EUR") == Money(Decimal("1234.50"), "EUR")
    assert Money.parse("1,234", "USD") == Money(Decimal("1234"), "USD")
    assert Money(Decimal("1234.5"), "USD").display() == "1,234.50 USD"
    assert Money(Decimal(3), "EUR") * Decimal("0.333") == Money(Decimal("1.00"), "EUR")


@pytest.mark.parametrize(
    "text", ["", "EUR", "12.50", "12.50 EURO", "USD 1 EUR", "1.2.3 EUR", "abc EUR"]
)
def test_unreadable_text_says_what_to_type(text: str) -> None:
    with pytest.raises(MoneyError, match=r"amount|currenc"):
        Money.parse(text)


def test_bad_codes_and_floats_are_refused() -> None:
    with pytest.raises(MoneyError, match="currency code"):
        Money(Decimal(1), "EU")
    with pytest.raises(MoneyError, match="not an amount"):
        Money(Decimal("NaN"), "EUR")
    with pytest.raises(TypeError):
        Money(Decimal(1), "EUR") * 1.5  # type: ignore[operator]
    with pytest.raises(MoneyError, match="in EUR, not USD"):
        Money.parse("1 EUR", "USD")
