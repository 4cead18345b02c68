"""Inventory reads: products by SKU, name or barcode; stock per bin; the ledger after a count."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from wms_desk.db.models import ProductBarcode
from wms_desk.domain.errors import PermissionDenied
from wms_desk.domain.roles import Role
from wms_desk.services import inventory
from wms_desk.services.context import ServiceContext
from wms_desk.services.demo import seed_demo


@pytest.fixture
def supervisor(system_ctx: ServiceContext, make_ctx) -> ServiceContext:
    seed_demo(system_ctx, orders=20, seed=2)
    return make_ctx(Role.SUPERVISOR)


def test_products_are_found_by_sku_name_or_any_barcode(supervisor: ServiceContext) -> None:
    everything = inventory.search_products(supervisor)
    assert len(everything) > 20 and [p.sku for p in everything] == sorted(p.sku for p in everything)
    target = everything[7]
    assert [p.id for p in inventory.search_products(supervisor, target.sku)] == [target.id]
    word = target.name.split()[-1]
    by_name = inventory.search_products(supervisor, word.lower())
    assert target.id in {p.id for p in by_name}
    assert all(word.lower() in p.name.lower() or word.lower() in p.sku.lower() for p in by_name)
    with supervisor.database.read_session() as session:
        codes = list(
            session.scalars(
                select(ProductBarcode.code).where(ProductBarcode.product_id == target.id)
            )
        )
    assert codes
    for code in codes:  # the unit barcode and any case barcode find the same product
        assert target.id in {p.id for p in inventory.search_products(supervisor, code)}
    assert inventory.search_products(supervisor, "no-such-thing-zz") == []
    # Paged in SQL: the second page starts where the first ended.
    first = inventory.search_products(supervisor, "", 0, 10)
    second = inventory.search_products(supervisor, "", 10, 10)
    assert [p.id for p in first + second] == [p.id for p in everything[:20]]


def test_a_count_shows_in_bins_and_ledger(supervisor: ServiceContext) -> None:
    product = inventory.search_products(supervisor)[3]
    bins = inventory.product_bins(supervisor, product.id)
    assert bins and sum(b.on_hand for b in bins) == product.on_hand
    target = bins[0]
    before = inventory.ledger(supervisor, product.id)
    result = inventory.set_bin_quantity(
        supervisor, target.bin, product.sku, target.on_hand + 5, "cycle count"
    )
    assert result.on_hand == target.on_hand + 5
    after = inventory.product_bins(supervisor, product.id)
    assert {b.bin: b.on_hand for b in after}[target.bin] == target.on_hand + 5
    ledger = inventory.ledger(supervisor, product.id)
    assert len(ledger) == len(before) + 1
    newest = ledger[0]
    assert (newest.to_bin, newest.qty, newest.reason, newest.reference) == (
        target.bin,
        5,
        "adjust",
        "cycle count",
    )
    assert newest.user == supervisor.actor.display_name
    assert inventory.search_products(supervisor, product.sku)[0].on_hand == product.on_hand + 5


def test_packers_may_look_up_stock_but_not_count_it(supervisor: ServiceContext, make_ctx) -> None:
    packer = make_ctx(Role.PACKER)
    product = inventory.search_products(packer)[0]
    bins = inventory.product_bins(packer, product.id)
    assert bins and inventory.ledger(packer, product.id)
    assert inventory.bin_codes(packer)
    with pytest.raises(PermissionDenied) as refused:
        inventory.set_bin_quantity(packer, bins[0].bin, product.sku, 1, "oops")
    # What was tried and whom to ask, not the permission's name.
    assert str(refused.value) == "A packer may not count or adjust stock; ask a supervisor."
    assert inventory.product_bins(supervisor, product.id) == bins
