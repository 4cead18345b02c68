"""The queue's SQL against a Python oracle over the same demo orders, on the run's backend."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from wms_desk.db.models import Channel, Order, OrderLine, OrderTag, User
from wms_desk.db.queries import queue as q
from wms_desk.domain import order_status
from wms_desk.domain.due import due_state
from wms_desk.services.context import ServiceContext
from wms_desk.services.demo import seed_demo

ORDER_STATUSES = order_status.VALUES

OPEN = order_status.in_order(order_status.OPEN)


@pytest.fixture
def seeded(system_ctx: ServiceContext) -> ServiceContext:
    seed_demo(system_ctx, orders=300, seed=11)
    # Give the oracle something to find: assignments, a formula-like name, an e-mail.
    with system_ctx.database.write_session() as session, session.begin():
        users = list(session.scalars(select(User.id).order_by(User.id)))
        ids = list(session.scalars(select(Order.id).order_by(Order.id)))
        station = system_ctx.actor.station_id
        for n, order_id in enumerate(ids[::7]):
            session.execute(
                update(Order)
                .where(Order.id == order_id)
                .values(assigned_station_id=station, assigned_user_id=users[n % len(users)])
            )
        session.execute(
            update(Order)
            .where(Order.id == ids[3])
            .values(customer_name="Zelda Quackenbush", ship_email="zelda.q@example.org")
        )
    return system_ctx


def _all_orders(session: Session) -> list[dict[str, Any]]:
    tags: dict[int, set[str]] = {}
    for order_id, tag in session.execute(select(OrderTag.order_id, OrderTag.tag)):
        tags.setdefault(order_id, set()).add(tag)
    skus: dict[int, set[str]] = {}
    for order_id, sku in session.execute(select(OrderLine.order_id, OrderLine.sku)):
        skus.setdefault(order_id, set()).add(sku or "")
    return [
        {
            "id": o.id,
            "status": o.status,
            "number": o.number,
            "customer_name": o.customer_name,
            "email": o.ship_email,
            "channel_id": o.channel_id,
            "service": o.requested_service,
            "priority": o.priority,
            "ship_by": o.ship_by,
            "created_at": o.created_at,
            "station": o.assigned_station_id,
            "user": o.assigned_user_id,
            "tags": tags.get(o.id, set()),
            "skus": skus.get(o.id, set()),
        }
        for o in session.scalars(select(Order))
    ]


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    # FTS5's unicode61 tokenizer: letters and digits make words, everything else separates.
    return re.findall(r"[^\W_]+", plain)


def _search_hit(o: dict[str, Any], term: str, dialect: str) -> bool:
    """What the search promises: number prefix, exact SKU, e-mail prefix, and the name —
    word prefixes of name and e-mail on SQLite (FTS5), a substring of the name on PostgreSQL."""
    if any(o["number"].startswith(t) for t in (term, term.upper())):
        return True
    if {term, term.upper()} & o["skus"]:
        return True
    if "@" in term and any(o["email"].startswith(t) for t in (term, term.lower())):
        return True
    if len(term) < q.MIN_NAME_SEARCH:
        return False
    if dialect == "sqlite":
        tokens = _words(o["customer_name"] + " " + o["email"])
        # Punctuation alone ("%%") has no words, so it names nobody.
        wanted = _words(term)
        return bool(wanted) and all(any(tok.startswith(t) for tok in tokens) for t in wanted)
    return term.lower() in o["customer_name"].lower()


def _matches(o: dict[str, Any], f: q.QueueFilter, now: datetime, dialect: str) -> bool:
    if f.statuses and o["status"] not in f.statuses:
        return False
    if f.channel_ids and o["channel_id"] not in f.channel_ids:
        return False
    if f.services and o["service"] not in f.services:
        return False
    if (
        f.priority
        and {
            "raised": o["priority"] > 0,
            "normal": o["priority"] == 0,
            "lowered": o["priority"] < 0,
        }[f.priority]
        is False
    ):
        return False
    # The one late rule (open orders only), row by row, against the SQL filter.
    if f.ship_window and due_state(o["ship_by"], o["status"], now) != f.ship_window:
        return False
    if f.tags and not o["tags"] & set(f.tags):
        return False
    if f.station_id is not None and o["station"] != f.station_id:
        return False
    if f.user_id is not None and o["user"] != f.user_id:
        return False
    return not f.search or _search_hit(o, f.search.strip(), dialect)


def _filters(ctx: ServiceContext, session: Session) -> list[q.QueueFilter]:
    channel = session.scalar(select(Channel.id).order_by(Channel.id))
    some = session.execute(select(Order).order_by(Order.id).offset(3)).scalars().first()
    assert some is not None and channel is not None
    user = session.scalar(select(Order.assigned_user_id).where(Order.assigned_user_id.is_not(None)))
    tag = session.scalar(select(OrderTag.tag))
    sku = session.scalar(select(OrderLine.sku).where(OrderLine.sku.is_not(None)))
    return [
        q.QueueFilter(),
        q.QueueFilter(statuses=OPEN),
        q.QueueFilter(statuses=("on_hold",)),
        q.QueueFilter(channel_ids=(channel,)),
        q.QueueFilter(statuses=OPEN, services=("Express",)),
        q.QueueFilter(priority="raised"),
        q.QueueFilter(priority="lowered"),
        q.QueueFilter(statuses=OPEN, ship_window="late"),
        q.QueueFilter(ship_window="today"),
        q.QueueFilter(ship_window="later"),
        q.QueueFilter(tags=(tag,) if tag else ("none",)),
        q.QueueFilter(station_id=ctx.actor.station_id),
        q.QueueFilter(user_id=user, statuses=OPEN),
        q.QueueFilter(search="Zelda"),
        q.QueueFilter(search="quack"),
        q.QueueFilter(search="zelda.q@example"),
        q.QueueFilter(search=some.number[:4]),
        q.QueueFilter(search=sku or "x"),
        q.QueueFilter(search=sku or "x", statuses=OPEN, channel_ids=(channel,)),
    ]


def _oracle_order(rows: list[dict[str, Any]], sort: str, descending: bool) -> list[int]:
    far = datetime.max.replace(tzinfo=UTC)
    fields = {
        "ship_by": ("ship_by",),
        "created": ("created_at",),
        "number": ("number",),
        "customer": ("customer_name",),
        "priority": ("priority", "ship_by"),
        "status": ("status_rank", "ship_by"),
    }[sort]

    def key(o: dict[str, Any]) -> tuple[Any, ...]:
        values = []
        for name in fields:
            value = ORDER_STATUSES.index(o["status"]) if name == "status_rank" else o[name]
            values.append(far if value is None else value)
        return (*values, o["id"])

    return [o["id"] for o in sorted(rows, key=key, reverse=descending)]


def test_every_filter_returns_what_the_oracle_finds(seeded: ServiceContext) -> None:
    now = datetime.now(UTC)
    with seeded.database.read_session() as session:
        everything = _all_orders(session)
        dialect = session.get_bind().dialect.name
        checked = 0
        for f in _filters(seeded, session):
            expected = {o["id"] for o in everything if _matches(o, f, now, dialect)}
            request = q.QueueRequest(f, "number", limit=1000, now=now)
            got = q.page_ids(session, request)
            assert set(got) == expected, f
            ids, counts = q.query_page(session, request)
            assert set(ids) == expected, f
            assert counts is not None
            want = {s: 0 for s in ORDER_STATUSES}
            for o in everything:
                if _matches(o, f.without_status(), now, dialect):
                    want[o["status"]] += 1
            assert counts == want, f
            assert q.status_counts(session, request) == want, f
            checked += bool(expected)
        # The filters are not vacuous: most of them find something in the demo data.
        assert checked >= 14


@pytest.mark.parametrize("sort", sorted(q.SORTS))
def test_sorts_and_pages_agree_with_the_oracle(seeded: ServiceContext, sort: str) -> None:
    now = datetime.now(UTC)
    with seeded.database.read_session() as session:
        everything = _all_orders(session)
        dialect = session.get_bind().dialect.name
        for f in (q.QueueFilter(statuses=OPEN), q.QueueFilter(search="an")):
            rows = [o for o in everything if _matches(o, f, now, dialect)]
            for descending in (False, True):
                request = q.QueueRequest(f, sort, descending, now=now)
                expected = _oracle_order(rows, sort, descending)
                # Page by page, as the model fetches: no gaps, no repeats, the same order.
                pages: list[int] = []
                offset = 0
                while True:
                    page = q.page_ids(session, request.rows(offset, 17))
                    pages.extend(page)
                    offset += 17
                    if len(page) < 17:
                        break
                if sort in ("ship_by", "priority", "status") and any(
                    o["ship_by"] is None for o in rows
                ):
                    # NULL ship-by sorts first on SQLite and last on PostgreSQL.
                    assert sorted(pages) == sorted(expected)
                else:
                    assert pages == expected, (sort, descending, f)
                driven, _counts = q.query_page(session, request.rows(0, 10_000))
                assert set(driven) == set(expected)
                # The one-statement page (ids and cells) keeps the very same order.
                cells = q.page_rows(session, request.rows(17, 40))
                assert [r.id for r in cells] == pages[17:57]


def test_counts_stop_at_the_cap(seeded: ServiceContext) -> None:
    with seeded.database.read_session() as session:
        exact = q.status_counts(session, q.QueueRequest())
        capped = q.status_counts(session, q.QueueRequest(), cap=5)
    assert max(exact.values()) > 6
    assert capped == {s: min(n, 6) for s, n in exact.items()}


def test_rows_by_id_and_filter_choices(seeded: ServiceContext) -> None:
    with seeded.database.read_session() as session:
        ids = q.page_ids(session, q.QueueRequest(sort="number", limit=5))
        rows = q.rows_by_id(session, ids)
        choices = q.distinct_values(session)
        first = session.get(Order, ids[0])
        assert first is not None
        line_count = len(first.lines)
    assert set(rows) == set(ids)
    assert rows[ids[0]].number == first.number
    assert rows[ids[0]].lines == line_count
    with seeded.database.read_session() as session:
        tagged = session.scalar(
            select(OrderTag.order_id)
            .group_by(OrderTag.order_id)
            .order_by(func.count().desc(), OrderTag.order_id)
        )
        assert tagged is not None
        want_tags = tuple(
            sorted(session.scalars(select(OrderTag.tag).where(OrderTag.order_id == tagged)))
        )
        units = session.scalar(select(func.sum(OrderLine.qty)).where(OrderLine.order_id == tagged))
        got = q.rows_by_id(session, [tagged])[tagged]
    assert got.tags == want_tags and got.units == units
    assert choices["services"] and sorted(choices["services"]) == choices["services"]
    assert len(choices["channels"]) >= 2


def test_change_signature_moves_when_an_order_changes(seeded: ServiceContext) -> None:
    with seeded.database.read_session() as session:
        before = q.change_signature(session)
    with seeded.database.write_session() as session, session.begin():
        order = session.scalars(select(Order).limit(1)).one()
        order.priority = 5
        order.updated_at = datetime.now(UTC) + timedelta(seconds=1)
    with seeded.database.read_session() as session:
        assert q.change_signature(session) != before


def test_search_index_and_change_trigger_exist_at_head(system_ctx: ServiceContext) -> None:
    """A later migration that rebuilds `orders` (SQLite batch mode) would drop these silently."""
    from sqlalchemy import text

    engine = system_ctx.database.engine
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            names = set(
                connection.scalars(text("SELECT name FROM sqlite_master WHERE type='trigger'"))
            )
            assert {"orders_search_ai", "orders_search_ad", "orders_search_au"} <= names
        else:
            names = set(
                connection.scalars(
                    text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'orders'::regclass")
                )
            )
            assert "orders_changed_notify" not in names  # dropped by migration 0014
            using = connection.scalar(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_orders_customer_name'")
            )
            assert "gin_trgm_ops" in using


@pytest.mark.parametrize("term", ["%", "_", "%%", "__", "%_%", "\\"])
def test_wildcards_in_a_search_match_only_themselves(seeded: ServiceContext, term: str) -> None:
    """A % or _ typed into the search is a character, not "anything" (both backends)."""
    with seeded.database.write_session() as session, session.begin():
        target = session.scalars(select(Order.id).order_by(Order.id.desc())).first()
        named = f"Ann{term}Percy"
        session.execute(update(Order).where(Order.id == target).values(customer_name=named))
    with seeded.database.read_session() as session:
        everything = _all_orders(session)
        dialect = session.get_bind().dialect.name
        f = q.QueueFilter(search=term)
        expected = {o["id"] for o in everything if _matches(o, f, datetime.now(UTC), dialect)}
        got = set(q.page_ids(session, q.QueueRequest(f, "number", limit=1000)))
        counts = q.status_counts(session, q.QueueRequest(f))
    assert got == expected
    # Only the order whose name holds the very characters (PostgreSQL's substring search).
    assert got <= {target}, f"{term!r} matched {len(got)} orders"
    assert sum(counts.values()) == len(got)
    if dialect == "postgresql" and len(term) >= q.MIN_NAME_SEARCH:
        # The literal name is found through the trigram index, wildcard and all.
        assert target in got
