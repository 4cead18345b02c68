"""Configuration rows read once per unit of work: settings, carrier accounts, channels.

One pack COMPLETE that buys a label asked for four settings, the carrier accounts three times
and the order's channel twice (the identity map is weak: a Channel nobody holds is gone by the
second `session.get`), each a round trip. They are remembered on the session (one session is
one unit of work) and forgotten whenever the session writes to one of these tables, a savepoint
or the transaction rolls back, or the transaction ends: never across units of work, so another
station's change is seen by the next one exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from wms_desk.db.models import AppSetting, CarrierAccount, Channel

T = TypeVar("T")

_KEY = "wms_uow_reads"
_WATCHED = (AppSetting, CarrierAccount, Channel)
_TABLES = frozenset(model.__tablename__ for model in _WATCHED)


def _remembered(session: Session, name: object, load: Callable[[], T]) -> T:
    # Pending changes are flushed first, as the query this replaces would have autoflushed:
    # a flush that writes a watched table forgets what was remembered (below).
    if session.autoflush:
        session.flush()
    memo: dict[object, Any] = session.info.setdefault(_KEY, {})
    if name not in memo:
        memo[name] = load()
    return cast(T, memo[name])


def setting_value(session: Session, key: str) -> dict[str, Any] | None:
    """An app setting's value (None when unset). Every setting is read in one query: the
    table holds a few small JSON documents, and COMPLETE reads four of them."""
    values = _remembered(
        session,
        AppSetting,
        lambda: {k: v for k, v in session.execute(select(AppSetting.key, AppSetting.value))},
    )
    return values.get(key)


def carrier_accounts(session: Session) -> list[CarrierAccount]:
    """Every carrier account, by id (a handful); callers filter by kind and activity."""
    return _remembered(
        session,
        CarrierAccount,
        lambda: list(session.scalars(select(CarrierAccount).order_by(CarrierAccount.id))),
    )


def channel(session: Session, channel_id: int | None) -> Channel | None:
    if channel_id is None:
        return None
    return _remembered(session, (Channel, channel_id), lambda: session.get(Channel, channel_id))


def forget(session: Session) -> None:
    session.info.pop(_KEY, None)


@event.listens_for(Session, "after_flush")
def _written(session: Session, _context: UOWTransaction) -> None:
    if _KEY in session.info and any(
        isinstance(obj, _WATCHED) for obj in (*session.new, *session.dirty, *session.deleted)
    ):
        forget(session)


@event.listens_for(Session, "do_orm_execute")
def _bulk_written(state: ORMExecuteState) -> None:
    if _KEY not in state.session.info or not (
        state.is_insert or state.is_update or state.is_delete
    ):
        return
    mapper = state.bind_mapper
    table = mapper.local_table if mapper is not None else getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _TABLES:
        forget(state.session)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, _previous: SessionTransaction) -> None:
    forget(session)  # a savepoint's reads may have seen what it wrote


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the unit of work's own transaction, not a savepoint
        forget(session)
