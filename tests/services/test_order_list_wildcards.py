"""`orders list --search` takes % and _ as characters, not LIKE wildcards (both backends)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, update

from wms_desk.cli.main import main
from wms_desk.db.models import Order
from wms_desk.services.context import ServiceContext
from wms_desk.services.demo import seed_demo
from wms_desk.services.import_setup import list_orders


@pytest.fixture
def seeded(system_ctx: ServiceContext) -> tuple[ServiceContext, str]:
    seed_demo(system_ctx, orders=40, seed=5)
    with system_ctx.database.write_session() as session, session.begin():
        target = session.scalars(select(Order).order_by(Order.id)).first()
        assert target is not None
        session.execute(
            update(Order).where(Order.id == target.id).values(customer_name="Ann 100%_Percy")
        )
        return system_ctx, target.number


@pytest.mark.parametrize("term", ["%", "_", "%_", "0%_p"])
def test_wildcards_find_only_the_name_that_has_them(
    seeded: tuple[ServiceContext, str], term: str
) -> None:
    ctx, number = seeded
    assert [row.number for row in list_orders(ctx, search=term, limit=100)] == [number]


@pytest.mark.parametrize("term", ["__", "%%", "\\"])
def test_a_wildcard_no_name_has_finds_nothing(
    seeded: tuple[ServiceContext, str], term: str
) -> None:
    ctx, _number = seeded
    assert list_orders(ctx, search=term, limit=100) == []


def test_the_cli_lists_what_the_service_finds(
    seeded: tuple[ServiceContext, str], db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _ctx, number = seeded
    code = main(["--db", db_url, "orders", "list", "--json", "--search", "%"])
    assert code == 0
    assert [row["number"] for row in json.loads(capsys.readouterr().out)] == [number]
