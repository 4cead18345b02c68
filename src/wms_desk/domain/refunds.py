"""Refund arithmetic in Decimal: paid price, shares of discount and tax, fees, shipping."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | int | str) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PaidLine:
    """What one order line cost the customer: unit price, its own discount and tax (line totals)."""

    key: int
    qty: int
    unit_price: Decimal
    discount: Decimal = ZERO
    tax: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return money(self.unit_price * self.qty - self.discount)


@dataclass(frozen=True)
class PaidOrder:
    """Order-level amounts not on any line are shared out over the lines by their net value."""

    lines: tuple[PaidLine, ...]
    order_discount: Decimal = ZERO
    order_tax: Decimal = ZERO
    shipping: Decimal = ZERO


@dataclass(frozen=True)
class ReturnedQty:
    key: int
    qty: int
    # Units of this line refunded by earlier returns: shares are cut cumulatively, so returning
    # a line in parts refunds, to the cent, what returning it at once would.
    before: int = 0
    fee_pct: Decimal = ZERO


@dataclass(frozen=True)
class LineRefund:
    key: int
    qty: int
    goods: Decimal
    discount: Decimal
    tax: Decimal
    restocking_fee: Decimal

    @property
    def total(self) -> Decimal:
        return self.goods - self.discount + self.tax - self.restocking_fee


@dataclass(frozen=True)
class RefundBreakdown:
    lines: tuple[LineRefund, ...]
    shipping: Decimal

    @property
    def goods(self) -> Decimal:
        return sum((line.goods for line in self.lines), ZERO)

    @property
    def discount(self) -> Decimal:
        return sum((line.discount for line in self.lines), ZERO)

    @property
    def tax(self) -> Decimal:
        return sum((line.tax for line in self.lines), ZERO)

    @property
    def restocking_fee(self) -> Decimal:
        return sum((line.restocking_fee for line in self.lines), ZERO)

    @property
    def total(self) -> Decimal:
        return max(
            ZERO, self.goods - self.discount + self.tax - self.restocking_fee + self.shipping
        )


def share_out(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `amount` by `weights` into cents that add up exactly (largest remainder)."""
    amount = money(amount)
    total = sum(weights, ZERO)
    if not weights:
        return []
    if total == 0 or amount == 0:
        return [ZERO for _ in weights]
    cents = int(amount / CENT)
    exact = [Decimal(cents) * w / total for w in weights]
    floors = [int(e) for e in exact]
    left = cents - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [Decimal(c) * CENT for c in floors]


def _part(total: Decimal, qty: int, before: int, ordered: int) -> Decimal:
    """The cut of `total` for units before+1..before+qty of `ordered`, cumulative rounding."""
    upto = money(total * (before + qty) / ordered)
    done = money(total * before / ordered)
    return upto - done


def compute_refund(
    order: PaidOrder, returned: Sequence[ReturnedQty], refund_shipping: bool
) -> RefundBreakdown:
    """Each returned unit's paid price and its share of discounts and tax, less fees."""
    by_key = {line.key: line for line in order.lines}
    nets = [line.net for line in order.lines]
    discount_shares = dict(zip(by_key, share_out(order.order_discount, nets), strict=True))
    tax_shares = dict(zip(by_key, share_out(order.order_tax, nets), strict=True))
    lines = []
    for item in returned:
        line = by_key[item.key]
        if item.qty <= 0 or item.before + item.qty > line.qty:
            raise ValueError(f"cannot refund {item.qty} more of line {item.key}")
        goods = money(line.unit_price * item.qty)
        discount = _part(line.discount + discount_shares[item.key], item.qty, item.before, line.qty)
        tax = _part(line.tax + tax_shares[item.key], item.qty, item.before, line.qty)
        fee = money((goods - discount) * item.fee_pct / 100)
        lines.append(LineRefund(item.key, item.qty, goods, discount, tax, fee))
    shipping = money(order.shipping) if refund_shipping else ZERO
    return RefundBreakdown(tuple(lines), shipping)
