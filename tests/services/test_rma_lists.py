"""The returns list's filters and search, an order's returns, and the desk finding an order
by the ORDID: barcode of its slip."""

from __future__ import annotations

import pytest

from tests.services.test_rma_support import MUG_CODE, seed_catalogue, shipped_order
from wms_desk.domain.codes import ORDER_ID_PREFIX
from wms_desk.domain.errors import PermissionDenied
from wms_desk.domain.returns import Condition, Disposition, Reason
from wms_desk.domain.roles import Role
from wms_desk.services.context import ServiceContext
from wms_desk.services.returns.inspection import inspect_unit
from wms_desk.services.returns.receiving import receive_scan
from wms_desk.services.returns.resolution import resolve_rma
from wms_desk.services.returns.rma import ReturnLineRequest, create_rma, set_return_tracking
from wms_desk.services.returns.service_desk import find_orders
from wms_desk.services.returns.views import RmaFilter, list_rmas, rmas_of_order


@pytest.fixture
def rmas(system_ctx: ServiceContext) -> dict[str, str]:
    """Four returns, one in each state the list filters on."""
    seed_catalogue(system_ctx)
    numbers = {}
    for n, customer in enumerate(("Ada Byron", "Alan Turing", "Grace Hopper", "Edsger Dijkstra")):
        shipped_order(system_ctx, f"910{n}", [("MUG", 2, "10.00", "0", "0")], customer=customer)
        lines = [ReturnLineRequest("MUG", 1, Reason.NO_LONGER_NEEDED)]
        numbers[customer] = create_rma(system_ctx, f"910{n}", lines).number
    waiting, inspected, resolved = (
        numbers[k] for k in ("Alan Turing", "Grace Hopper", "Ada Byron")
    )
    set_return_tracking(system_ctx, numbers["Edsger Dijkstra"], "RR100000999SE")
    received = receive_scan(system_ctx, waiting, MUG_CODE)  # in, not inspected yet
    assert received.rma_complete
    for number in (inspected, resolved):
        unit = receive_scan(system_ctx, number, MUG_CODE).unit_ids[0]
        inspect_unit(system_ctx, unit, Condition.NEW, Disposition.QUARANTINE, None)
    resolve_rma(system_ctx, resolved)
    return numbers


def _listed(ctx: ServiceContext, which: RmaFilter, text: str = "") -> set[str]:
    return {r.number for r in list_rmas(ctx, which=which, text=text)}


def test_the_filters_say_where_each_return_stands(system_ctx: ServiceContext, rmas) -> None:
    assert _listed(system_ctx, RmaFilter.ALL) == set(rmas.values())
    assert _listed(system_ctx, RmaFilter.OPEN) == {
        rmas["Edsger Dijkstra"],
        rmas["Alan Turing"],
        rmas["Grace Hopper"],
    }
    # Alan's parcel is in but nobody decided where it goes: not "inspected" yet.
    assert _listed(system_ctx, RmaFilter.WAITING) == {rmas["Edsger Dijkstra"]}
    assert _listed(system_ctx, RmaFilter.INSPECTED) == {rmas["Grace Hopper"]}
    assert _listed(system_ctx, RmaFilter.RESOLVED) == {rmas["Ada Byron"]}


def test_search_by_rma_order_customer_or_return_tracking(system_ctx: ServiceContext, rmas) -> None:
    grace = rmas["Grace Hopper"]
    for text in (grace, f"RMA:{grace}", "9102", "ORD:9102", "hopper"):
        assert _listed(system_ctx, RmaFilter.ALL, text) == {grace}, text
    assert _listed(system_ctx, RmaFilter.ALL, "RR100000999SE") == {rmas["Edsger Dijkstra"]}
    assert _listed(system_ctx, RmaFilter.RESOLVED, "hopper") == set()


def test_an_orders_returns_and_who_may_list_them(
    system_ctx: ServiceContext, make_ctx, rmas
) -> None:
    service = make_ctx(Role.SERVICE)
    order_id = find_orders(service, "9101")[0].id
    assert [r.number for r in rmas_of_order(service, order_id)] == [rmas["Alan Turing"]]
    # Packers receive returns, so they see the list; a slip's ORDID: barcode finds its order.
    assert _listed(make_ctx(Role.PACKER), RmaFilter.ALL) == set(rmas.values())
    assert [h.number for h in find_orders(service, f"{ORDER_ID_PREFIX}{order_id}")] == ["9101"]
    with pytest.raises(PermissionDenied):
        rmas_of_order(make_ctx(Role.PACKER), order_id)
