"""Products and stock import: idempotent, barcodes unique, counts written as ledger moves."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.channels.intake import DATA, stocked, write
from wms_desk.db.models import AuditEvent, Bin, BinStock, Product, ProductBarcode, StockMove
from wms_desk.services.catalog_import import import_products, import_stock
from wms_desk.services.context import ServiceContext
from wms_desk.services.imports import import_file
from wms_desk.services.stock import reconcile

HEADER = "sku,name,barcodes,weight_g,length_mm,width_mm,height_mm,hs_code,origin_country,flags\n"


def test_products_twice_then_changed(system_ctx: ServiceContext, tmp_path) -> None:
    first = import_products(system_ctx, DATA / "products.csv")
    assert (first.created, first.unchanged, first.rejected) == (8, 0, 0)
    assert import_products(system_ctx, DATA / "products.csv").unchanged == 8
    changed = write(
        tmp_path,
        "p.csv",
        HEADER
        + "IPOD2008GREEN,IPod Nano green,885909000001|885909000099,210,90,40,7,8519.81,CN,fragile\n"
        + "NEW-1,New thing,111222333,5,,,,,,\n"
        + "NEW-2,Clash,885909000002,5,,,,,,\n",
    )
    result = import_products(system_ctx, changed)
    assert (result.created, result.updated, result.rejected) == (1, 1, 1)
    assert result.errors[0].message == "barcode 885909000002 already belongs to SKU IPOD2008RED"
    with system_ctx.database.read_session() as session:
        green = session.scalar(select(Product).where(Product.sku == "IPOD2008GREEN"))
        assert green is not None and green.name == "IPod Nano green"
        assert sorted(b.code for b in green.barcodes) == ["885909000001", "885909000099"]
        assert session.scalar(select(func.count()).select_from(ProductBarcode)) == 8
        assert (
            session.scalar(select(func.count()).where(AuditEvent.action == "product.updated")) == 1
        )


def test_stock_import_creates_bins_and_ledger_moves(system_ctx: ServiceContext, tmp_path) -> None:
    stocked(system_ctx)
    assert import_stock(system_ctx, DATA / "stock.csv").unchanged == 6
    recount = write(
        tmp_path,
        "s.csv",
        "bin,sku,qty\nA-01-01,IPOD2008GREEN,2\nZ-99-01,IPOD2008GREEN,4\nA-01-01,NOPE,1\n",
    )
    result = import_stock(system_ctx, recount, dry_run=True)
    assert (result.created, result.updated, result.rejected) == (1, 1, 1)
    result = import_stock(system_ctx, recount)
    assert (result.created, result.updated, result.rejected) == (1, 1, 1)
    assert result.errors[0].message == "unknown SKU 'NOPE'; import the product first"
    with system_ctx.database.read_session() as session:
        assert reconcile(session) == []
        new_bin = session.scalar(select(Bin).where(Bin.code == "Z-99-01"))
        assert new_bin is not None and new_bin.zone == "Z"
        assert session.scalar(select(func.count()).select_from(StockMove)) == 8
        on_hand = session.scalar(
            select(func.sum(BinStock.on_hand)).join(Product).where(Product.sku == "IPOD2008GREEN")
        )
        assert on_hand == 6


def test_stock_below_what_orders_hold_is_refused(system_ctx: ServiceContext, tmp_path) -> None:
    stocked(system_ctx)
    import_file(system_ctx, DATA / "woocommerce_orders.json")  # reserves 4 mugs in B-02-01
    result = import_stock(
        system_ctx, write(tmp_path, "s.csv", "bin,sku,qty\nB-02-01,WC-MUG-BLU,1\n")
    )
    assert result.rejected == 1 and "4 are reserved" in result.errors[0].message
    strict = import_stock(
        system_ctx, write(tmp_path, "t.csv", "bin,sku,qty\nB-02-01,WC-MUG-BLU,20\nB-02-01,X,1\n"),
        strict=True,
    )  # fmt: skip
    assert (strict.updated, strict.rejected) == (0, 2)
