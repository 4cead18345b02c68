"""Reading text files as they come from shops and spreadsheets: encodings, delimiters, rows."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from wms_desk.channels.records import SourceError

DELIMITERS = (",", ";", "\t", "|")
UTF8_BOM = b"\xef\xbb\xbf"


def decode(data: bytes, filename: str, encoding: str | None = None) -> str:
    """UTF-8 with or without BOM; anything else is an error naming the line, unless chosen."""
    if encoding:
        try:
            text = data.decode(encoding)
        except LookupError as exc:
            raise SourceError(f"{filename}: unknown encoding {encoding!r}") from exc
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise SourceError(f"{filename}: line {line} is not valid {encoding}") from exc
        return text.removeprefix("\ufeff")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceError(
            f"{filename}: line 1: the file is UTF-16; save it as UTF-8 or choose its encoding"
        )
    try:
        return data.removeprefix(UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"{filename}: line {line} is not UTF-8 (byte 0x{data[exc.start]:02x}); "
            "save the file as UTF-8 or choose its encoding (e.g. latin-1, cp1252)"
        ) from exc


def sniff_delimiter(text: str) -> str:
    """The candidate found most often in the header line, outside quotes; ',' if none."""
    header, in_quotes = [], False
    for char in text:
        if char == '"':
            in_quotes = not in_quotes
        elif char in "\r\n" and not in_quotes:
            break
        elif not in_quotes:
            header.append(char)
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]
    # Set when the row is ragged: the record it belongs to is rejected whole.
    problem: str = ""

    def get(self, column: str) -> str:
        return unicodedata.normalize("NFC", self.values.get(column.strip().lower(), "").strip())

    def has(self, column: str) -> bool:
        return column.strip().lower() in self.values


@dataclass(frozen=True)
class CsvTable:
    filename: str
    header: tuple[str, ...]
    rows: tuple[CsvRow, ...]

    def has_column(self, column: str) -> bool:
        return column.strip().lower() in {h.lower() for h in self.header}


def read_csv(text: str, filename: str, delimiter: str | None = None) -> CsvTable:
    """Rows keyed by lower-cased header; quoted newlines kept; ragged rows reported per row."""
    if not text.strip():
        raise SourceError(f"{filename}: the file is empty")
    delimiter = delimiter or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[CsvRow] = []
    try:
        header = [h.strip() for h in next(reader)]
        keys = [h.lower() for h in header]
        start = reader.line_num + 1
        for fields in reader:
            line, start = start, reader.line_num + 1
            if not any(f.strip() for f in fields):
                continue
            problem = ""
            if len(fields) != len(keys):
                problem = f"row {line} has {len(fields)} columns, the header has {len(keys)}" + (
                    " (truncated file?)" if len(fields) < len(keys) else ""
                )
                fields = (fields + [""] * len(keys))[: len(keys)]
            rows.append(CsvRow(line, dict(zip(keys, fields, strict=True)), problem))
    except csv.Error as exc:
        raise SourceError(
            f"{filename}: line {reader.line_num}: {exc} (is the file truncated?)"
        ) from exc
    return CsvTable(filename, tuple(header), tuple(rows))


def iter_json_objects(value: object) -> Iterator[dict[str, object]]:
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                yield item


def to_decimal(text: object, default: Decimal = Decimal(0), field: str = "") -> Decimal:
    """A finite Decimal; NaN and infinities are refused here (arithmetic on sNaN would raise)."""
    if text is None or text == "":
        return default
    where = f"{field}: " if field else ""
    try:
        value = Decimal(str(text).strip().replace(",", ".") if isinstance(text, str) else str(text))
    except InvalidOperation as exc:
        raise ValueError(f"{where}{text!r} is not a number") from exc
    if not value.is_finite():
        raise ValueError(f"{where}{text!r} is not a finite number")
    return value


# More digits than any quantity column holds: such a value is reported, never expanded (an
# exponent like 1e999999999 would otherwise become an int of a billion digits).
_MAX_QTY_DIGITS = 30


def to_qty(value: object) -> int | str:
    """An int when the value is a whole number, else the text as it came (validation says why)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return value
    text = str(value if value is not None else "").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    # NaN, sNaN and infinities are not quantities; comparing an sNaN would even raise.
    if not number.is_finite() or number.adjusted() >= _MAX_QTY_DIGITS:
        return text
    return int(number) if number == number.to_integral_value() else text


def truthy(text: object) -> bool:
    return str(text or "").strip().lower() in {"1", "true", "yes", "y", "x", "t"}
