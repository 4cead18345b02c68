"""Carrier fixtures: the rate card documented in docs/carriers.md, addresses, requests."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from wms_desk.carriers.base import LabelFormat, Package, ShipmentRequest
from wms_desk.carriers.rate_card_file import parse_rate_card
from wms_desk.domain.rates import RateCard
from wms_desk.printing.model import Address

DOCS = Path(__file__).resolve().parents[2] / "docs" / "carriers.md"
SHIP_FROM = Address("Northwind Fulfilment", lines=("Hamngatan 4",), city="Stockholm",
                    postal_code="111 47", country="SE")  # fmt: skip
HOME = Address("Astrid Lind", lines=("Storgatan 12",), city="Nacka", postal_code="164 40",
               country="SE")  # fmt: skip


def documented_toml(marker: str) -> str:
    """The one TOML example of docs/carriers.md holding `marker`: tests and docs cannot drift."""
    blocks = re.findall(r"```toml\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    found = [b for b in blocks if marker in b]
    assert len(found) == 1, f"docs/carriers.md should hold exactly one TOML example with {marker}"
    return found[0]


def documented_card_text() -> str:
    """The complete rate-card example of docs/carriers.md."""
    return documented_toml("[carrier]")


@pytest.fixture
def card() -> RateCard:
    return parse_rate_card(documented_card_text(), "docs/carriers.md")


def package(grams: int, length: int, width: int, height: int, ref: str = "") -> Package:
    return Package(Decimal(grams), Decimal(length), Decimal(width), Decimal(height), ref)


def request_for(
    *packages: Package,
    to: Address = HOME,
    service: str = "",
    residential: bool = True,
    fmt: LabelFormat = LabelFormat.PDF,
) -> ShipmentRequest:
    return ShipmentRequest(
        ship_from=SHIP_FROM,
        ship_to=to,
        packages=packages,
        reference="100234",
        ship_date=date(2026, 12, 1),
        declared_value=Decimal("49.00"),
        currency="EUR",
        service=service,
        residential=residential,
        label_format=fmt,
    )
