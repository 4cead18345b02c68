"""Refund arithmetic: hand-checked cases with discounts, tax, fees and shipping, to the cent."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from wms_desk.domain.refunds import PaidLine, PaidOrder, ReturnedQty, compute_refund, share_out

# Line 1: 2 x 10.00, its own discount 2.00 and tax 1.80 (net 18.00).
# Line 2: 1 x 30.00 (net 30.00). Order-level: discount 5.00, tax 3.00, shipping 4.99.
ORDER = PaidOrder(
    (PaidLine(1, 2, D("10.00"), D("2.00"), D("1.80")), PaidLine(2, 1, D("30.00"))),
    order_discount=D("5.00"),
    order_tax=D("3.00"),
    shipping=D("4.99"),
)


def test_share_out_adds_up_to_the_cent_and_breaks_ties_by_position() -> None:
    # 5.00 by 18:30 is 1.875 : 3.125 -> 500 cents as 187.5 : 312.5 -> the first tie gets the cent.
    assert share_out(D("5.00"), [D(18), D(30)]) == [D("1.88"), D("3.12")]
    assert share_out(D("0.10"), [D(1), D(1), D(1)]) == [D("0.04"), D("0.03"), D("0.03")]
    assert share_out(D("7.00"), [D(0), D(0)]) == [D("0.00"), D("0.00")]


def test_whole_line_with_its_shares_and_shipping() -> None:
    refund = compute_refund(ORDER, [ReturnedQty(1, 2)], refund_shipping=True)
    (line,) = refund.lines
    # discount 2.00 + 1.88 share; tax 1.80 + 1.13 share (300 cents as 112.5 : 187.5, tie -> first)
    assert (line.goods, line.discount, line.tax, line.restocking_fee) == (
        D("20.00"),
        D("3.88"),
        D("2.93"),
        D("0.00"),
    )
    assert line.total == D("19.05")
    assert refund.shipping == D("4.99")
    assert refund.total == D("24.04")


def test_restocking_fee_on_the_net_price_and_parts_adding_up_to_the_whole() -> None:
    first = compute_refund(ORDER, [ReturnedQty(1, 1, 0, D(15))], refund_shipping=False)
    (one,) = first.lines
    # discount 3.88/2 = 1.94; tax 2.93/2 = 1.465 -> 1.47; fee 15% of (10.00 - 1.94) = 1.209 -> 1.21
    assert (one.discount, one.tax, one.restocking_fee) == (D("1.94"), D("1.47"), D("1.21"))
    assert first.total == D("8.32")
    second = compute_refund(ORDER, [ReturnedQty(1, 1, before=1)], refund_shipping=False)
    (two,) = second.lines
    # The rest of the line's cut: 3.88 - 1.94 and 2.93 - 1.47.
    assert (two.discount, two.tax) == (D("1.94"), D("1.46"))
    assert second.total == D("9.52")
    whole = compute_refund(ORDER, [ReturnedQty(1, 2)], refund_shipping=False)
    assert first.total + one.restocking_fee + second.total == whole.total == D("19.05")


def test_both_lines_give_back_everything_paid_except_shipping_when_not_due() -> None:
    refund = compute_refund(ORDER, [ReturnedQty(1, 2), ReturnedQty(2, 1)], refund_shipping=False)
    # Paid: goods 50.00 - discounts 7.00 + taxes 4.80 = 47.80
    assert (refund.goods, refund.discount, refund.tax) == (D("50.00"), D("7.00"), D("4.80"))
    assert refund.total == D("47.80")
    assert refund.shipping == D("0.00")


def test_more_than_the_line_is_refused() -> None:
    with pytest.raises(ValueError):
        compute_refund(ORDER, [ReturnedQty(2, 1, before=1)], refund_shipping=False)
