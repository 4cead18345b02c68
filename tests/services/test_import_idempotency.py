"""Idempotency on both backends: the same file twice, then an updated file, gives exact counts."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.channels.intake import DATA, stocked, write
from wms_desk.db.models import AuditEvent, Order, OrderLine
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.imports import import_file


def _counts(result) -> tuple[int, int, int, int, int]:
    return (result.created, result.updated, result.unchanged, result.cancelled, result.rejected)


def _rows(ctx: ServiceContext) -> tuple[int, int, int]:
    with ctx.database.read_session() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(m))
            for m in (Order, OrderLine, AuditEvent)
        )


def test_same_file_twice_then_an_updated_file(any_db_url: str, tmp_path) -> None:
    database = Database(any_db_url)
    try:
        ctx = stocked(ServiceContext(database, system_actor()))
        source = DATA / "shopify_export.csv"
        assert _counts(import_file(ctx, source)) == (5, 0, 0, 1, 0)
        before = _rows(ctx)
        assert _counts(import_file(ctx, source)) == (0, 0, 6, 0, 0)
        assert _rows(ctx) == before  # not even an audit event

        text = source.read_text(encoding="utf-8")
        text = text.replace(
            "Chestnut Street 92,Chestnut Street 92,,,Boston", "Elm Road 1,Elm Road 1,,,Boston", 2
        )
        text = text.replace(
            ",,Shopify Payments,,,Demo,,,,,5551006,",
            ",2024-03-04 08:00:00 -0500,Shopify Payments,,,Demo,,,,,5551006,",
        )
        header = text.splitlines()[0].split(",")
        row = dict.fromkeys(header, "") | {
            "Name": "#2007", "Email": "new@example.com", "Currency": "EUR", "Id": "5551007",
            "Created at": "2024-03-05 08:00:00 +0000", "Lineitem quantity": "1",
            "Lineitem name": "Warehouse Handbook", "Lineitem sku": "EBOOK-WH-101",
            "Lineitem requires shipping": "false",
        }  # fmt: skip
        new_order = "\n" + ",".join(row[h] for h in header)
        updated = write(tmp_path, "export2.csv", text.rstrip("\r\n") + new_order + "\n")
        # #2001 updated (address), #2006 cancelled by the channel, #2007 new, 4 untouched.
        assert _counts(import_file(ctx, updated)) == (1, 1, 4, 1, 0)
        assert _counts(import_file(ctx, updated)) == (0, 0, 7, 0, 0)
    finally:
        database.dispose()


def test_two_stations_importing_the_same_file_at_once(any_db_url: str) -> None:
    import threading

    database = Database(any_db_url)
    try:
        ctx = stocked(ServiceContext(database, system_actor()))
        results: list[object] = []
        start = threading.Barrier(2)

        def station() -> None:
            start.wait()
            results.append(import_file(ctx, DATA / "woocommerce_orders.json"))

        threads = [threading.Thread(target=station) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert len(results) == 2, "a station's import raised"
        created = sorted(r.created + r.cancelled for r in results)
        assert created == [0, 6]
        assert _rows(ctx)[0] == 6
    finally:
        database.dispose()


def test_statistics_refresh_after_bulk_loads(any_db_url: str) -> None:
    from sqlalchemy import text

    from wms_desk.services.imports import refresh_statistics

    database = Database(any_db_url)
    try:
        ctx = ServiceContext(database, system_actor())
        refresh_statistics(ctx)  # a no-op on SQLite, ANALYZE on PostgreSQL
        if not database.is_sqlite:
            with database.read_session() as session:
                analysed = session.scalar(
                    text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'orders'")
                )
            assert analysed is not None
    finally:
        database.dispose()
