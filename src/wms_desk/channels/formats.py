"""One interface over every order source: pick a parser by name, or detect it from the file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from wms_desk.channels import generic_csv, shopify, woocommerce
from wms_desk.channels.records import ParseResult, SourceError


@dataclass(frozen=True)
class OrderFormat:
    name: str
    # The channel kind orders of this format belong to when no channel is named.
    kind: str
    label: str
    parse: Callable[..., ParseResult]
    needs_profile: bool = False


FORMATS: dict[str, OrderFormat] = {
    f.name: f
    for f in (
        OrderFormat("shopify-json", "shopify", "Shopify orders (JSON)", shopify.parse_json),
        OrderFormat("shopify-csv", "shopify", "Shopify orders export (CSV)", shopify.parse_csv),
        OrderFormat(
            "woocommerce-json", "woocommerce", "WooCommerce orders (JSON)", woocommerce.parse_json
        ),
        OrderFormat("csv", "csv", "CSV with a column profile", generic_csv.parse, True),
    )
}


def detect_format(filename: str, data: bytes) -> str:
    """Guess the format from the content; a CSV that is not Shopify's needs a profile."""
    head = data[:4096].removeprefix(b"\xef\xbb\xbf").lstrip()
    if head[:1] in (b"{", b"["):
        # WooCommerce orders carry "billing"; Shopify's carry "billing_address".
        if b'"billing"' in data[:200_000] and b'"billing_address"' not in data[:200_000]:
            return "woocommerce-json"
        return "shopify-json"
    if not head:
        raise SourceError(f"{filename}: the file is empty")
    first_line = head.split(b"\n", 1)[0].lower()
    if b"lineitem sku" in first_line and b"name" in first_line:
        return "shopify-csv"
    if Path(filename).suffix.lower() in (".csv", ".txt", ".tsv", ""):
        return "csv"
    raise SourceError(f"{filename}: cannot tell the format; choose one (--format)")


def parse_orders(
    data: bytes,
    filename: str,
    format_name: str | None = None,
    encoding: str | None = None,
    profile: generic_csv.Profile | None = None,
) -> tuple[OrderFormat, ParseResult]:
    name = format_name or detect_format(filename, data)
    fmt = FORMATS.get(name)
    if fmt is None:
        raise SourceError(f"unknown format {name!r}; choose one of {', '.join(FORMATS)}")
    return fmt, fmt.parse(data, filename, encoding=encoding, profile=profile)
