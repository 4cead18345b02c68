"""The demo database is ready to pick and to pack, and its scale order weighs what the demo
scale simulator shows at start (1.250 kg)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select

from wms_desk.db.models import Order, OrderTag, ProductBarcode
from wms_desk.domain.packing import ScanOutcome
from wms_desk.domain.roles import Role
from wms_desk.domain.station_rules import Operation
from wms_desk.services import claims, packing, picking
from wms_desk.services.context import ServiceContext
from wms_desk.services.demo import SCALE_TAG, seed_demo
from wms_desk.services.packing.cartons import list_cartons
from wms_desk.services.stock import reconcile


def test_the_demo_scale_order_weighs_1250_g_and_packs(system_ctx: ServiceContext, make_ctx) -> None:
    seed_demo(system_ctx, orders=300, seed=3)
    packer = make_ctx(Role.PACKER)
    assert [c.code for c in list_cartons(packer)] == ["ENV", "S", "M", "L"]
    with packer.database.read_session() as s:
        order = s.scalar(select(Order).join(OrderTag).where(OrderTag.tag == SCALE_TAG))
        assert order is not None and order.status == "picked"
        code = s.scalar(
            select(ProductBarcode.code).where(
                ProductBarcode.product_id == order.lines[0].product_id,
                ProductBarcode.quantity == 1,
            )
        )
        assert reconcile(s) == []
    session = packing.open_order(packer, order.number)
    assert session.suggested_carton == "S"
    verdict = packing.verify_scan(packer, order.id, code or "", str(uuid.uuid4()))
    assert verdict.outcome is ScanOutcome.VERIFIED
    assert verdict.session.packages[0].expected_weight_g == Decimal(1250)
    weighed = packing.record_weight(packer, order.id, Decimal("1250.0"), str(uuid.uuid4()))
    assert weighed.session.packages[0].weight_check == "ok"
    assert packing.complete(packer, order.id, str(uuid.uuid4())).session.completed
    # Other demo orders are ready to pick and to pack.
    assert picking.pick_next(make_ctx(Role.PACKER)) is not None
    assert claims.claim_next(make_ctx(Role.PACKER), Operation.PACK) is not None
    with packer.database.read_session() as s:
        assert reconcile(s) == []
