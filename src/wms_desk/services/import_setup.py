"""Import set-up: channels and saved CSV column profiles; and the orders list for the CLI."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from wms_desk.channels.generic_csv import FIELDS
from wms_desk.db.models import Channel, CsvProfile, Order, OrderLine
from wms_desk.db.queries.search import LIKE_ESCAPE, contains_pattern
from wms_desk.domain.roles import Permission
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.intake_limits import max_chars
from wms_desk.services.uow import UnitOfWork, read_only, unit_of_work

CHANNEL_KINDS = ("shopify", "woocommerce", "csv", "manual")
CHANNEL_NAME_CHARS = max_chars(Channel.name) or 64


@dataclass(frozen=True)
class ChannelInfo:
    id: int
    name: str
    kind: str
    settings: Mapping[str, Any]


@dataclass(frozen=True)
class ProfileInfo:
    id: int
    name: str
    mapping: Mapping[str, str]
    options: Mapping[str, Any]


def _channel_info(row: Channel) -> ChannelInfo:
    return ChannelInfo(row.id, row.name, row.kind, dict(row.settings or {}))


def find_channel(session: Session, name: str) -> Channel | None:
    """The channel of that name in any case: `shopify` is the demo's `Shopify`, not a second one.

    Compared in Python (casefold): SQLite's lower() knows only ASCII, PostgreSQL's knows all.
    There are a handful of channels, never enough for the scan to matter.
    """
    wanted = name.strip().casefold()
    rows = session.scalars(select(Channel).order_by(Channel.id))
    return next((row for row in rows if row.name.strip().casefold() == wanted), None)


@unit_of_work(Permission.IMPORT_ORDERS)
def ensure_channel(
    uow: UnitOfWork, name: str, kind: str, settings: Mapping[str, Any] | None = None
) -> ChannelInfo:
    """The channel called `name`, created (audited) if it does not exist yet."""
    name = name.strip()
    if not name:
        raise ValidationFailed("A channel needs a name.")
    if kind not in CHANNEL_KINDS:
        raise ValidationFailed(f"Channel kind must be one of {', '.join(CHANNEL_KINDS)}.")
    if len(name) > CHANNEL_NAME_CHARS:
        raise ValidationFailed(
            f"A channel name has at most {CHANNEL_NAME_CHARS} characters; "
            f"{name[:20]!r}... has {len(name)}."
        )
    row = find_channel(uow.session, name)
    if row is None:
        row = Channel(name=name, kind=kind, settings=dict(settings or {}), created_at=uow.now)
        uow.session.add(row)
        uow.session.flush()
        uow.audit("channel.created", "channel", row.id, after={"name": name, "kind": kind})
    elif settings is not None and _kept(row, settings) != row.settings:
        before = dict(row.settings or {})
        row.settings = _kept(row, settings)
        uow.audit("channel.settings_changed", "channel", row.id, before=before, after=row.settings)
    return _channel_info(row)


def _kept(row: Channel, settings: Mapping[str, Any]) -> dict[str, Any]:
    """New import settings keep the write-back target (set apart, by `channels writeback`)."""
    new = dict(settings)
    if "writeback" in (row.settings or {}) and "writeback" not in new:
        new["writeback"] = row.settings["writeback"]
    return new


@read_only
def list_channels(session: Session) -> list[ChannelInfo]:
    return [_channel_info(row) for row in session.scalars(select(Channel).order_by(Channel.name))]


@unit_of_work(Permission.IMPORT_ORDERS)
def save_csv_profile(
    uow: UnitOfWork,
    name: str,
    mapping: Mapping[str, str],
    options: Mapping[str, Any] | None = None,
) -> ProfileInfo:
    """Create or replace a column-mapping profile; the order id and quantity must be mapped."""
    name = name.strip()
    if not name:
        raise ValidationFailed("Give the profile a name.")
    clean = {f: c.strip() for f, c in mapping.items() if c and c.strip()}
    unknown = sorted(set(clean) - set(FIELDS))
    if unknown:
        raise ValidationFailed(f"Unknown field(s) {', '.join(unknown)}.")
    for required in ("external_id", "qty"):
        if required not in clean:
            raise ValidationFailed(f"Map a column to '{FIELDS[required]}'.")
    row = uow.session.scalar(select(CsvProfile).where(CsvProfile.name == name))
    before = None
    if row is None:
        row = CsvProfile(name=name[:64], created_at=uow.now)
        uow.session.add(row)
    else:
        before = {"mapping": row.mapping, "options": row.options}
    row.mapping, row.options, row.updated_at = clean, dict(options or {}), uow.now
    uow.session.flush()
    uow.audit(
        "csv_profile.saved", "csv_profile", row.id, before=before,
        after={"mapping": clean, "options": row.options},
    )  # fmt: skip
    return ProfileInfo(row.id, row.name, dict(row.mapping), dict(row.options))


@read_only
def list_csv_profiles(session: Session) -> list[ProfileInfo]:
    rows = session.scalars(select(CsvProfile).order_by(CsvProfile.name))
    return [ProfileInfo(r.id, r.name, dict(r.mapping), dict(r.options)) for r in rows]


@dataclass(frozen=True)
class OrderListing:
    id: int
    number: str
    channel: str
    external_id: str
    status: str
    customer: str
    ship_by: datetime | None
    lines: int
    attention: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "channel": self.channel,
            "external_id": self.external_id,
            "status": self.status,
            "customer": self.customer,
            "ship_by": self.ship_by.isoformat() if self.ship_by else None,
            "lines": self.lines,
            "attention": self.attention,
        }


@read_only
def list_orders(
    session: Session, status: str | None = None, search: str | None = None, limit: int = 50
) -> list[OrderListing]:
    """Newest first; `search` matches order number, customer, e-mail or a line's SKU."""
    line_count = (
        select(func.count(OrderLine.id))
        .where(OrderLine.order_id == Order.id)
        .correlate(Order)
        .scalar_subquery()
    )
    query = select(
        Order.id, Order.number, Channel.name, Order.external_id, Order.status,
        Order.customer_name, Order.ship_by, line_count, Order.attention,
    ).join(Channel, Channel.id == Order.channel_id)  # fmt: skip
    if status:
        query = query.where(Order.status == status)
    if search:
        # % and _ typed by the user are characters, not wildcards.
        pattern, esc = contains_pattern(search.strip().lower()), LIKE_ESCAPE
        query = query.where(
            or_(
                func.lower(Order.number).like(pattern, escape=esc),
                func.lower(Order.customer_name).like(pattern, escape=esc),
                func.lower(Order.ship_email).like(pattern, escape=esc),
                Order.id.in_(
                    select(OrderLine.order_id).where(
                        func.lower(OrderLine.sku).like(pattern, escape=esc)
                    )
                ),
            )
        )
    rows = session.execute(query.order_by(Order.id.desc()).limit(limit))
    return [OrderListing(*row) for row in rows]
