"""Queue action messages name what was done and to which orders."""

from __future__ import annotations

from wms_desk.ui.screens.queue_outcomes import Act, describe, named


def test_one_order_is_named_with_the_reason() -> None:
    out = describe(Act.HOLD, ["1042"], "damaged box")
    assert out.message == "Order 1042 put on hold: damaged box"
    assert out.headline == "Order 1042 put on hold" and out.detail == "damaged box"


def test_several_orders_are_counted_and_listed() -> None:
    out = describe(Act.RELEASE, ["1042", "1043", "1044"])
    assert out.headline == "3 orders released"
    assert out.message == "3 orders released — 1042, 1043 and 1044"
    assert out.detail == "Orders 1042, 1043 and 1044."
    many = [str(n) for n in range(1000, 1012)]
    assert named(many) == "1000, 1001, 1002, 1003, 1004 and 7 more"


def test_every_action_says_what_it_did() -> None:
    assert describe(Act.CANCEL, ["7"], "customer asked").message == (
        "Order 7 cancelled: customer asked"
    )
    assert describe(Act.PRIORITY, ["7", "8"], target="+5").headline == (
        "2 orders: priority set to +5"
    )
    assert describe(Act.ASSIGN, ["7"], target="Station 2 / Ann").message == (
        "Order 7 assigned to Station 2 / Ann"
    )
    assert describe(Act.WAVE, ["7", "8"], target="W-1").message == (
        "Wave W-1 created with 2 orders — 7 and 8"
    )
    assert describe(Act.SLIPS, ["7"], count=1).message == (
        "1 packing slip queued for the document printer (Order 7)"
    )
    assert describe(Act.PICK_LISTS, ["7", "8"], count=1).headline == (
        "1 pick list queued for the document printer"
    )
    assert describe(Act.EXPORT, ["7", "8"], target="out.csv", count=2).message == (
        "2 orders written to out.csv"
    )
