"""The supervisor's order queue in SQL: filter, sort, page, count per status, read rows by id."""

from __future__ import annotations

from wms_desk.db.queries.queue.choices import change_signature, distinct_values
from wms_desk.db.queries.queue.counts import COUNT_CAP, status_counts
from wms_desk.db.queries.queue.paging import WALK_MIN, page_ids, page_rows, query_page
from wms_desk.db.queries.queue.request import (
    PRIORITY_BANDS,
    SHIP_WINDOWS,
    SORTS,
    QueueFilter,
    QueueRequest,
)
from wms_desk.db.queries.queue.rows import QueueRowData, rows_by_id
from wms_desk.db.queries.queue.text_search import MIN_NAME_SEARCH, search_ids
from wms_desk.domain.due import day_bounds

__all__ = [
    "COUNT_CAP",
    "MIN_NAME_SEARCH",
    "PRIORITY_BANDS",
    "SHIP_WINDOWS",
    "SORTS",
    "WALK_MIN",
    "QueueFilter",
    "QueueRequest",
    "QueueRowData",
    "change_signature",
    "day_bounds",
    "distinct_values",
    "page_ids",
    "page_rows",
    "query_page",
    "rows_by_id",
    "search_ids",
    "status_counts",
]
