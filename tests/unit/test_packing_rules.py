"""Pure pick/pack rules: scan judgement, readiness, next action, carton choice, weight checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wms_desk.domain import cartons, packing, picking, weighing
from wms_desk.domain.packing import PackageState, PackLine, ScannedProduct, ScanOutcome
from wms_desk.domain.station_rules import StationRules
from wms_desk.domain.weighing import Tolerance, WeightCheck


def line(pid: int = 1, ordered: int = 2, verified: int = 0, **kw) -> PackLine:
    return PackLine(pid * 10, pid, f"SKU-{pid}", f"Item {pid}", pid, ordered, verified, **kw)


def product(pid: int = 1, qty: int = 1) -> ScannedProduct:
    return ScannedProduct(pid, f"SKU-{pid}", f"Item {pid}", qty)


def test_a_wrong_item_names_the_item_and_the_order() -> None:
    j = packing.judge_item("1042", (line(1),), product(7))
    assert j.outcome is ScanOutcome.WRONG_ITEM and j.line_id is None
    assert j.message.startswith("This is SKU-7 Item 7. Order 1042 does not contain it.")


def test_a_case_counts_its_quantity_only_when_it_fits() -> None:
    assert packing.judge_item("1", (line(1, 7),), product(1, 6)).qty == 6
    over = packing.judge_item("1", (line(1, 7, 6),), product(1, 6))
    assert over.outcome is ScanOutcome.OVER_SCAN and "needs only 1 more" in over.message


def test_a_flagged_item_asks_for_its_serial_and_refuses_a_duplicate() -> None:
    cam = line(1, 2, needs_serial=True)
    assert packing.judge_item("9", (cam,), product(1)).outcome is ScanOutcome.NEEDS_SERIAL
    assert packing.judge_item("9", (cam,), product(1, 6)).outcome is ScanOutcome.OVER_SCAN
    assert packing.judge_capture("9", cam, "SN1", True).outcome is ScanOutcome.DUPLICATE_SERIAL
    assert packing.judge_capture("9", cam, "SN1", False).qty == 1


@given(
    ordered=st.lists(st.integers(1, 5), min_size=1, max_size=4),
    scans=st.lists(st.tuples(st.integers(0, 4), st.sampled_from([1, 6])), max_size=40),
)
def test_verified_never_exceeds_ordered_and_complete_needs_every_unit(ordered, scans) -> None:
    lines = tuple(line(i + 1, q) for i, q in enumerate(ordered))
    for index, qty in scans:
        j = packing.judge_item("1", lines, product(index + 1, qty))
        if j.outcome is ScanOutcome.VERIFIED:
            lines = tuple(
                ln
                if ln.line_id != j.line_id
                else line(ln.product_id or 0, ln.ordered, ln.verified + j.qty)
                for ln in lines
            )
        else:
            assert j.qty == 0 or j.outcome is ScanOutcome.NEEDS_SERIAL
    assert all(0 <= ln.verified <= ln.ordered for ln in lines)
    box = PackageState(
        1, "S", sum(ln.verified for ln in lines), Decimal(1), Decimal(1), WeightCheck.OK
    )
    ready = packing.readiness("1", lines, (box,), None)
    assert ready.can_complete == all(ln.done for ln in lines)


def test_next_action_walks_scan_weigh_approve_complete() -> None:
    lines = (line(1, 1),)
    empty = PackageState(1, "S", 0, None, Decimal(120))
    assert packing.next_action("42", lines, (), 1, None) == "Scan an item of order 42"
    done = (line(1, 1, 1),)
    filled = PackageState(1, "S", 1, None, Decimal(470))
    assert (
        packing.next_action("42", done, (filled,), 1, None) == "Put the parcel (box 1) on the scale"
    )
    blocked = PackageState(1, "S", 1, Decimal(100), Decimal(470), WeightCheck.BLOCK)
    assert "supervisor" in packing.next_action("42", done, (blocked,), 1, None)
    ok = PackageState(1, "S", 1, Decimal(470), Decimal(470), WeightCheck.OK)
    assert (
        packing.next_action("42", done, (ok, empty), 2, None) == "Scan COMPLETE to finish order 42"
    )
    assert packing.readiness("42", done, (ok, empty), None).can_complete


def test_a_shorted_line_counts_as_resolved() -> None:
    lines = (line(1, 2, 1, shorted=1),)
    ok = PackageState(1, "S", 1, Decimal(470), Decimal(470), WeightCheck.OK)
    assert packing.readiness("1", lines, (ok,), None).can_complete


dims = st.integers(10, 700)
item_st = st.builds(
    cartons.ItemSize, dims, dims, dims, st.decimals(0, 3000, places=0), st.integers(1, 3)
)
carton_st = st.builds(
    cartons.CartonSpec,
    st.text("ABCDEFGH", min_size=1, max_size=3),
    dims,
    dims,
    dims,
    st.decimals(100, 30000, places=0),
    st.decimals(0, 500, places=0),
)


@given(
    st.lists(carton_st, min_size=1, max_size=6, unique_by=lambda c: c.code),
    st.lists(item_st, max_size=4),
)
def test_the_suggested_carton_fits_and_no_smaller_one_does(boxes, items) -> None:
    choice = cartons.suggest_carton(boxes, items)
    fitting = [c for c in boxes if cartons.fits(c, items)]
    if choice is None:
        assert fitting == []
        return
    assert cartons.fits(choice, items)
    assert all(c.volume >= choice.volume for c in fitting)


def _fits_item_by_item(carton: cartons.CartonSpec, items: list[cartons.ItemSize]) -> bool:
    """The rule as a packer states it: each item fits on its own (longest side to longest
    side), and all of them together by volume and weight."""
    room = sorted((carton.length_mm, carton.width_mm, carton.height_mm))
    volume, weight = 0, carton.tare_g
    for item in items:
        weight += item.weight_g * item.qty
        sides = [side or 0 for side in (item.length_mm, item.width_mm, item.height_mm)]
        if min(sides) <= 0:
            continue
        if any(s > r for s, r in zip(sorted(sides), room, strict=True)):
            return False
        volume += sides[0] * sides[1] * sides[2] * item.qty
    return volume <= carton.volume and weight <= carton.max_weight_g


@given(carton_st, st.lists(item_st, max_size=6))
def test_fitting_the_items_summary_is_fitting_each_item(box, items) -> None:
    assert cartons.fits(box, items) == _fits_item_by_item(box, items)


def test_an_item_too_long_for_a_roomy_carton_does_not_fit() -> None:
    flat = cartons.CartonSpec("F", 300, 300, 50, Decimal(5000))
    pole = cartons.ItemSize(400, 20, 20, Decimal(100), 1)
    assert not cartons.fits(flat, [pole])
    assert (
        cartons.suggest_carton(
            [flat, cartons.CartonSpec("T", 450, 100, 100, Decimal(5000))], [pole]
        ).code
        == "T"
    )


@given(st.decimals(1, 20000, places=1), st.decimals(-5000, 5000, places=1))
def test_weight_checks_grow_with_the_difference(expected, delta) -> None:
    tol = Tolerance()
    verdict = weighing.check_weight(expected + delta, expected, tol)
    size = abs(delta)
    order = {WeightCheck.OK: 0, WeightCheck.WARN: 1, WeightCheck.BLOCK: 2}
    smaller = weighing.check_weight(expected + delta / 2, expected, tol)
    assert order[smaller.check] <= order[verdict.check]
    if size <= tol.warn_grams:
        assert verdict.check is WeightCheck.OK


def test_tolerance_thresholds_must_be_ordered() -> None:
    with pytest.raises(ValueError):
        Tolerance(warn_percent=Decimal(10), block_percent=Decimal(5))


def test_a_reading_before_the_last_item_or_unstable_never_counts() -> None:
    now = datetime.now(UTC)
    assert weighing.reading_refusal(False, Decimal(500), now, now) is not None
    assert weighing.reading_refusal(True, Decimal(0), now, now) is not None
    assert "before the last item" in (
        weighing.reading_refusal(True, Decimal(500), now - timedelta(seconds=1), now) or ""
    )
    assert weighing.reading_refusal(True, Decimal(500), now, now - timedelta(seconds=1)) is None


def task(line_id: int, seq: int, skipped: int = 0) -> picking.PickTask:
    return picking.PickTask(
        line_id,
        1,
        "1",
        "STAGE",
        "staging",
        line_id,
        f"A-01-{seq:02d}",
        seq,
        5,
        "S",
        "N",
        1,
        skipped=skipped,
    )


def test_picking_walks_bins_in_sequence_with_skipped_tasks_last() -> None:
    tasks = [task(1, 5), task(2, 2, skipped=1), task(3, 9)]
    assert [t.line_id for t in picking.walk_order(tasks)] == [1, 3, 2]
    step = picking.next_step(tasks, True, None, None)
    assert step.instruction == "Scan bin A-01-05"
    assert picking.next_step(tasks, True, (1, 1), None).stage is picking.PickStage.ITEM
    assert picking.next_step(tasks, False, None, (1, 1)).instruction == "Put in staging and scan it"


def test_station_rules_round_trip_and_tolerate_old_documents() -> None:
    rules = StationRules()
    assert StationRules.from_dict(rules.to_dict()) == rules
    assert (
        StationRules.from_dict(
            {"pick": {"require_bin_scan": False, "gone": 1}}
        ).pick.require_bin_scan
        is False
    )
