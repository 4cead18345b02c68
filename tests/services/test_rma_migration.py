"""Migration 0007 on a database with data: nothing lost, triggers kept, the service role allowed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from wms_desk.db import schema
from wms_desk.db.engine import create_db_engine, sqlite_url


def _seed_0003(engine) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO channels (id, name, kind, settings, created_at) "
                "VALUES (1, 'shop', 'manual', '{}', CURRENT_TIMESTAMP)"
            )
        )
        c.execute(
            text(
                "INSERT INTO users (id, username, display_name, role, active, created_at) "
                "VALUES (1, 'kim', 'Kim', 'packer', true, CURRENT_TIMESTAMP)"
            )
        )


# Every NOT NULL column the tables had at 0003, nothing newer.
ORDER_0003: dict[str, object] = {
    "id": 1,
    "channel_id": 1,
    "external_id": "e1",
    "number": "1001",
    "status": "shipped",
    "version": 1,
    "priority": 0,
    "currency": "USD",
    "subtotal": 9,
    "shipping_total": 0,
    "tax_total": 0,
    "total": 9,
    "is_gift": False,
    "assigned_user_id": 1,
    **{
        c: ""
        for c in (
            "customer_name",
            "ship_name",
            "ship_company",
            "ship_street1",
            "ship_street2",
            "ship_street3",
            "ship_city",
            "ship_region",
            "ship_postal_code",
            "ship_country",
            "ship_phone",
            "ship_email",
            "requested_service",
            "gift_message",
            "notes",
            "source_hash",
        )
    },
}
LINE_0003: dict[str, object] = {
    "id": 1,
    "order_id": 1,
    "line_no": 1,
    "external_line_id": "",
    "sku": "MUG",
    "name": "Mug",
    "qty": 1,
    "unit_price": 9,
    "pickable": True,
    "picked_qty": 1,
    "packed_qty": 1,
}


def _insert(table: str, values: dict[str, object]):  # type: ignore[no-untyped-def]
    columns = ", ".join(values)
    marks = ", ".join(f":{c}" for c in values)
    # An untyped '{}' literal is valid JSON for SQLite and jsonb for PostgreSQL alike.
    stamps = ", bill_to, created_at, updated_at" if table == "orders" else ""
    now = ", '{}', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP" if table == "orders" else ""
    return text(f"INSERT INTO {table} ({columns}{stamps}) VALUES ({marks}{now})").bindparams(
        **values
    )


def _upgrade_with_data(url: str) -> None:
    engine = create_db_engine(url)
    try:
        schema.upgrade(engine, "0003")
        _seed_0003(engine)
        with engine.begin() as c:
            c.execute(_insert("orders", ORDER_0003))
            c.execute(_insert("order_lines", LINE_0003))
        schema.upgrade(engine)
        with engine.begin() as c:
            line = c.execute(text("SELECT sku, unit_price, discount, tax FROM order_lines")).one()
            assert (line[0], float(line[1]), float(line[2]), float(line[3])) == ("MUG", 9, 0, 0)
            assert c.execute(text("SELECT discount_total FROM orders")).scalar_one() == 0
            c.execute(
                text(
                    "INSERT INTO users (id, username, display_name, role, active, created_at) "
                    "VALUES (2, 'sam', 'Sam', 'service', true, CURRENT_TIMESTAMP)"
                )
            )
            if engine.dialect.name == "sqlite":
                assert c.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
                triggers = set(
                    c.scalars(text("SELECT name FROM sqlite_master WHERE type='trigger'"))
                )
                assert {"orders_search_ai", "orders_search_ad", "orders_search_au"} <= triggers
        with pytest.raises(IntegrityError), engine.begin() as c:
            c.execute(
                text(
                    "INSERT INTO users (id, username, display_name, role, active, created_at) "
                    "VALUES (3, 'eve', 'Eve', 'root', true, CURRENT_TIMESTAMP)"
                )
            )
    finally:
        engine.dispose()


def test_sqlite_file_with_orders_upgrades_in_place(tmp_path: Path) -> None:
    _upgrade_with_data(sqlite_url(tmp_path / "old.sqlite3"))


def test_postgresql_database_with_orders_upgrades(empty_pg_url: str) -> None:
    _upgrade_with_data(empty_pg_url)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_downgrade_to_0003_and_up_again(backend: str, tmp_path: Path, request) -> None:
    from alembic import command

    url = (
        sqlite_url(tmp_path / "round.sqlite3")
        if backend == "sqlite"
        else request.getfixturevalue("empty_pg_url")
    )
    engine = create_db_engine(url)
    try:
        schema.upgrade(engine)
        command.downgrade(schema.alembic_config(engine), "0003")
        assert schema.current_revision(engine) == "0003"
        with pytest.raises(IntegrityError), engine.begin() as c:
            c.execute(
                text(
                    "INSERT INTO users (id, username, display_name, role, active, created_at) "
                    "VALUES (2, 'sam', 'Sam', 'service', true, CURRENT_TIMESTAMP)"
                )
            )
        schema.upgrade(engine)
        assert schema.current_revision(engine) == schema.SCHEMA_HEAD
    finally:
        engine.dispose()
