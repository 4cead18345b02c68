"""The ledger summed from a checkpoint: sums per bin and product up to move N are kept, only the
moves after N are summed when the stock report reconciles.

Moves are append-only (UPDATE, DELETE and TRUNCATE are refused, migrations 0001/0003), so the
sums of moves 1..N never change and checkpoint + tail is exactly the whole ledger. N must be a
move id below which every move is committed: on SQLite (one writer, rowids in commit order) the
largest id a reader sees; on PostgreSQL ids are handed out before commit, so N is read under a
SHARE lock, which waits for every transaction that is inserting moves (see `safe_last_move_id`).
"""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from wms_desk.db.models import LedgerCheckpoint, LedgerCheckpointSum, StockMove

CHECKPOINT_ID = 1
# Refresh once this many moves came after the checkpoint (about a busy day of picks): the
# reconciliation then sums at most that many moves beyond the checkpoint's 10,000-odd sums.
REFRESH_AFTER_MOVES = 20_000

Balances = dict[tuple[int, int], int]


def checkpoint(session: Session) -> tuple[int, Balances]:
    """(N, sums per (bin, product) up to move N); (0, {}) when none was taken yet."""
    through = session.scalar(
        select(LedgerCheckpoint.through_move_id).where(LedgerCheckpoint.id == CHECKPOINT_ID)
    )
    if through is None:
        return 0, {}
    s = LedgerCheckpointSum.__table__
    sums = {
        (int(b), int(p)): int(q)
        for b, p, q in session.execute(select(s.c.bin_id, s.c.product_id, s.c.qty)).all()
    }
    return int(through), sums


def moves_after(session: Session, through: int) -> int:
    return int(
        session.scalar(select(func.count()).select_from(StockMove).where(StockMove.id > through))
        or 0
    )


def sums(session: Session, after: int, through: int | None) -> Balances:
    """Moves in less moves out per (bin, product) for move ids in (after, through]."""
    m = StockMove.__table__
    terms = [m.c.id > after]
    if through is not None:
        terms.append(m.c.id <= through)
    out: Balances = {}
    for column, sign in ((m.c.to_bin_id, 1), (m.c.from_bin_id, -1)):
        for bid, pid, qty in session.execute(
            select(column, m.c.product_id, func.sum(m.c.qty))
            .where(column.is_not(None), *terms)
            .group_by(column, m.c.product_id)
        ).all():
            key = (int(bid), int(pid))
            out[key] = out.get(key, 0) + sign * int(qty)
    return out


def tail(session: Session, after: int) -> Balances:
    """Moves in less moves out per (bin, product) for the moves after `after`, read by id.

    The moves after a checkpoint are few: reading them by primary key and adding here beats
    a GROUP BY, which the planner would answer from the per-bin index over the whole ledger.
    """
    m = StockMove.__table__
    out: Balances = {}
    for from_bin, to_bin, pid, qty in session.execute(
        select(m.c.from_bin_id, m.c.to_bin_id, m.c.product_id, m.c.qty)
        .where(m.c.id > after)
        .order_by(m.c.id)
    ).all():
        if to_bin is not None:
            out[(int(to_bin), int(pid))] = out.get((int(to_bin), int(pid)), 0) + int(qty)
        if from_bin is not None:
            out[(int(from_bin), int(pid))] = out.get((int(from_bin), int(pid)), 0) - int(qty)
    return out


def safe_last_move_id(session: Session) -> int:
    """The largest move id with no uncommitted move below it (call in its own transaction)."""
    if session.get_bind().dialect.name == "postgresql":
        # SHARE conflicts with the ROW EXCLUSIVE every INSERT holds: this waits until the
        # transactions inserting moves now have finished, and holds new ones off for one read.
        session.execute(text("LOCK TABLE stock_moves IN SHARE MODE"))
    return int(session.scalar(select(func.max(StockMove.id))) or 0)


def store(session: Session, through: int, balances: Balances) -> bool:
    """Replace the checkpoint by sums up to `through`, unless a newer one was stored meanwhile."""
    current = session.get(LedgerCheckpoint, CHECKPOINT_ID, with_for_update=True)
    if current is not None and current.through_move_id >= through:
        return False
    session.execute(delete(LedgerCheckpointSum))
    rows = [{"bin_id": b, "product_id": p, "qty": q} for (b, p), q in sorted(balances.items()) if q]
    if rows:
        session.execute(insert(LedgerCheckpointSum), rows)
    if current is None:
        session.add(LedgerCheckpoint(id=CHECKPOINT_ID, through_move_id=through))
    else:
        current.through_move_id = through
    session.flush()
    return True
