"""Configuration read once per unit of work, and never after it changed (services/uow_reads)."""

from __future__ import annotations

from sqlalchemy import event, update

from wms_desk.db.models import AppSetting, CarrierAccount, Channel
from wms_desk.services.context import ServiceContext
from wms_desk.services.database import Database
from wms_desk.services.uow import UnitOfWork, run_unit_of_work
from wms_desk.services.uow_reads import carrier_accounts, channel, setting_value


def _count_selects(database: Database, table: str) -> list[str]:
    """The reads of the whole table (the memo's), as they reach the database."""
    seen: list[str] = []

    def before(_conn, _cursor, statement, _params, _context, _many) -> None:
        if (
            statement.startswith("SELECT")
            and f"FROM {table}" in statement
            and "WHERE" not in statement
        ):
            seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", before)
    return seen


def test_a_setting_is_read_once_and_again_after_it_is_written(
    system_ctx: ServiceContext, database: Database
) -> None:
    reads = _count_selects(database, "app_settings")

    def work(uow: UnitOfWork) -> list[object]:
        session = uow.session
        seen: list[object] = [setting_value(session, "t.a"), setting_value(session, "t.b")]
        session.add(AppSetting(key="t.a", value={"n": 1}))  # pending: flushed before the read
        seen.append(setting_value(session, "t.a"))
        row = session.get(AppSetting, "t.a")
        assert row is not None
        row.value = {"n": 2}
        seen.append(setting_value(session, "t.a"))
        session.execute(update(AppSetting).where(AppSetting.key == "t.a").values(value={"n": 3}))
        seen.append(setting_value(session, "t.a"))
        return seen

    assert run_unit_of_work(system_ctx, work) == [None, None, {"n": 1}, {"n": 2}, {"n": 3}]
    assert len(reads) == 4  # once, then once after each of the three writes

    def later(uow: UnitOfWork) -> object:
        return setting_value(uow.session, "t.a")

    assert run_unit_of_work(system_ctx, later) == {"n": 3}  # a new unit of work reads afresh
    assert len(reads) == 5


def test_a_rolled_back_savepoint_forgets_what_it_read(system_ctx: ServiceContext) -> None:
    def work(uow: UnitOfWork) -> list[object]:
        session = uow.session
        seen: list[object] = []
        try:
            with session.begin_nested():
                session.add(AppSetting(key="t.sp", value={"inside": True}))
                seen.append(setting_value(session, "t.sp"))
                raise RuntimeError("refused")
        except RuntimeError:
            pass
        seen.append(setting_value(session, "t.sp"))
        return seen

    assert run_unit_of_work(system_ctx, work) == [{"inside": True}, None]


def test_carrier_accounts_and_channels_follow_what_the_session_writes(
    system_ctx: ServiceContext,
) -> None:
    def work(uow: UnitOfWork) -> list[object]:
        session = uow.session
        before = [a.code for a in carrier_accounts(session)]
        session.add(CarrierAccount(code="T-NEW", name="Test new", kind="manual", rate_card=""))
        after = [a.code for a in carrier_accounts(session)]
        shop = Channel(name="t-shop", kind="manual")
        session.add(shop)
        session.flush()
        found = channel(session, shop.id)
        shop.name = "t-shop-2"
        renamed = channel(session, shop.id)
        return [before, after, found is shop, renamed is not None and renamed.name]

    before, after, same, name = run_unit_of_work(system_ctx, work)
    assert after == [*before, "T-NEW"]
    assert same is True and name == "t-shop-2"
    assert run_unit_of_work(system_ctx, lambda uow: channel(uow.session, None)) is None
