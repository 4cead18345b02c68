"""Shared helpers for JSON payloads: loading with clear errors, dates, and safe field access."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from wms_desk.channels.records import OrderRecord, ParseResult, RecordError, SourceError
from wms_desk.channels.textfile import decode


def load_json(data: bytes, filename: str, encoding: str | None = None) -> Any:
    text = decode(data, filename, encoding)
    if not text.strip():
        raise SourceError(f"{filename}: the file is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"{filename}: line {exc.lineno} column {exc.colno}: {exc.msg} "
            "(is the file truncated or not JSON?)"
        ) from exc


def text_of(value: Any) -> str:
    # NFC: a name typed on a Mac (decomposed) must equal the same name typed elsewhere.
    return "" if value is None else unicodedata.normalize("NFC", str(value).strip())


def parse_time(value: Any, field: str, assume_utc: bool = True) -> datetime | None:
    """ISO 8601 with or without offset; a naive time is taken as UTC (the channels' GMT fields)."""
    text = text_of(value)
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"{field}: {text!r} is not a date and time") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def is_order_list(payload: Any) -> bool:
    """A bare JSON list of order objects (each with line_items), as both APIs page them."""
    return isinstance(payload, list) and all(
        isinstance(item, dict) and "line_items" in item for item in payload
    )


def each_order(
    items: list[Any], filename: str, build: Callable[[dict[str, Any], str], OrderRecord]
) -> ParseResult:
    """Build each order, or report it alone: one bad order never hides the others."""
    if not items:
        raise SourceError(f"{filename}: the payload holds no orders")
    records, errors = [], []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            errors.append(RecordError(f"{filename} item {index}", "is not an order object"))
            continue
        try:
            records.append(build(item, filename))
        except (ValueError, TypeError, AttributeError) as exc:
            label = text_of(item.get("name") or item.get("number") or item.get("id")) or str(index)
            errors.append(RecordError(f"{filename} order {label}", str(exc)))
    return ParseResult(tuple(records), tuple(errors), len(items))
