"""Catalogue files: products (our CSV or Shopify's products JSON) and stock (bin,sku,qty)."""

from __future__ import annotations

from typing import Any

from wms_desk.channels.jsonfile import as_dict, load_json, text_of
from wms_desk.channels.records import (
    ParseResult,
    ProductRecord,
    RecordError,
    SourceError,
    StockRecord,
)
from wms_desk.channels.textfile import CsvRow, decode, read_csv, to_decimal, to_qty
from wms_desk.channels.validate import is_country_code

PRODUCT_COLUMNS = (
    "sku",
    "name",
    "barcodes",
    "weight_g",
    "length_mm",
    "width_mm",
    "height_mm",
    "hs_code",
    "origin_country",
    "flags",
)
FLAGS = ("needs_serial", "needs_lot", "fragile", "is_digital")
# Accepted spellings in the flags column; the values are separated by | or spaces.
_FLAG_ALIASES = {"serial": "needs_serial", "lot": "needs_lot", "digital": "is_digital"}


def _dimension(row: CsvRow, column: str) -> int | None:
    text = row.get(column)
    if not text:
        return None
    value = to_qty(text)
    if not isinstance(value, int) or value < 0:
        raise ValueError(f"{column}: {text!r} is not a whole number of millimetres")
    return value


def _product_row(row: CsvRow, filename: str) -> ProductRecord:
    flags = set()
    for word in row.get("flags").replace("|", " ").replace(",", " ").split():
        flag = _FLAG_ALIASES.get(word.lower(), word.lower())
        if flag not in FLAGS:
            raise ValueError(f"flags: unknown flag {word!r} (known: {', '.join(FLAGS)})")
        flags.add(flag)
    origin = row.get("origin_country").upper() or None
    if origin and not is_country_code(origin):
        raise ValueError(f"origin_country: {origin!r} is not an ISO two-letter code")
    weight = to_decimal(row.get("weight_g"), field="weight_g")
    if weight < 0:
        raise ValueError(f"weight_g: {weight} is negative")
    name = row.get("name")
    if not name:
        raise ValueError("name is empty")
    return ProductRecord(
        ref=f"{filename} row {row.line} (SKU {row.get('sku')})",
        sku=row.get("sku"),
        name=name,
        barcodes=tuple(
            dict.fromkeys(b.strip() for b in row.get("barcodes").split("|") if b.strip())
        ),
        weight_g=weight,
        length_mm=_dimension(row, "length_mm"),
        width_mm=_dimension(row, "width_mm"),
        height_mm=_dimension(row, "height_mm"),
        hs_code=row.get("hs_code") or None,
        origin_country=origin,
        **{flag: flag in flags for flag in FLAGS},
    )


def _products_csv(data: bytes, filename: str, encoding: str | None) -> ParseResult:
    table = read_csv(decode(data, filename, encoding), filename)
    if not (table.has_column("sku") and table.has_column("name")):
        raise SourceError(f"{filename}: not a product list (the header needs sku and name)")
    records: list[ProductRecord] = []
    errors: list[RecordError] = []
    seen: dict[str, int] = {}
    for row in table.rows:
        ref = f"{filename} row {row.line}"
        sku = row.get("sku")
        if row.problem:
            errors.append(RecordError(ref, row.problem))
        elif not sku:
            errors.append(RecordError(ref, "sku is empty"))
        elif sku in seen:
            errors.append(RecordError(f"{ref} (SKU {sku})", f"duplicate SKU: also row {seen[sku]}"))
        else:
            seen[sku] = row.line
            try:
                records.append(_product_row(row, filename))
            except ValueError as exc:
                errors.append(RecordError(f"{ref} (SKU {sku})", str(exc)))
    return ParseResult(tuple(records), tuple(errors), len(table.rows))


def _shopify_products(payload: Any, filename: str) -> ParseResult:
    if isinstance(payload, dict) and isinstance(payload.get("products"), list):
        products = payload["products"]
    elif isinstance(payload, dict) and isinstance(payload.get("product"), dict):
        products = [payload["product"]]
    else:
        raise SourceError(
            f'{filename}: not a Shopify products payload (expected {{"products": [...]}})'
        )
    records, errors, total = [], [], 0
    seen: set[str] = set()
    for product in products:
        product = as_dict(product)
        title = text_of(product.get("title"))
        for variant in product.get("variants") or []:
            variant = as_dict(variant)
            total += 1
            sku = text_of(variant.get("sku"))
            variant_id = text_of(variant.get("id"))
            ref = f"{filename} product {text_of(product.get('id'))} variant {variant_id}"
            if not sku:
                errors.append(RecordError(ref, "variant has no SKU"))
                continue
            if sku in seen:
                errors.append(RecordError(f"{ref} (SKU {sku})", "duplicate SKU"))
                continue
            seen.add(sku)
            variant_title = text_of(variant.get("title"))
            name = title if variant_title in ("", "Default Title") else f"{title} - {variant_title}"
            barcode = text_of(variant.get("barcode"))
            records.append(
                ProductRecord(
                    ref=f"{ref} (SKU {sku})",
                    sku=sku,
                    name=name,
                    barcodes=(barcode,) if barcode else (),
                    weight_g=to_decimal(variant.get("grams"), field="grams"),
                    is_digital=variant.get("requires_shipping") is False,
                )
            )
    return ParseResult(tuple(records), tuple(errors), total)


def parse_products(data: bytes, filename: str, encoding: str | None = None) -> ParseResult:
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return _shopify_products(load_json(data, filename, encoding), filename)
    return _products_csv(data, filename, encoding)


def parse_stock(data: bytes, filename: str, encoding: str | None = None) -> ParseResult:
    table = read_csv(decode(data, filename, encoding), filename)
    missing = [c for c in ("bin", "sku", "qty") if not table.has_column(c)]
    if missing:
        raise SourceError(f"{filename}: not a stock list (missing column(s) {', '.join(missing)})")
    records, errors = [], []
    seen: dict[tuple[str, str], int] = {}
    for row in table.rows:
        bin_code, sku, qty = row.get("bin"), row.get("sku"), to_qty(row.get("qty"))
        ref = f"{filename} row {row.line}" + (f" ({bin_code}/{sku})" if bin_code and sku else "")
        if row.problem:
            errors.append(RecordError(ref, row.problem))
        elif not bin_code or not sku:
            errors.append(RecordError(ref, "bin and sku must both be given"))
        elif not isinstance(qty, int) or qty < 0:
            errors.append(RecordError(ref, f"qty {str(qty)!r} is not a whole number of 0 or more"))
        elif (bin_code, sku) in seen:
            errors.append(
                RecordError(ref, f"duplicate bin and SKU: also row {seen[bin_code, sku]}")
            )
        else:
            seen[bin_code, sku] = row.line
            records.append(StockRecord(ref, bin_code, sku, qty))
    return ParseResult(tuple(records), tuple(errors), len(table.rows))
