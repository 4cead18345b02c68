"""Customs for international shipments: the declaration from the order, the CN22/CN23 PDF."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from wms_desk.db.models import Order, OrderLine, Product
from wms_desk.domain.customs import (
    CustomsForm,
    CustomsItem,
    Declaration,
    check_items,
    form_for,
    is_international,
)
from wms_desk.printing.barcodes import draw_code128
from wms_desk.printing.model import Address
from wms_desk.printing.pdf import fit_text, render_pages, rule
from wms_desk.services.uow import UnitOfWork
from wms_desk.services.uow_reads import setting_value

HOME_KEY = "shipping.home_country"  # {"country": "US"}: where the warehouse ships from
INCH = 72.0
CN22_SIZE = (4 * INCH, 6 * INCH)  # printed on the label printer's stock, with the label
A4 = (595.0, 842.0)


def home_country(uow: UnitOfWork, ship_from: Address) -> str:
    value = setting_value(uow.session, HOME_KEY)
    if value is not None and value.get("country"):
        return str(value["country"]).upper()
    if ship_from.country:
        return ship_from.country.upper()
    last = ship_from.lines[-1].strip() if ship_from.lines else ""
    return last.upper() if len(last) == 2 and last.isalpha() else ""


def declaration_for(
    uow: UnitOfWork, order: Order, ship_from: Address, tracking: str
) -> Declaration | None:
    """None for a domestic shipment; else the checked declaration (CustomsError if incomplete)."""
    if not is_international(home_country(uow, ship_from), order.ship_country):
        return None
    rows = uow.session.execute(
        select(OrderLine, Product)
        .outerjoin(Product, Product.id == OrderLine.product_id)
        .where(OrderLine.order_id == order.id, OrderLine.pickable.is_(True))
        .order_by(OrderLine.line_no)
    )
    items = []
    for line, product in rows:
        qty = line.packed_qty or line.qty
        items.append(
            CustomsItem(
                (product.customs_description or product.name) if product else line.name,
                qty,
                line.unit_price * qty,
                (product.unit_weight_g * qty) if product else Decimal(0),
                (product.hs_code or "") if product else "",
                (product.origin_country or "").upper() if product else "",
            )
        )
    check_items(order.number, tuple(items))
    total = sum((i.value for i in items), Decimal(0))
    return Declaration(
        form_for(total),
        order.number,
        tracking,
        order.currency,
        tuple(items),
        tuple(x for x in (ship_from.name, *ship_from.lines) if x),
        tuple(x for x in _recipient(order) if x),
    )


def _recipient(order: Order) -> tuple[str, ...]:
    return (
        order.ship_name,
        order.ship_company,
        order.ship_street1,
        order.ship_street2,
        f"{order.ship_postal_code} {order.ship_city}".strip(),
        order.ship_country,
    )


def _draw(c: Any, d: Declaration) -> None:
    w, h = CN22_SIZE if d.form is CustomsForm.CN22 else A4
    m = 14.0 if d.form is CustomsForm.CN22 else 36.0
    title = (
        "CUSTOMS DECLARATION CN 22" if d.form is CustomsForm.CN22 else "CUSTOMS DECLARATION CN 23"
    )
    fit_text(c, title, m, h - m - 12, w - 2 * m, 12, bold=True)
    fit_text(c, f"May be opened officially. Category: {d.category}", m, h - m - 26, w - 2 * m, 7)
    draw_code128(c, d.tracking, m, h - m - 62, 30, 0.9, w - 2 * m)
    fit_text(c, d.tracking, m, h - m - 72, w - 2 * m, 8, align="center")
    y = h - m - 88
    fit_text(c, "From: " + ", ".join(d.sender), m, y, w - 2 * m, 7)
    fit_text(c, "To: " + ", ".join(d.recipient), m, y - 10, w - 2 * m, 7)
    y -= 22
    rule(c, m, y, w - m, 0.8)
    cols = (0.0, 0.40, 0.50, 0.64, 0.80)
    heads = ("Description", "Qty", "Weight kg", "Value", "HS / origin")
    width = w - 2 * m
    for x, head in zip(cols, heads, strict=True):
        fit_text(c, head, m + x * width, y - 10, width * 0.2, 6.5, bold=True)
    for item in d.items:
        y -= 12
        values = (item.description, str(item.qty), f"{item.weight_g / 1000:.3f}",
                  f"{item.value:.2f}", f"{item.hs_code} {item.origin_country}")  # fmt: skip
        spans = (0.39, 0.09, 0.13, 0.15, 0.20)
        for x, span, value in zip(cols, spans, values, strict=True):
            fit_text(c, value, m + x * width, y - 10, width * span, 7)
    y -= 22
    rule(c, m, y, w - m, 0.8)
    fit_text(c, f"Total value {d.total_value:.2f} {d.currency}", m, y - 12, width / 2, 8, bold=True)
    fit_text(c, f"Total weight {d.total_weight_g / 1000:.3f} kg", m + width / 2, y - 12,
             width / 2, 8, bold=True)  # fmt: skip
    fit_text(c, f"Order {d.order_number}", m, y - 24, width, 7)
    rule(c, m, m + 14, m + width * 0.6, 0.6)
    fit_text(c, "I certify the particulars given are correct. Date and sender's signature",
             m, m + 4, width, 6)  # fmt: skip


def declaration_pdf(d: Declaration) -> bytes:
    size = CN22_SIZE if d.form is CustomsForm.CN22 else A4
    return render_pages(size, f"{d.form.value} {d.order_number}", [d], _draw)
