"""The order state machine: every status an order can have and the moves between them."""

from __future__ import annotations

from enum import StrEnum

from wms_desk.domain.errors import IllegalTransition


class OrderStatus(StrEnum):
    NEW = "new"
    ALLOCATED = "allocated"
    BACKORDERED = "backordered"
    PICKING = "picking"
    PICKED = "picked"
    PACKING = "packing"
    PACKED = "packed"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"
    ON_HOLD = "on_hold"
    PARTLY_RETURNED = "partly_returned"
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


S = OrderStatus

# Every status in lifecycle order: how lists, chips and a "sort by status" put them.
ALL: tuple[OrderStatus, ...] = tuple(OrderStatus)
VALUES: tuple[str, ...] = tuple(s.value for s in ALL)

# Being worked on or waiting to be: the statuses from which an order can be put on hold and
# later released back to.
IN_PROGRESS: frozenset[OrderStatus] = frozenset(
    {S.NEW, S.ALLOCATED, S.BACKORDERED, S.PICKING, S.PICKED, S.PACKING, S.PACKED}
)
HOLDABLE: frozenset[OrderStatus] = IN_PROGRESS
# Still to ship: what the queue opens on, and the only orders that can be late.
OPEN: frozenset[OrderStatus] = IN_PROGRESS | {S.ON_HOLD}
# Once any other is reached the goods have left: cancelling is no longer a status change.
CANCELLABLE: frozenset[OrderStatus] = OPEN
TERMINAL: frozenset[OrderStatus] = frozenset({S.CANCELLED, S.RETURNED})
# The goods have left the building.
SHIPPED_OR_LATER: frozenset[OrderStatus] = frozenset({S.SHIPPED, S.PARTLY_RETURNED, S.RETURNED})
# Nothing more will happen on the floor.
CLOSED: frozenset[OrderStatus] = SHIPPED_OR_LATER | {S.CANCELLED}
# Work on the order has not started yet, so a channel may still change it.
NOT_YET_PICKED: frozenset[OrderStatus] = frozenset({S.NEW, S.ALLOCATED, S.BACKORDERED, S.ON_HOLD})
# Picking has begun: the goods are on their way to the box, or in it.
WORK_STARTED: frozenset[OrderStatus] = IN_PROGRESS - NOT_YET_PICKED
# Stock is reserved for it in the bins (allocation done, not shipped yet).
HOLDS_STOCK: frozenset[OrderStatus] = frozenset(
    {S.ALLOCATED, S.PICKING, S.PICKED, S.PACKING, S.PACKED}
)
# Waiting for stock: allocation looks at these.
AWAITING_STOCK: frozenset[OrderStatus] = frozenset({S.NEW, S.BACKORDERED})
# Stock reserved, nobody picking yet, so a picker may claim it.
PICKABLE: frozenset[OrderStatus] = frozenset({S.ALLOCATED})
# Picked into a tote: a packer may open it.
PACKABLE: frozenset[OrderStatus] = frozenset({S.PICKED, S.PACKING})
# May join a pick wave: picking has not begun and nothing stops it.
WAVEABLE: frozenset[OrderStatus] = frozenset({S.NEW, S.ALLOCATED})
# An order that still needs stock (or is held before getting it): someone else's reservation
# may be what it waits for.
MAY_WAIT_FOR_STOCK: frozenset[OrderStatus] = AWAITING_STOCK | {S.ON_HOLD}


def in_order(statuses: frozenset[OrderStatus] | set[OrderStatus]) -> tuple[str, ...]:
    """A set's values in lifecycle order: stable SQL parameters, stable chip order."""
    return tuple(s.value for s in ALL if s in statuses)


def is_open(status: OrderStatus | str) -> bool:
    return status in OPEN


_FORWARD: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.NEW: frozenset({S.ALLOCATED, S.BACKORDERED}),
    # A backordered order may get part of its stock and stay backordered.
    S.BACKORDERED: frozenset({S.ALLOCATED, S.BACKORDERED, S.NEW}),
    # Allocated -> backordered when counted stock turns out to be missing; -> new on deallocation.
    S.ALLOCATED: frozenset({S.PICKING, S.BACKORDERED, S.NEW}),
    # Picking can be abandoned: the order goes back to allocated with its reservations.
    S.PICKING: frozenset({S.PICKED, S.ALLOCATED}),
    S.PICKED: frozenset({S.PACKING}),
    S.PACKING: frozenset({S.PACKED, S.PICKED}),
    # A packed order can be reopened (a box re-packed) before it ships.
    S.PACKED: frozenset({S.SHIPPED, S.PACKING}),
    # Voiding its labels (before the manifest) returns a shipped order to packed.
    S.SHIPPED: frozenset({S.PARTLY_RETURNED, S.RETURNED, S.PACKED}),
    S.PARTLY_RETURNED: frozenset({S.PARTLY_RETURNED, S.RETURNED}),
    S.ON_HOLD: frozenset(),  # released through release_from_hold(), back to where it was
    S.CANCELLED: frozenset(),
    S.RETURNED: frozenset(),
}


def allowed_targets(current: OrderStatus) -> frozenset[OrderStatus]:
    """Every status `current` may move to directly (hold release excluded)."""
    targets = set(_FORWARD[current])
    if current in HOLDABLE:
        targets.add(S.ON_HOLD)
    if current in CANCELLABLE:
        targets.add(S.CANCELLED)
    return frozenset(targets)


def check_transition(current: OrderStatus | str, target: OrderStatus | str) -> OrderStatus:
    """Return `target` as a status if the move is legal, else raise IllegalTransition."""
    current, target = OrderStatus(current), OrderStatus(target)
    if target in allowed_targets(current):
        return target
    if current in TERMINAL:
        reason = f"'{current}' is final"
    elif current is S.ON_HOLD:
        reason = "release the hold first"
    elif target is S.CANCELLED:
        reason = "it has already shipped; create a return instead"
    else:
        reason = ""
    raise IllegalTransition(current.value, target.value, reason)


def release_from_hold(current: OrderStatus | str, held_from: OrderStatus | str) -> OrderStatus:
    """Where a released order goes: back to the status it was held from."""
    current, held_from = OrderStatus(current), OrderStatus(held_from)
    if current is not S.ON_HOLD:
        raise IllegalTransition(current.value, held_from.value, "it is not on hold")
    if held_from not in HOLDABLE:
        raise IllegalTransition(current.value, held_from.value, "it was never held from there")
    return held_from
