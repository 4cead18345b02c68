"""International shipments get a CN22 (up to 300) or CN23 with HS codes, printed with the label."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.printing.helpers import decode_pages, page_texts
from tests.services.shipdata import import_nordpost, packed_order
from wms_desk.db.models import AppSetting, Order, PrintJob, Product, TrackingCounter
from wms_desk.domain.customs import CustomsForm, form_for
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.shipping import labels
from wms_desk.services.shipping.customs import HOME_KEY


def _abroad(database, number: str, unit_price: str, hs_code: str | None = "691200") -> int:
    order_id = packed_order(database, number, (900,), country="NO", postal="0150")
    with database.write_session() as session, session.begin():
        session.merge(AppSetting(key=HOME_KEY, value={"country": "SE"}))
        product = session.scalar(select(Product).where(Product.sku == "MUG-1"))
        if product is None:
            product = Product(sku="MUG-1", name="Blue mug", unit_weight_g=Decimal(350),
                              customs_description="Ceramic mug", origin_country="PT")  # fmt: skip
            session.add(product)
            session.flush()
        product.hs_code = hs_code
        line = session.get(Order, order_id).lines[0]
        line.product_id, line.unit_price, line.qty = product.id, Decimal(unit_price), 2
    return order_id


def _customs_job(database, order_id: int) -> PrintJob:
    with database.read_session() as session:
        job = session.scalar(
            select(PrintJob).where(PrintJob.order_id == order_id, PrintJob.document == "customs")
        )
        assert job is not None
        session.expunge(job)
        return job


@pytest.mark.parametrize(("price", "form"), [("45.00", "CN22"), ("150.01", "CN23")])
def test_an_international_order_prints_its_customs_form(
    system_ctx, database, tmp_path, price, form
):
    import_nordpost(system_ctx)
    order_id = _abroad(database, "INT-1", price)
    result = labels.ship_order(system_ctx, order_id, printer_url=(tmp_path / "p").as_uri())
    assert result.customs_form == form and f"{form} customs form printed" in result.message
    job = _customs_job(database, order_id)
    text = page_texts(job.payload)[0]
    assert f"CUSTOMS DECLARATION {form[:2]} {form[2:]}" in text
    assert "691200 PT" in text and "Ceramic mug" in text
    assert f"Total value {Decimal(price) * 2:.2f} EUR" in text
    assert ("Code128", result.labels[0].tracking) in decode_pages(job.payload)[0]


def test_a_missing_hs_code_is_refused_before_a_number_is_used(system_ctx, database, tmp_path):
    import_nordpost(system_ctx)
    order_id = _abroad(database, "INT-2", "10.00", hs_code=None)
    with pytest.raises(ValidationFailed, match="Ceramic mug has no valid HS code"):
        labels.ship_order(system_ctx, order_id, printer_url=(tmp_path / "p").as_uri())
    with database.read_session() as session:
        assert session.get(TrackingCounter, "NORDPOST-2026") is None


def test_domestic_orders_need_no_form_and_the_limit_is_inclusive(system_ctx, database, tmp_path):
    import_nordpost(system_ctx)
    order_id = packed_order(database, "DOM-1", (900,))
    assert (
        labels.ship_order(system_ctx, order_id, printer_url=(tmp_path / "p").as_uri()).customs_form
        == ""
    )
    assert (
        form_for(Decimal(300)) is CustomsForm.CN22
        and form_for(Decimal("300.01")) is CustomsForm.CN23
    )
