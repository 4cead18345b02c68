"""Customs declarations: what an international shipment declares and which form it needs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from wms_desk.domain.errors import DomainError

# UPU: a CN22 covers contents up to 300 SDR; above that a CN23 (with a commercial invoice).
# Kept in the shipment's currency as a configurable figure, not converted.
CN22_LIMIT = Decimal(300)


class CustomsError(DomainError):
    """An international shipment cannot be declared; the message names the item to fix."""


class CustomsForm(StrEnum):
    CN22 = "CN22"
    CN23 = "CN23"


@dataclass(frozen=True)
class CustomsItem:
    description: str
    qty: int
    value: Decimal  # for the whole line
    weight_g: Decimal
    hs_code: str
    origin_country: str


@dataclass(frozen=True)
class Declaration:
    form: CustomsForm
    order_number: str
    tracking: str
    currency: str
    items: tuple[CustomsItem, ...]
    sender: tuple[str, ...]
    recipient: tuple[str, ...]
    category: str = "Sale of goods"

    @property
    def total_value(self) -> Decimal:
        return sum((i.value for i in self.items), Decimal(0))

    @property
    def total_weight_g(self) -> Decimal:
        return sum((i.weight_g for i in self.items), Decimal(0))


def is_international(from_country: str, to_country: str) -> bool:
    return bool(from_country and to_country) and from_country.upper() != to_country.upper()


def form_for(total_value: Decimal, limit: Decimal = CN22_LIMIT) -> CustomsForm:
    """CN22 up to the limit (included), CN23 above it."""
    return CustomsForm.CN22 if total_value <= limit else CustomsForm.CN23


def check_items(order_number: str, items: tuple[CustomsItem, ...]) -> None:
    """Every line needs a 6-10 digit HS code and a 2-letter origin before it can cross a border."""
    if not items:
        raise CustomsError(f"Order {order_number} has nothing to declare for customs.")
    for item in items:
        digits = item.hs_code.replace(".", "").replace(" ", "")
        if not (digits.isdigit() and 6 <= len(digits) <= 10):
            raise CustomsError(
                f"Order {order_number}: {item.description} has no valid HS code "
                f"({item.hs_code or 'none'}). Add its 6-10 digit HS code to the product, then "
                "buy the label again."
            )
        if len(item.origin_country) != 2 or not item.origin_country.isalpha():
            raise CustomsError(
                f"Order {order_number}: {item.description} has no country of origin. Add it to "
                "the product (2 letters, e.g. DE), then buy the label again."
            )
