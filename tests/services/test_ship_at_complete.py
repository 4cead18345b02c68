"""Pack COMPLETE hands the order to shipping when the station setting says so."""

from __future__ import annotations

import uuid
from dataclasses import replace
from decimal import Decimal

from sqlalchemy import select

from tests.printing.helpers import decode_pages
from tests.services import packdata
from tests.services.packdata import Item
from tests.services.shipdata import import_nordpost
from wms_desk.db.models import Order, PrintJob, ShipmentLabel
from wms_desk.domain.packing import ScanOutcome
from wms_desk.domain.roles import Role
from wms_desk.services import packing
from wms_desk.services.shipping.labels import set_buy_at_complete
from wms_desk.services.station_bindings import PrinterBinding, StationBindings

MUG = Item("SKU-MUG", "4006381333931", Decimal(350))


def ev() -> str:
    return str(uuid.uuid4())


def _pack(ctx, number: str) -> int:
    oid = packdata.order(ctx.database, number, [("SKU-MUG", 1)])
    packing.open_order(ctx, f"ORD:{number}")
    verdict = packing.verify_scan(ctx, oid, MUG.code, ev())
    box = verdict.session.packages[0]
    packing.record_weight(ctx, oid, box.expected_weight_g, ev())
    return oid


def _setup(make_ctx, system_ctx, tmp_path):
    packdata.add_items(system_ctx.database, MUG)
    packdata.add_cartons(system_ctx.database)
    import_nordpost(system_ctx)
    printer = PrinterBinding((tmp_path / "labels").as_uri(), "pdf")
    return replace(make_ctx(Role.PACKER), bindings=StationBindings(label_printer=printer))


def test_complete_buys_and_prints_the_carrier_label(make_ctx, system_ctx, tmp_path) -> None:
    packer = _setup(make_ctx, system_ctx, tmp_path)
    set_buy_at_complete(system_ctx, True)
    oid = _pack(packer, "9001")
    # Sweden, as the documented rate card delivers there.
    with packer.database.write_session() as s, s.begin():
        order = s.get(Order, oid)
        order.ship_country, order.ship_postal_code = "SE", "11122"
    done = packing.complete(packer, oid, ev())
    assert done.outcome is ScanOutcome.COMPLETED
    assert "1 label bought (nordpost STD" in done.message
    with packer.database.read_session() as s:
        assert s.get(Order, oid).status == "shipped"
        label = s.scalar(select(ShipmentLabel))
        jobs = list(s.scalars(select(PrintJob).where(PrintJob.document == "label")))
        assert [j.payload for j in jobs] == [label.data]  # no provisional label besides it
        assert ("Code128", label.tracking) in decode_pages(jobs[0].payload)[0]


def test_a_refused_rate_leaves_the_order_packed_and_says_so(make_ctx, system_ctx, tmp_path) -> None:
    packer = _setup(make_ctx, system_ctx, tmp_path)
    set_buy_at_complete(system_ctx, True, ("test-station",))
    oid = _pack(packer, "9002")  # to the US: the Nordpost card has no zone there
    done = packing.complete(packer, oid, ev())
    assert done.outcome is ScanOutcome.COMPLETED
    assert "No label bought" in done.message and "Ship screen" in done.message
    with packer.database.read_session() as s:
        assert s.get(Order, oid).status == "packed"
        assert s.scalar(select(ShipmentLabel)) is None
