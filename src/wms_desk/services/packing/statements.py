"""The reads every pack scan makes, built once per process.

A scan of a 200-line order runs about twenty statements. Building a `select()` with a dozen
columns and two joins costs more than running it on SQLite (about 0.6 ms of a 7 ms scan went
to constructing the line read alone), so the hot statements are module constants with bound
parameters; SQLAlchemy's compiled cache does the rest.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, select, true

from wms_desk.db.models import (
    AuditEvent,
    Bin,
    Carton,
    LineShortage,
    Order,
    OrderLine,
    Package,
    PackageItem,
    PackProgress,
    Product,
    ProductBarcode,
    StationRule,
    StockMove,
)
from wms_desk.services.driver_sql import DriverQuery, fetch_all

ORDER_ID = "order_id"

# The order's pickable lines with the product facts the packer and the rules need.
LINES = (
    select(
        OrderLine.id,
        OrderLine.line_no,
        OrderLine.sku,
        OrderLine.name,
        OrderLine.product_id,
        OrderLine.qty,
        OrderLine.packed_qty,
        OrderLine.picked_qty,
        Product.name.label("product_name"),
        Product.needs_serial,
        Product.needs_lot,
        Product.image_path,
        Product.unit_weight_g,
        LineShortage.qty.label("shorted"),
        Product.length_mm,
        Product.width_mm,
        Product.height_mm,
    )
    .outerjoin(Product, Product.id == OrderLine.product_id)
    .outerjoin(
        LineShortage,
        (LineShortage.order_line_id == OrderLine.id) & (LineShortage.stage == "pack"),
    )
    .where(OrderLine.order_id == bindparam(ORDER_ID), OrderLine.pickable.is_(True))
    .order_by(OrderLine.line_no)
)

BARCODES = (
    select(ProductBarcode.product_id, ProductBarcode.code, ProductBarcode.quantity)
    .where(
        ProductBarcode.product_id.in_(
            select(OrderLine.product_id).where(OrderLine.order_id == bindparam(ORDER_ID))
        )
    )
    .order_by(ProductBarcode.id)
)

PICK_BINS = (
    select(StockMove.product_id, Bin.code)
    .join(Bin, Bin.id == StockMove.from_bin_id)
    .where(StockMove.reason == "pick", StockMove.reference == bindparam("order_number"))
)

PACKAGES = select(Package).where(Package.order_id == bindparam(ORDER_ID)).order_by(Package.seq)

# Items in line order, so a snapshot lists them the same however it was built. Not joined to
# PACKAGES: 200 rows each resolving a Package entity cost more than the second statement.
PACKAGE_ITEMS = (
    select(PackageItem.package_id, PackageItem.order_line_id, PackageItem.qty)
    .join(Package, Package.id == PackageItem.package_id)
    .where(Package.order_id == bindparam(ORDER_ID))
    .order_by(PackageItem.package_id, PackageItem.order_line_id)
)

# Every carton, active or not (there are a handful): a scan may name any of them by barcode,
# and the suggestion picks among the active ones.
CARTONS = select(Carton)

PRODUCT_BY_CODE = (
    select(ProductBarcode.quantity, Product.id, Product.sku, Product.name)
    .join(Product, Product.id == ProductBarcode.product_id)
    .where(ProductBarcode.code.in_(bindparam("codes", expanding=True)))
    .limit(1)
)

# A scan's first read: the order, its pack progress, the station's rules and the audit event
# already recorded under the scan's event id (a replay), in one statement: four round trips
# before (the order, the event, the progress, the rules).
SCAN_START = (
    select(Order, PackProgress, StationRule.rules, AuditEvent.id, AuditEvent.after)
    .outerjoin(PackProgress, PackProgress.order_id == Order.id)
    .outerjoin(StationRule, StationRule.station_id == bindparam("station_id"))
    .outerjoin(AuditEvent, AuditEvent.event_id == bindparam("event_id"))
    .where(Order.id == bindparam(ORDER_ID))
)

# PostgreSQL: the same read also makes this transaction's commit asynchronous (set_config with
# is_local true is SET LOCAL synchronous_commit = off, riding on a statement the scan sends
# anyway). Why a scan may commit so: see common.load_scan.
SYNCHRONOUS_COMMIT_OFF = func.set_config("synchronous_commit", "off", True)
SCAN_START_PG = SCAN_START.add_columns(SYNCHRONOUS_COMMIT_OFF)

# An item scan's first read also looks its code up (PRODUCT_BY_CODE, the same statement, as a
# subquery): one statement fewer per scan. Its columns follow SCAN_START's five (a read that
# finds no product has them NULL), before the PostgreSQL variant's set_config.
_SCANNED = PRODUCT_BY_CODE.subquery("scanned")
SCAN_START_PRODUCT = SCAN_START.add_columns(
    _SCANNED.c.quantity, _SCANNED.c.id, _SCANNED.c.sku, _SCANNED.c.name
).outerjoin(_SCANNED, true())
SCAN_START_PRODUCT_PG = SCAN_START_PRODUCT.add_columns(SYNCHRONOUS_COMMIT_OFF)

EVENT_BY_ID = select(AuditEvent.id, AuditEvent.after).where(
    AuditEvent.event_id == bindparam("event_id")
)


# The reads of a scan that return a row per line (200 for a 200-line order) are sent straight
# to the driver (driver_sql): SQLAlchemy's result machinery cost about half as much again as
# the rows themselves. Compiled once per statement and dialect.
# Keyed by the statement itself (compared by identity), which the key keeps alive.
_DRIVER: dict[tuple[object, str], DriverQuery] = {}


def rows(connection: Connection, query: Select[*tuple[Any, ...]], values: dict[str, Any]) -> Any:
    """Every row of one of this module's selects, as a Core execute gives its values."""
    key = (query, connection.dialect.name)
    compiled = _DRIVER.get(key)
    if compiled is None:
        compiled = _DRIVER[key] = DriverQuery.compile(query, connection.dialect)
    return fetch_all(connection, compiled, values)
