"""What the reports keep pre-aggregated: the ledger's checkpoint and closed-day rollups."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from wms_desk.db.models.base import Base, utcnow


class LedgerCheckpoint(Base):
    """The single row saying up to which stock move the checkpoint sums go (id 1).

    The ledger is append-only, so the sums of moves up to `through_move_id` never change: the
    reconciliation adds the moves after it instead of summing the whole ledger.
    """

    __tablename__ = "ledger_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    through_move_id: Mapped[int]
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerCheckpointSum(Base):
    """Moves in less moves out per bin and product, over the moves up to the checkpoint."""

    __tablename__ = "ledger_checkpoint_sums"

    bin_id: Mapped[int] = mapped_column(ForeignKey("bins.id"), primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), primary_key=True)
    qty: Mapped[int]


# common.scope_key of three ids and a carrier name (shipments.carrier is 64 long).
SCOPE_LENGTH = 128


class ReportRollup(Base):
    """One report's figures for one closed UTC day under one scope, as JSON (the report's own
    partial shape). The scope is the filters other than the range ('' = the whole site).

    A day's row is written only once the day has ended (plus a grace period); database triggers
    delete it when a row it was computed from changes, so a missing row means "compute again".
    """

    __tablename__ = "report_rollups"
    # The triggers forget by day (migrations 0012 and 0015), across scopes.
    __table_args__ = (Index("ix_report_rollups_day_report", "day", "report"),)

    report: Mapped[str] = mapped_column(String(32), primary_key=True)
    scope: Mapped[str] = mapped_column(String(SCOPE_LENGTH), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
