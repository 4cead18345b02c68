"""The pack scan's per-line reads sent straight to the driver (statements.rows) give the values
a Core execute gives: the same rows, the same Python types (SQLite's REAL weight as Decimal, its
0/1 flags as bool), and a driver error is SQLAlchemy's DBAPIError (the unit of work's retries)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.services import packdata
from tests.services.packdata import Item
from wms_desk.db.models import Order
from wms_desk.services.context import ServiceContext
from wms_desk.services.packing import statements

MUG = Item("SKU-MUG", "4006381333931", Decimal("350.5"), case_code="14006381333938")
CAM = Item("SKU-CAM", "4099999999996", Decimal(900), needs_serial=True)


def test_the_driver_rows_are_the_core_rows(system_ctx: ServiceContext) -> None:
    db = system_ctx.database
    packdata.add_items(db, MUG, CAM)
    oid = packdata.order(db, "D-1", [("SKU-MUG", 2), ("SKU-CAM", 1)])
    with db.write_session() as session, session.begin():
        number = session.scalar(select(Order.number).where(Order.id == oid))
        connection = session.connection()
        reads = [
            (statements.LINES, {statements.ORDER_ID: oid}),
            (statements.BARCODES, {statements.ORDER_ID: oid}),
            (statements.PICK_BINS, {"order_number": number}),
            (statements.PACKAGE_ITEMS, {statements.ORDER_ID: oid}),
        ]
        for query, values in reads:
            core = [tuple(row) for row in connection.execute(query, values)]
            driver = [tuple(row) for row in statements.rows(connection, query, values)]
            assert driver == core
            assert [[type(v) for v in row] for row in driver] == [
                [type(v) for v in row] for row in core
            ]
        lines = statements.rows(connection, statements.LINES, {statements.ORDER_ID: oid})
        assert len(lines) == 2 and Decimal("350.5") in {row[12] for row in lines}
        assert {row[9] for row in lines} == {True, False}  # needs_serial: bools, not 0/1


def test_a_driver_error_is_sqlalchemys(system_ctx: ServiceContext) -> None:
    with system_ctx.database.write_session() as session, session.begin():
        connection = session.connection()
        connection.execute(text("SELECT 1"))
        with pytest.raises(DBAPIError):
            statements.rows(connection, select(text("no_such_column")), {})
