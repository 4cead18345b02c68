"""Issue 8: a slip printed before picking shows the bin to pick from and no invented Shipped."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from sqlalchemy import delete, select, update

from tests.printing.helpers import page_texts
from wms_desk.db.models import Bin, BinStock, OrderLine, Reservation
from wms_desk.printing.model import Address
from wms_desk.printing.slip import packing_slip_pdf
from wms_desk.services import documents
from wms_desk.services.context import ServiceContext


def test_unpicked_slip_has_the_reserved_bins_and_no_shipped_column(
    system_ctx: ServiceContext, make_order: Callable[..., int], ship_from: Address
) -> None:
    order_id = make_order("8101", lines=2)
    with system_ctx.database.read_session() as session:
        reserved = dict(
            session.execute(
                select(OrderLine.sku, Bin.code)
                .join(Reservation, Reservation.order_line_id == OrderLine.id)
                .join(Bin, Bin.id == Reservation.bin_id)
                .where(OrderLine.order_id == order_id)
            ).all()
        )
    data = documents.packing_slip(system_ctx, "8101", ship_from)
    assert data.before_packing
    assert {line.sku: line.bin for line in data.lines} == reserved
    assert all(line.shipped == 0 for line in data.lines)  # nothing packed: nothing shipped
    text = page_texts(packing_slip_pdf(data))[0]
    assert "Ordered" in text and "Shipped" not in text and "Backord." not in text
    assert "10.00" in text  # the amount of what was ordered: 2 x 5.00


def test_unallocated_line_shows_the_products_best_bin(
    system_ctx: ServiceContext, make_order: Callable[..., int], ship_from: Address
) -> None:
    order_id = make_order("8102", lines=1)
    with system_ctx.database.write_session() as session, session.begin():
        line = session.scalars(select(OrderLine).where(OrderLine.order_id == order_id)).one()
        session.execute(delete(Reservation).where(Reservation.order_line_id == line.id))
        late = Bin(code="C-90-01", zone="C", pick_sequence=900)
        best = Bin(code="C-05-01", zone="C", pick_sequence=5)
        empty = Bin(code="C-01-01", zone="C", pick_sequence=1)  # first, but all reserved
        session.add_all([late, best, empty])
        session.flush()
        for bin_, on_hand, held in ((late, 9, 0), (best, 3, 1), (empty, 2, 2)):
            stock = BinStock(bin_id=bin_.id, product_id=line.product_id, on_hand=on_hand)
            stock.reserved = held
            session.add(stock)
    data = documents.packing_slip(system_ctx, "8102", ship_from)
    assert [line.bin for line in data.lines] == ["C-05-01"]
    assert "C-05-01" in page_texts(packing_slip_pdf(data))[0]


def test_packed_slip_shows_what_was_packed(
    system_ctx: ServiceContext, make_order: Callable[..., int], ship_from: Address
) -> None:
    order_id = make_order("8103", lines=2)
    with system_ctx.database.write_session() as session, session.begin():
        first, second = session.scalars(
            select(OrderLine).where(OrderLine.order_id == order_id).order_by(OrderLine.line_no)
        ).all()
        session.execute(
            update(OrderLine).where(OrderLine.id == first.id).values(picked_qty=2, packed_qty=2)
        )
        session.execute(update(OrderLine).where(OrderLine.id == second.id).values(picked_qty=1))
    data = documents.packing_slip(system_ctx, "8103", ship_from)
    assert not data.before_packing
    assert [(line.ordered, line.shipped, line.backordered) for line in data.lines] == [
        (2, 2, 0),
        (2, 0, 2),  # picked but not packed is not shipped
    ]
    text = page_texts(packing_slip_pdf(data))[0]
    assert "Shipped" in text and "Backord." in text
    assert data.lines[0].unit_price == Decimal("5.00")
