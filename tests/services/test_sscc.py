"""SSCCs: correct check digit, drawn from the counter, never reused, stored per package."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.printing.helpers import run_together
from wms_desk.printing.barcodes import is_valid_sscc
from wms_desk.services import sscc
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.uow import run_unit_of_work


def test_sscc_sequence_is_valid_and_unique(system_ctx: ServiceContext) -> None:
    numbers = [sscc.allocate_sscc(system_ctx, "0614141") for _ in range(5)]
    assert numbers[0] == "006141410000000012"  # 0 0614141 000000001 + check 2 (sum 48)
    assert all(is_valid_sscc(n) for n in numbers)
    assert len(set(numbers)) == 5
    assert [int(n[8:17]) for n in numbers] == [1, 2, 3, 4, 5]


def test_rolled_back_serial_is_not_reused(system_ctx: ServiceContext) -> None:
    first = sscc.allocate_sscc(system_ctx, "0614141")

    def take_and_fail(uow: Any) -> None:
        sscc.next_sscc(uow.session, "0614141")
        raise ValidationFailed("package step failed")

    with pytest.raises(ValidationFailed):
        run_unit_of_work(system_ctx, take_and_fail)
    after = sscc.allocate_sscc(system_ctx, "0614141")
    assert after != first and is_valid_sscc(after)


@pytest.mark.parametrize("prefix", ["", "12345", "0614141x", "1234567890123"])
def test_bad_company_prefix_is_refused(system_ctx: ServiceContext, prefix: str) -> None:
    with pytest.raises(ValidationFailed, match="company prefix"):
        sscc.allocate_sscc(system_ctx, prefix)


def test_serials_run_out_loudly(system_ctx: ServiceContext) -> None:
    from wms_desk.db.models import Counter

    run_unit_of_work(
        system_ctx,
        lambda uow: uow.session.add(Counter(name=sscc.counter_name("061414112345"), value=9999)),
    )
    with pytest.raises(ValidationFailed, match="are used"):
        sscc.allocate_sscc(system_ctx, "061414112345")


@pytest.mark.postgresql
def test_concurrent_allocation_never_repeats(pg_db_url: str) -> None:
    results: list[str] = []
    lock = threading.Lock()
    databases = [Database(pg_db_url) for _ in range(2)]

    def run(database: Database) -> None:
        ctx = ServiceContext(database, system_actor())
        for _ in range(15):
            number = sscc.allocate_sscc(ctx, "0614141")
            with lock:
                results.append(number)

    try:
        run_together(run, databases)
    finally:
        for db in databases:
            db.dispose()
    assert len(results) == 30 and len(set(results)) == 30
