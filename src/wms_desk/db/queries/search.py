"""Database objects that back queue search and change notification but are not models.

SQLite keeps an FTS5 index of customer names and e-mails (kept current by triggers); PostgreSQL
uses a pg_trgm GIN index (declared on the model) and a NOTIFY trigger. Autogenerate must not see
the FTS5 table or its shadow tables, so `is_unmodelled_table` feeds env.py's include_object.
"""

from __future__ import annotations

SEARCH_TABLE = "orders_search"
NOTIFY_CHANNEL = "wms_orders_changed"

SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {SEARCH_TABLE} USING fts5("
    "customer_name, ship_email, content='orders', content_rowid='id', "
    "tokenize=\"unicode61 remove_diacritics 2\", prefix='2 3')",
    f"CREATE TRIGGER IF NOT EXISTS {SEARCH_TABLE}_ai AFTER INSERT ON orders BEGIN "
    f"INSERT INTO {SEARCH_TABLE}(rowid, customer_name, ship_email) "
    "VALUES (new.id, new.customer_name, new.ship_email); END",
    f"CREATE TRIGGER IF NOT EXISTS {SEARCH_TABLE}_ad AFTER DELETE ON orders BEGIN "
    f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, customer_name, ship_email) "
    "VALUES ('delete', old.id, old.customer_name, old.ship_email); END",
    f"CREATE TRIGGER IF NOT EXISTS {SEARCH_TABLE}_au "
    "AFTER UPDATE OF customer_name, ship_email ON orders BEGIN "
    f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, customer_name, ship_email) "
    "VALUES ('delete', old.id, old.customer_name, old.ship_email); "
    f"INSERT INTO {SEARCH_TABLE}(rowid, customer_name, ship_email) "
    "VALUES (new.id, new.customer_name, new.ship_email); END",
    f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}) VALUES ('rebuild')",
)
SQLITE_DROP = (
    f"DROP TRIGGER IF EXISTS {SEARCH_TABLE}_au",
    f"DROP TRIGGER IF EXISTS {SEARCH_TABLE}_ad",
    f"DROP TRIGGER IF EXISTS {SEARCH_TABLE}_ai",
    f"DROP TABLE IF EXISTS {SEARCH_TABLE}",
)

# One notification per statement (not per row): a bulk import wakes the queues once.
PG_CREATE = (
    "CREATE OR REPLACE FUNCTION wms_notify_orders_changed() RETURNS trigger "
    "LANGUAGE plpgsql AS $$ BEGIN "
    f"PERFORM pg_notify('{NOTIFY_CHANNEL}', TG_OP); RETURN NULL; END $$",
    "CREATE TRIGGER orders_changed_notify AFTER INSERT OR UPDATE OR DELETE ON orders "
    "FOR EACH STATEMENT EXECUTE FUNCTION wms_notify_orders_changed()",
)
PG_DROP = (
    "DROP TRIGGER IF EXISTS orders_changed_notify ON orders",
    "DROP FUNCTION IF EXISTS wms_notify_orders_changed()",
)


def is_unmodelled_table(name: str | None) -> bool:
    """True for the FTS5 table and its shadow tables (orders_search_data, ..._idx, ...)."""
    return bool(name) and (name == SEARCH_TABLE or str(name).startswith(SEARCH_TABLE + "_"))


# LIKE patterns: user text is escaped with this character, and every LIKE/ILIKE built from user
# text passes it as `escape=` (SQLite has no default escape character at all).
LIKE_ESCAPE = "\\"


def like_escaped(text: str) -> str:
    """`text` with LIKE's wildcards (% and _) and the escape character itself made literal."""
    return (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, wildcards in it taken literally."""
    return f"%{like_escaped(text)}%"
