"""The order state machine accepts every legal move and refuses every other, naming both states."""

from __future__ import annotations

import itertools

import pytest

from wms_desk.domain.errors import IllegalTransition
from wms_desk.domain.order_status import (
    HOLDABLE,
    OrderStatus,
    allowed_targets,
    check_transition,
    release_from_hold,
)

S = OrderStatus
LEGAL = {
    (S.NEW, S.ALLOCATED),
    (S.NEW, S.BACKORDERED),
    (S.NEW, S.ON_HOLD),
    (S.NEW, S.CANCELLED),
    (S.BACKORDERED, S.ALLOCATED),
    (S.BACKORDERED, S.BACKORDERED),
    (S.BACKORDERED, S.NEW),
    (S.BACKORDERED, S.ON_HOLD),
    (S.BACKORDERED, S.CANCELLED),
    (S.ALLOCATED, S.PICKING),
    (S.ALLOCATED, S.BACKORDERED),
    (S.ALLOCATED, S.NEW),
    (S.ALLOCATED, S.ON_HOLD),
    (S.ALLOCATED, S.CANCELLED),
    (S.PICKING, S.PICKED),
    (S.PICKING, S.ALLOCATED),
    (S.PICKING, S.ON_HOLD),
    (S.PICKING, S.CANCELLED),
    (S.PICKED, S.PACKING),
    (S.PICKED, S.ON_HOLD),
    (S.PICKED, S.CANCELLED),
    (S.PACKING, S.PACKED),
    (S.PACKING, S.PICKED),
    (S.PACKING, S.ON_HOLD),
    (S.PACKING, S.CANCELLED),
    (S.PACKED, S.SHIPPED),
    (S.PACKED, S.PACKING),
    (S.PACKED, S.ON_HOLD),
    (S.PACKED, S.CANCELLED),
    (S.ON_HOLD, S.CANCELLED),
    (S.SHIPPED, S.PARTLY_RETURNED),
    (S.SHIPPED, S.RETURNED),
    (S.SHIPPED, S.PACKED),
    (S.PARTLY_RETURNED, S.PARTLY_RETURNED),
    (S.PARTLY_RETURNED, S.RETURNED),
}


@pytest.mark.parametrize(("current", "target"), sorted(LEGAL))
def test_every_legal_transition_is_accepted(current: S, target: S) -> None:
    assert check_transition(current, target) is target


ILLEGAL = sorted(set(itertools.product(S, S)) - LEGAL)


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_every_other_transition_is_refused_naming_both_states(current: S, target: S) -> None:
    with pytest.raises(IllegalTransition) as refused:
        check_transition(current, target)
    assert f"'{current.value}'" in str(refused.value)
    assert f"'{target.value}'" in str(refused.value)
    assert (refused.value.current, refused.value.target) == (current.value, target.value)


def test_the_table_above_is_the_whole_machine() -> None:
    assert {(c, t) for c in S for t in allowed_targets(c)} == LEGAL


def test_shipped_orders_cannot_be_cancelled_and_the_message_says_what_to_do() -> None:
    with pytest.raises(IllegalTransition, match="create a return"):
        check_transition("shipped", "cancelled")


@pytest.mark.parametrize("held_from", sorted(HOLDABLE))
def test_release_returns_to_where_the_hold_started(held_from: S) -> None:
    assert release_from_hold(S.ON_HOLD, held_from) is held_from


def test_release_of_an_order_not_on_hold_is_refused() -> None:
    with pytest.raises(IllegalTransition, match="not on hold"):
        release_from_hold(S.NEW, S.NEW)
    with pytest.raises(IllegalTransition, match="never held"):
        release_from_hold(S.ON_HOLD, S.SHIPPED)


def test_named_sets_partition_the_lifecycle() -> None:
    from wms_desk.domain import order_status as st

    assert set(OrderStatus) == st.OPEN | st.CLOSED and not st.OPEN & st.CLOSED
    assert st.OPEN == st.IN_PROGRESS | {S.ON_HOLD} == st.CANCELLABLE
    assert st.PICKABLE | st.PACKABLE | st.WAVEABLE | st.AWAITING_STOCK <= st.IN_PROGRESS
    assert st.in_order(st.OPEN) == tuple(s.value for s in OrderStatus if s in st.OPEN)
    assert st.VALUES[0] == "new" and len(st.VALUES) == len(OrderStatus)
    # Every waveable order can still start picking: it is new or allocated, never held.
    assert all(S.PICKING in allowed_targets(s) or S.ALLOCATED in allowed_targets(s)
               for s in st.WAVEABLE)  # fmt: skip


def test_work_started_is_what_a_channel_may_no_longer_change() -> None:
    from wms_desk.domain import order_status as st

    assert {S.PICKING, S.PICKED, S.PACKING, S.PACKED} == st.WORK_STARTED
    assert not st.WORK_STARTED & st.NOT_YET_PICKED
