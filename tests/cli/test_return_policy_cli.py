"""`wms-desk rma policy`: read and change the return policy; keys and messages are what IT sees."""

from __future__ import annotations

import json

import pytest


def test_show_the_defaults_then_change_parts_and_keep_the_rest(wms, database) -> None:
    code, out, _ = wms("rma", "policy", "--json")
    assert code == 0
    assert json.loads(out) == {
        "window_days": 30,
        "restocking_fee_pct": {
            "damaged": "0", "wrong_item": "0", "not_as_described": "0",
            "no_longer_needed": "15", "arrived_late": "0", "other": "0",
        },
        "refund_shipping_reasons": ["damaged", "not_as_described", "wrong_item"],
    }  # fmt: skip

    code, out, err = wms("rma", "policy", "--window-days", "45", "--fee", "other:7.5",
                         "--fee", "no_longer_needed:0")  # fmt: skip
    assert (code, err) == (0, "")
    assert out.strip() == (
        "Return policy saved: returns within 45 days of shipping; restocking fees: other 7.5%; "
        "shipping refunded for: damaged, not_as_described, wrong_item."
    )
    code, out, _ = wms("rma", "policy", "--refund-shipping", "")
    assert "shipping refunded for: no reason." in out
    doc = json.loads(wms("rma", "policy", "--json")[1])
    assert doc["window_days"] == 45
    assert doc["restocking_fee_pct"]["other"] == "7.5"
    assert doc["restocking_fee_pct"]["no_longer_needed"] == "0"
    assert doc["refund_shipping_reasons"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--fee", "broken:10"), "'broken' is not a return reason (damaged, wrong_item"),
        (("--fee", "damaged"), "write a fee as REASON:PERCENT"),
        (("--fee", "damaged:lots"), "'lots' is not a percentage"),
        (("--fee", "damaged:120"), "A restocking fee is a percentage between 0 and 100."),
        (("--window-days", "-3"), "The return window cannot be negative."),
        (("--refund-shipping", "damaged,soggy"), "'soggy' is not a return reason"),
    ],
)
def test_bad_values_are_named_and_change_nothing(wms, database, args, message) -> None:
    code, _, err = wms("rma", "policy", *args)
    assert code == 1 and message in err
    assert json.loads(wms("rma", "policy", "--json")[1])["window_days"] == 30
