"""`wms-desk rma label RMA`: a return label bought and queued; its keys are a contract."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import update

from tests.services.shipdata import import_nordpost
from tests.services.test_rma_support import seed_catalogue, shipped_order
from wms_desk.db.models import Order, Product
from wms_desk.domain.returns import Reason
from wms_desk.services.context import ServiceContext
from wms_desk.services.returns.rma import ReturnLineRequest, create_rma
from wms_desk.services.returns.views import rma_detail

LABEL_KEYS = {"number", "order", "carrier", "service", "tracking", "price", "currency", "print_job"}


def test_rma_label_buys_queues_and_refuses_a_second(wms, system_ctx: ServiceContext, tmp_path):
    seed_catalogue(system_ctx)
    import_nordpost(system_ctx)
    shipped_order(system_ctx, "9301", [("MUG", 1, "10.00", "0", "0")])
    with system_ctx.database.write_session() as session, session.begin():
        session.execute(update(Order).values(ship_country="SE", ship_postal_code="164 40"))
        session.execute(update(Product).values(unit_weight_g=Decimal(300)))
    number = create_rma(system_ctx, "9301", [ReturnLineRequest("MUG", 1, Reason.DAMAGED)]).number
    printer = (tmp_path / "labels").as_uri()

    code, out, err = wms("rma", "label", f"RMA:{number}", "--printer", printer, "--json")
    assert code == 0, err
    bought = json.loads(out)
    assert set(bought) == LABEL_KEYS
    assert (bought["number"], bought["order"], bought["carrier"]) == (number, "9301", "nordpost")
    assert rma_detail(system_ctx, number).return_tracking == bought["tracking"]

    code, out, err = wms("rma", "label", number, "--printer", printer)
    assert code == 1 and out == ""
    assert f"already has return label {bought['tracking']}" in err
