"""Return rules: reason codes, unit conditions, dispositions, RMA states and the return policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from wms_desk.domain.errors import DomainError

RMA_PREFIX = "RMA:"
# Returned goods land here first, then inspection moves them on; neither bin is allocatable.
RECEIVING_BIN = "RT-00-01"
QUARANTINE_BIN = "QR-00-01"


class ReturnRefused(DomainError):
    """A return line, scan or disposition breaks a rule; the message says which and why."""


class Reason(StrEnum):
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    NOT_AS_DESCRIBED = "not_as_described"
    NO_LONGER_NEEDED = "no_longer_needed"
    ARRIVED_LATE = "arrived_late"
    OTHER = "other"


class Resolution(StrEnum):
    REFUND = "refund"
    EXCHANGE = "exchange"
    CREDIT = "credit"


class Condition(StrEnum):
    NEW = "new"  # new / sealed
    OPENED = "opened"
    USED = "used"
    DAMAGED = "damaged"


class Disposition(StrEnum):
    RESTOCK = "restock"
    QUARANTINE = "quarantine"
    SCRAP = "scrap"
    RETURN_TO_VENDOR = "return_to_vendor"


class RmaStatus(StrEnum):
    OPEN = "open"  # created, nothing received yet
    RECEIVING = "receiving"  # some units received
    RECEIVED = "received"  # every unit asked for has arrived
    RESOLVED = "resolved"  # refund, credit or exchange recorded
    CANCELLED = "cancelled"


def parse_choice(kind: type[StrEnum], text: str, what: str) -> StrEnum:
    """A reason/condition/disposition from user text ('wrong-item' works too), or a clear error."""
    value = text.strip().lower().replace("-", "_")
    aliases = {"sealed": "new", "rtv": "return_to_vendor", "store_credit": "credit"}
    value = aliases.get(value, value)
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise ReturnRefused(f"{text!r} is not a {what}; use one of: {choices}.") from None


def rma_barcode(number: str) -> str:
    return RMA_PREFIX + number


def rma_number(serial: int) -> str:
    return f"R{serial:07d}"


@dataclass(frozen=True)
class ReturnPolicy:
    """Shared settings: the return window, what a reason costs, which reasons refund shipping."""

    window_days: int = 30
    # Percent of the line's net price kept per reason.
    restocking_fee_pct: dict[Reason, Decimal] = field(
        default_factory=lambda: {Reason.NO_LONGER_NEEDED: Decimal(15)}
    )
    refund_shipping_reasons: frozenset[Reason] = frozenset(
        {Reason.DAMAGED, Reason.WRONG_ITEM, Reason.NOT_AS_DESCRIBED}
    )

    def fee_pct(self, reason: Reason) -> Decimal:
        return self.restocking_fee_pct.get(reason, Decimal(0))

    def check_window(self, shipped_at: datetime | None, now: datetime, order: str) -> None:
        if shipped_at is None:
            return
        if now - shipped_at > timedelta(days=self.window_days):
            raise ReturnRefused(
                f"Order {order} shipped {(now - shipped_at).days} days ago; the return window "
                f"is {self.window_days} days. A supervisor can raise the window in the policy."
            )


def check_returnable(
    order: str, sku: str, wanted: int, shipped: int, already_returned: int
) -> None:
    """Never more than shipped minus what earlier RMAs already cover."""
    if wanted <= 0:
        raise ReturnRefused(f"Return a positive quantity of {sku} (order {order}).")
    left = shipped - already_returned
    if wanted > left:
        raise ReturnRefused(
            f"Order {order} shipped {shipped} of {sku} and {already_returned} are already on "
            f"returns: at most {max(left, 0)} more can come back, not {wanted}."
        )


def check_receivable(rma: str, sku: str, expected: int, received: int, qty: int = 1) -> None:
    """A scan for an item the RMA does not list, or one more than it lists, is refused."""
    if expected == 0:
        raise ReturnRefused(
            f"{sku} is not on return {rma}. Put it aside and check the parcel against the RMA."
        )
    if received + qty > expected:
        raise ReturnRefused(
            f"Return {rma} lists {expected} of {sku} and {received} are already received: "
            "this one is extra. Put it aside for a supervisor."
        )


def check_serial(
    sku: str,
    serial: str,
    shipped: frozenset[str],
    received: frozenset[str],
    order_number: str = "",
) -> None:
    """A serial must be one this order shipped (when shipping recorded any) and not seen twice."""
    order = f"order {order_number}" if order_number else "this order"
    if serial in received:
        raise ReturnRefused(f"Serial {serial} of {sku} was already received back from {order}.")
    if shipped and serial not in shipped:
        raise ReturnRefused(
            f"Serial {serial} of {sku} did not ship with {order}. Put the unit aside for a "
            "supervisor: it may be someone else's."
        )


def order_status_after_return(shipped_total: int, returned_total: int) -> str:
    """The order is fully returned once every shipped unit is back, partly returned before."""
    return "returned" if returned_total >= shipped_total else "partly_returned"
