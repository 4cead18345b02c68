"""The demo database can rate, ship, void and close a manifest offline (issue 11 item 10)."""

from __future__ import annotations

from sqlalchemy import select

from wms_desk.db.models import Order
from wms_desk.services.demo import seed_demo
from wms_desk.services.shipping import labels, manifests, voids
from wms_desk.services.shipping.accounts import list_carriers
from wms_desk.services.shipping.rating import rate_order


def test_demo_orders_rate_ship_void_and_manifest(system_ctx, database, tmp_path) -> None:
    seed_demo(system_ctx, seed=3)  # the full demo (300 orders) has the shipping orders
    assert [c.code for c in list_carriers(system_ctx)] == ["demopost"]
    domestic = rate_order(system_ctx, "SHIP-1001")
    assert domestic.chosen is not None and domestic.chosen.service == "GROUND"
    assert {o.service for o in domestic.options} == {"GROUND", "2DAY"}
    express = rate_order(system_ctx, "SHIP-1002")
    assert express.chosen is not None and express.chosen.service == "2DAY"
    assert express.chosen.reason == "the channel asked for Express"
    abroad = rate_order(system_ctx, "SHIP-2002")
    assert [o.service for o in abroad.options] == ["INTL"] and abroad.chosen is not None

    printer = (tmp_path / "labels").as_uri()
    with database.read_session() as session:
        query = select(Order.number, Order.id).where(Order.number.like("SHIP-%"))
        ids = {row.number: row.id for row in session.execute(query)}
    shipped = {n: labels.ship_order(system_ctx, ids[n], printer_url=printer) for n in sorted(ids)}
    assert [len(r.labels) for r in shipped.values()] == [1, 2, 1, 1, 2]
    assert [r.customs_form for r in shipped.values()] == ["", "", "", "CN22", "CN22"]
    voids.void_label(system_ctx, shipped["SHIP-1003"].labels[0].tracking, "demo void")
    form = manifests.close_manifest(system_ctx, "demopost")
    assert form.package_count == 6  # 7 labels bought, 1 voided
