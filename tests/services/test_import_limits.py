"""Issue 9 #2: one bad record never stops an import half-way, on either backend."""

from __future__ import annotations

import json
import math
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.channels.intake import shopify_order, stocked, write
from wms_desk.db.models import Channel, Order, OrderLine, OrderTag
from wms_desk.services import imports
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.imports import ImportResult, import_file
from wms_desk.services.intake_limits import Checked, int_bounds, max_chars, numeric_shape

Order_ = dict[str, Any]
NAME = max_chars(Order.customer_name)
ID = max_chars(Order.external_id)
TAG = max_chars(OrderTag.tag)
QTY_MAX = int_bounds(OrderLine.qty)[1]
MONEY_MAX = numeric_shape(Order.total)[1]
assert NAME and ID and TAG


@pytest.fixture
def ctx(any_db_url: str) -> Iterator[ServiceContext]:
    database = Database(any_db_url)
    try:
        yield stocked(ServiceContext(database, system_actor()))
    finally:
        database.dispose()


def _line(order: Order_, **values: object) -> None:
    order["line_items"][0].update(values)


def _ship(order: Order_, **values: object) -> None:
    order["shipping_address"].update(values)


# Each corruption of one order, and a word its report must hold. The first group is refused
# (rejected); the values are the ones seen in issue 9 #2 and their neighbours.
REFUSED: dict[str, tuple[Callable[[Order_], None], str]] = {
    "qty Infinity": (lambda o: _line(o, quantity="Infinity"), "quantity 'Infinity'"),
    "qty sNaN": (lambda o: _line(o, quantity="sNaN"), "quantity 'sNaN'"),
    "qty NaN": (lambda o: _line(o, quantity="NaN"), "quantity 'NaN'"),
    "qty 10^20": (lambda o: _line(o, quantity=10**20), "quantity 100000000000000000000"),
    "qty 10^12": (lambda o: _line(o, quantity=10**12), f"at most {QTY_MAX}"),
    "qty past int4": (lambda o: _line(o, quantity=QTY_MAX + 1), f"at most {QTY_MAX}"),
    "qty 1e999999999": (lambda o: _line(o, quantity="1e999999999"), "quantity '1e999999999'"),
    "total NaN": (lambda o: o.update(total_price="NaN"), "total_price"),
    "total sNaN": (lambda o: o.update(total_price="sNaN"), "total_price"),
    "total 10^20": (lambda o: o.update(total_price="1e20"), "total"),
    "total past numeric": (lambda o: o.update(total_price=str(MONEY_MAX + 1)), "total"),
    "price Infinity": (lambda o: _line(o, price="Infinity"), "price"),
    "shipping sNaN": (lambda o: o.update(shipping_lines=[{"price": "sNaN"}]), "shipping"),
    "year 9999 with offset": (
        lambda o: o.update(created_at="9999-12-31T23:30:00-05:00"),
        "created_at",
    ),
    "year 1 with offset": (
        lambda o: o.update(created_at="0001-01-01T00:10:00+05:00"),
        "created_at",
    ),
    "long order id": (lambda o: o.update(id="9" * 100), "order id"),
    "NUL in name": (lambda o: _ship(o, last_name="Bu\u0000yer"), "NUL"),
    "NUL in note": (lambda o: o.update(note="call\u0000me"), "NUL"),
    "NUL in bill-to": (lambda o: o.update(billing_address={"address1": "\u0000"}), "NUL"),
    "lone surrogate": (lambda o: _ship(o, city="Le\ud800eds"), "Unicode"),
    "long zip": (lambda o: _ship(o, zip="9" * 40), "ship-to postal code"),
    "long street": (lambda o: _ship(o, address1="x" * 1000), "ship-to street1"),
    "long sku": (lambda o: _line(o, sku="S" * 100), "SKU"),
    "currency EURO": (lambda o: o.update(currency="EURO"), "currency"),
    "garbage date": (lambda o: o.update(created_at="yesterday"), "created_at"),
}
# Stored, and the user is told what was cut to fit.
CUT: dict[str, tuple[Callable[[Order_], None], str]] = {
    "1 MB customer name": (
        lambda o: _ship(o, first_name="N" * 1_000_000),
        f"kept its first {NAME}",
    ),
    "tags alike in their first characters": (
        lambda o: o.update(tags=f"{'t' * TAG}-one, {'t' * TAG}-two"),
        f"kept its first {TAG}",
    ),
    "long item name": (lambda o: _line(o, name="n" * 5000), "item name"),
}


def _page(tmp_path, count: int, bad_at: int | None, corrupt: Callable[[Order_], None] | None):
    orders = [shopify_order(i) for i in range(1, count + 1)]
    if bad_at is not None and corrupt is not None:
        corrupt(orders[bad_at - 1])
    # ensure_ascii keeps a lone surrogate as a \ud800 escape, as a channel would send it.
    return write(tmp_path, f"orders-{uuid.uuid4().hex[:6]}.json", json.dumps({"orders": orders}))


def _stored(ctx: ServiceContext, channel: str) -> set[str]:
    with ctx.database.read_session() as session:
        return set(
            session.scalars(select(Order.number).join(Channel).where(Channel.name == channel)).all()
        )


def _counts(result: ImportResult) -> tuple[int, int, int, int, int]:
    return result.created, result.updated, result.unchanged, result.cancelled, result.rejected


@pytest.mark.parametrize("kind", sorted(REFUSED))
def test_each_bad_value_rejects_its_order_alone(ctx: ServiceContext, tmp_path, kind: str) -> None:
    corrupt, word = REFUSED[kind]
    page = _page(tmp_path, 5, 3, corrupt)
    result = import_file(ctx, page, channel="c")
    assert _counts(result) == (4, 0, 0, 0, 1)
    # Reported by file, position and field (a value may break more than one field's rule).
    assert {e.ref for e in result.errors} == {f"{page.name} order #G3 (item 3)"}
    assert any(word in e.message for e in result.errors)
    assert all(len(e.message) < 400 for e in result.errors)  # a 1 MB value is not echoed
    assert _stored(ctx, "c") == {"#G1", "#G2", "#G4", "#G5"}


@pytest.mark.parametrize("kind", sorted(CUT))
def test_long_display_text_is_cut_with_a_word_and_never_silently(
    ctx: ServiceContext, tmp_path, kind: str
) -> None:
    corrupt, word = CUT[kind]
    page = _page(tmp_path, 3, 2, corrupt)
    result = import_file(ctx, page, channel="c")
    assert _counts(result) == (3, 0, 0, 0, 0)
    assert {e.ref for e in result.errors} == {f"{page.name} order #G2 (item 2)"}
    assert any(word in e.message for e in result.errors)
    # The same file again changes nothing and says nothing more.
    again = import_file(ctx, page, channel="c")
    assert _counts(again) == (0, 0, 3, 0, 0) and again.errors == ()


def test_cut_values_fit_their_columns(ctx: ServiceContext, tmp_path) -> None:
    orders = [shopify_order(1)]
    _ship(orders[0], first_name="N" * 1_000_000, last_name="")
    orders[0]["tags"] = f"{'t' * TAG}-one, {'t' * TAG}-two, short"
    result = import_file(ctx, write(tmp_path, "o.json", json.dumps(orders)), channel="c")
    assert sorted(e.message for e in result.errors) == [
        f"customer name was 1000000 characters long: kept its first {NAME}",
        f"ship-to name was 1000000 characters long: kept its first {NAME}",
        f"tag '{'t' * 19}…' was {TAG + 4} characters long: kept its first {TAG}",
        f"tag '{'t' * 19}…' was {TAG + 4} characters long: kept its first {TAG}",
    ]
    with ctx.database.read_session() as session:
        order = session.scalars(select(Order)).one()
        assert order.customer_name == order.ship_name == "N" * NAME
        # Alike in their first characters, the two long tags are one tag once cut.
        assert sorted(t.tag for t in order.tags) == ["short", "t" * TAG]


def test_the_1200_order_file_with_a_bad_record_at_701(ctx: ServiceContext, tmp_path) -> None:
    """The file of issue 9 #2: it stored 500, then died at 701 on every run."""
    page = _page(tmp_path, 1200, 701, REFUSED["qty 10^20"][0])
    assert _counts(import_file(ctx, page, channel="c")) == (1199, 0, 0, 0, 1)
    result = import_file(ctx, page, channel="c")
    assert _counts(result) == (0, 0, 1199, 0, 1)
    assert [e.ref for e in result.errors] == [f"{page.name} order #G701 (item 701)"]
    assert "#G701" not in _stored(ctx, "c") and len(_stored(ctx, "c")) == 1199


@pytest.mark.parametrize("qty", [10**20, 2**63])
def test_a_chunk_the_database_refuses_still_stores_its_good_orders(
    ctx: ServiceContext, tmp_path, monkeypatch, qty: int
) -> None:
    """With the limit checks switched off, the database itself refuses order 701 (SQLite and
    PostgreSQL alike): the chunk is halved until 701 stands alone, and only 701 is lost."""
    monkeypatch.setattr(imports, "check_order", lambda record: Checked(record, (), ()))
    orders = [shopify_order(i) for i in range(1, 1201)]
    _line(orders[700], quantity=qty)
    page = write(tmp_path, "orders.json", json.dumps({"orders": orders}))
    result = import_file(ctx, page, channel="c")
    assert _counts(result) == (1199, 0, 0, 0, 1)
    [error] = result.errors
    assert error.ref == "orders.json order #G701 (item 701)"
    assert error.message.startswith("the database refused this order (")
    assert _counts(import_file(ctx, page, channel="c")) == (0, 0, 1199, 0, 1)
    with ctx.database.read_session() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == 1199


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    good=st.integers(min_value=1, max_value=8),
    position=st.integers(min_value=0, max_value=8),
    kind=st.sampled_from(sorted(REFUSED) + sorted(CUT)),
    text=st.text(min_size=0, max_size=30),
)
def test_fuzz_one_bad_record_among_good_ones(
    ctx: ServiceContext, tmp_path_factory, good: int, position: int, kind: str, text: str
) -> None:
    """Any one bad record among good ones: every good one stored, the bad one reported, the
    summary's counts exact. Good orders carry generated text (any Unicode but NUL/surrogates)."""
    refused = kind in REFUSED
    corrupt, word = REFUSED[kind] if refused else CUT[kind]
    bad_at = min(position, good) + 1
    orders = [shopify_order(i) for i in range(1, good + 2)]
    for order in orders:
        order["note"] = text.replace("\x00", "")
        _ship(order, last_name=f"{text[:20]}".replace("\x00", "") or "x")
    corrupt(orders[bad_at - 1])
    channel = f"fuzz-{uuid.uuid4().hex[:8]}"
    path = tmp_path_factory.mktemp("fuzz") / "page.json"
    path.write_text(json.dumps({"orders": orders}), encoding="utf-8")
    result = import_file(ctx, path, channel=channel)
    names = {f"#G{i}" for i in range(1, good + 2)}
    if refused:
        assert _counts(result) == (good, 0, 0, 0, 1)
        names.discard(f"#G{bad_at}")
    else:
        assert _counts(result) == (good + 1, 0, 0, 0, 0)
    assert {e.ref for e in result.errors} == {f"page.json order #G{bad_at} (item {bad_at})"}
    assert any(word in e.message for e in result.errors)
    assert _stored(ctx, channel) == names


def test_values_exactly_at_the_limits_are_stored_on_both_backends(
    ctx: ServiceContext, tmp_path
) -> None:
    """The limits are the columns' own: one more character or unit is refused, none less."""
    zip_max = max_chars(Order.ship_postal_code)
    assert zip_max is not None
    orders = [shopify_order(1), shopify_order(2)]
    orders[0]["id"] = "7" * ID
    _ship(orders[0], zip="Z" * zip_max)
    _line(orders[0], quantity=QTY_MAX)
    orders[0]["total_price"] = str(MONEY_MAX)
    orders[1]["id"] = "8" * (ID + 1)
    result = import_file(ctx, write(tmp_path, "edge.json", json.dumps(orders)), channel="c")
    assert _counts(result) == (1, 0, 0, 0, 1)
    assert result.errors[0].message == (
        f"order id '{'8' * 59}\u2026' is {ID + 1} characters long; at most {ID} fit"
    )
    with ctx.database.read_session() as session:
        order = session.scalars(select(Order)).one()
        assert (order.external_id, order.ship_postal_code) == ("7" * ID, "Z" * zip_max)
        assert order.total == MONEY_MAX and order.lines[0].qty == QTY_MAX


def test_the_catalogue_and_stock_files_meet_the_same_limits(any_db_url: str, tmp_path) -> None:
    from wms_desk.db.models import Bin, Product
    from wms_desk.services.catalog_import import import_products, import_stock

    database = Database(any_db_url)
    try:
        ctx = ServiceContext(database, system_actor())
        sku_max, name_max = max_chars(Product.sku), max_chars(Product.name)
        bin_max = max_chars(Bin.code)
        assert sku_max and name_max and bin_max
        header = "sku,name,barcodes,weight_g,length_mm,width_mm,height_mm,hs_code,origin_country"
        rows = [
            "OK-1,Fine,123,10,1,1,1,,",
            f"OK-2,{'n' * (name_max + 1)},,10,,,,,",
            "OK-3,Heavy,,1e20,,,,,",
            "OK-4,Huge,,10,1000000000000,,,,",
            f"OK-5,Coded,{'9' * 65},10,,,,,",
            "OK-6,Weightless,,NaN,,,,,",
        ]
        products = write(tmp_path, "p.csv", "\n".join([header, *rows]) + "\n")
        result = import_products(ctx, products)
        assert (result.created, result.rejected) == (1, 5)
        # The parser's own refusals first (NaN is no weight), then the column limits.
        assert [e.message.split(" ")[0] for e in result.errors] == [
            "weight_g:", "name", "weight_g", "length_mm", "barcode",
        ]  # fmt: skip
        stock = write(
            tmp_path, "s.csv",
            f"bin,sku,qty\nA-1,OK-1,5\nA-2,OK-1,{10**12}\n{'B' * (bin_max + 1)},OK-1,1\n",
        )  # fmt: skip
        counted = import_stock(ctx, stock)
        assert (counted.created, counted.rejected) == (1, 2)
        assert "qty 1000000000000 is too large" in counted.errors[0].message
        assert f"at most {bin_max} fit" in counted.errors[1].message
    finally:
        database.dispose()


def test_only_a_refusal_of_the_data_is_blamed_on_an_order() -> None:
    """A locked or lost database is raised as it is: it must not turn 500 orders into 500
    'refused' ones."""
    from sqlalchemy.exc import DataError, IntegrityError, OperationalError

    from wms_desk.services.imports import is_refusal

    assert is_refusal(IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")))
    assert is_refusal(DataError("INSERT", {}, Exception("value too long")))
    assert is_refusal(OverflowError("Python int too large to convert to SQLite INTEGER"))
    assert not is_refusal(OperationalError("INSERT", {}, Exception("database is locked")))


def _not_a_quantity(value: float) -> bool:
    return not (math.isfinite(value) and value.is_integer() and 0 < value <= QTY_MAX)


def _too_long(text: str, limit: int) -> bool:
    # What the parser keeps (trimmed, NFC) is what must not fit.
    return len(unicodedata.normalize("NFC", text.strip())) > limit


def _late_in_9999(hours: int) -> st.SearchStrategy[str]:
    """A local time on 31 Dec 9999 whose UTC time falls in year 10000."""
    zone = timezone(-timedelta(hours=hours))
    return st.datetimes(
        min_value=datetime(9999, 12, 31, 24 - hours), max_value=datetime(9999, 12, 31, 23, 59)
    ).map(lambda moment: moment.replace(tzinfo=zone).isoformat())


# (field, generated bad value): each refuses its order; values drawn, not listed.
GENERATED_REFUSALS = st.one_of(
    st.tuples(
        st.just("quantity"),
        st.one_of(
            st.integers(max_value=0),
            st.integers(min_value=QTY_MAX + 1),
            st.floats().filter(_not_a_quantity),
            st.sampled_from(["Infinity", "-inf", "NaN", "sNaN", "1e30", "2.5"]),
        ),
    ),
    st.tuples(
        st.just("total_price"),
        st.one_of(
            st.decimals(min_value=MONEY_MAX + 1, allow_nan=False, allow_infinity=False),
            st.decimals(max_value=-MONEY_MAX - 1, allow_nan=False, allow_infinity=False),
            st.sampled_from(["NaN", "sNaN", "Infinity", "-Infinity"]),
        ).map(str),
    ),
    st.tuples(
        st.just("id"),
        st.text(min_size=ID + 1, max_size=ID + 40).filter(lambda t: _too_long(t, ID)),
    ),
    st.tuples(st.just("created_at"), st.integers(1, 23).flatmap(_late_in_9999)),
    st.tuples(st.just("city"), st.text(max_size=10).map(lambda t: f"{t}\x00{t}")),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    good=st.integers(min_value=1, max_value=6),
    position=st.integers(min_value=0, max_value=6),
    bad=GENERATED_REFUSALS,
)
def test_fuzz_generated_bad_values(
    ctx: ServiceContext, tmp_path_factory, good: int, position: int, bad: tuple[str, Any]
) -> None:
    field, value = bad
    bad_at = min(position, good) + 1
    orders = [shopify_order(i) for i in range(1, good + 2)]
    target = orders[bad_at - 1]
    if field == "quantity":
        _line(target, quantity=value)
    elif field == "city":
        _ship(target, city=value)
    else:
        target[field] = value
    channel = f"gen-{uuid.uuid4().hex[:8]}"
    path = tmp_path_factory.mktemp("gen") / "page.json"
    path.write_text(json.dumps({"orders": orders}), encoding="utf-8")
    result = import_file(ctx, path, channel=channel)
    assert _counts(result) == (good, 0, 0, 0, 1)
    refs = {e.ref for e in result.errors}
    assert len(refs) == 1 and refs.pop().endswith(f"(item {bad_at})"), result.errors
    word = {"id": "order id", "city": "ship-to city", "total_price": "total"}.get(field, field)
    assert any(word in e.message for e in result.errors), result.errors
    assert _stored(ctx, channel) == {f"#G{i}" for i in range(1, good + 2)} - {f"#G{bad_at}"}


def test_every_combination_of_intake_holds_fits_the_hold_reason_column() -> None:
    from itertools import combinations

    from wms_desk.channels.records import (
        AWAITING_PAYMENT,
        LOCAL_PICKUP,
        NO_SHIP_TO,
        PARTLY_FULFILLED,
        REFUNDED,
        hold_reason,
    )

    limit = max_chars(Order.hold_reason)
    assert limit is not None
    # A payment hold and a refund hold exclude each other, as do the two address holds.
    for payment in (AWAITING_PAYMENT, REFUNDED):
        for address in (NO_SHIP_TO, LOCAL_PICKUP):
            for size in range(1, 4):
                for reasons in combinations((payment, PARTLY_FULFILLED, address), size):
                    assert len(hold_reason(reasons)) <= limit, reasons
