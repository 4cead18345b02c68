"""Shared helpers for JSON payloads: loading with clear errors, dates, and safe field access."""

from __future__ import annotations

import dataclasses
import json
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from wms_desk.channels.records import (
    OrderRecord,
    ParseResult,
    RecordError,
    SourceError,
    short,
)
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
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:  # 9999-12-31T23:00-05:00 is past the last representable time
        raise ValueError(f"{field}: {text!r} is out of range") from exc


def channel_error(payload: Any) -> str | None:
    """The text of a channel's error answer, saved instead of orders; None for anything else.

    Shopify answers `{"errors": "..."}` (or a field -> messages object); WooCommerce answers
    `{"code": "...", "message": "...", "data": {"status": 401}}`.
    """
    if not isinstance(payload, dict) or "line_items" in payload:
        return None
    errors = payload.get("errors", payload.get("error"))
    if isinstance(errors, str) and errors.strip():
        return text_of(errors)
    if isinstance(errors, dict) and errors:
        return "; ".join(f"{key}: {_joined(value)}" for key, value in errors.items())
    if isinstance(errors, list) and errors:
        return _joined(errors)
    message, code = payload.get("message"), payload.get("code")
    if isinstance(message, str) and message.strip() and code is not None:
        return f"{text_of(message)} ({text_of(code)})"
    return None


def _joined(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_joined(item) for item in value)
    if isinstance(value, dict):
        return text_of(value.get("message") or value.get("detail") or value)
    return text_of(value)


def refuse(payload: Any, filename: str, expected: str) -> SourceError:
    """The error for a payload that holds no orders: the channel's own words when it sent some."""
    error = channel_error(payload)
    if error is not None:
        return SourceError(
            f"{filename}: the channel sent an error instead of orders: {error} "
            "(fix the export or the API access and export again)"
        )
    return SourceError(f"{filename}: {expected}")


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
            record = build(item, filename)
        except (ValueError, TypeError, AttributeError) as exc:
            label = text_of(item.get("name") or item.get("number") or item.get("id")) or "?"
            errors.append(RecordError(f"{filename} order {short(label)} (item {index})", str(exc)))
            continue
        # The position in the file names a record whose id or number is garbled or repeated.
        records.append(dataclasses.replace(record, ref=f"{record.ref} (item {index})"))
    return ParseResult(tuple(records), tuple(errors), len(items))
