"""EasyPost API v2 payload shapes (the fields we read or send), as its public docs show them."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from typing import NotRequired, TypedDict

from wms_desk.carriers.base import Package, ShipmentRequest
from wms_desk.printing.model import Address

GRAMS_PER_OUNCE = Decimal("28.349523125")
MM_PER_INCH = Decimal("25.4")
TENTH = Decimal("0.1")


class EpAddress(TypedDict, total=False):
    name: str
    company: str
    street1: str
    street2: str
    city: str
    state: str
    zip: str
    country: str
    phone: str
    email: str
    residential: bool


class EpParcel(TypedDict):
    length: float
    width: float
    height: float
    weight: float  # ounces


class EpOptions(TypedDict, total=False):
    label_format: str  # "PNG" (default), "PDF", "ZPL", "EPL2"
    label_date: str
    currency: str


class EpShipmentCreate(TypedDict):
    to_address: EpAddress
    from_address: EpAddress
    parcel: EpParcel
    options: EpOptions
    reference: str
    # EasyPost swaps to/from itself for a return (its docs: "is_return").
    is_return: NotRequired[bool]


class EpRate(TypedDict):
    id: str
    object: str
    carrier: str
    service: str
    rate: str
    currency: str
    shipment_id: str
    delivery_days: int | None
    delivery_date: str | None
    est_delivery_days: NotRequired[int | None]


class EpMessage(TypedDict):
    carrier: str
    type: str
    message: str


class EpPostageLabel(TypedDict):
    id: str
    object: str
    label_url: str | None
    label_file_type: str | None
    label_pdf_url: str | None
    label_zpl_url: str | None
    label_epl2_url: NotRequired[str | None]


class EpShipment(TypedDict):
    id: str
    object: str
    reference: str | None
    tracking_code: str | None
    status: str
    refund_status: str | None
    rates: list[EpRate]
    selected_rate: EpRate | None
    postage_label: EpPostageLabel | None
    messages: list[EpMessage]


class EpScanForm(TypedDict):
    id: str
    object: str
    status: str
    message: str | None
    tracking_codes: list[str]
    form_url: str | None
    form_file_type: str | None
    batch_id: str | None


class EpFieldError(TypedDict):
    field: str
    message: str
    suggestion: NotRequired[str | None]


class EpError(TypedDict):
    code: str
    message: str
    errors: NotRequired[list[EpFieldError | str]]


class EpErrorBody(TypedDict):
    error: EpError


def ounces(weight_g: Decimal) -> float:
    """EasyPost weighs in ounces (one decimal): rounded up, so a label never under-declares."""
    return float((weight_g / GRAMS_PER_OUNCE).quantize(TENTH, rounding=ROUND_CEILING))


def inches(mm: Decimal) -> float:
    return float((mm / MM_PER_INCH).quantize(TENTH, rounding=ROUND_CEILING))


def address(a: Address, email: str = "", residential: bool | None = None) -> EpAddress:
    out = EpAddress(
        name=a.name,
        street1=a.lines[0] if a.lines else "",
        city=a.city,
        state=a.region,
        zip=a.postal_code,
        country=a.country,
    )
    if a.company:
        out["company"] = a.company
    if len(a.lines) > 1:
        out["street2"] = ", ".join(a.lines[1:])
    if a.phone:
        out["phone"] = a.phone
    if email:
        out["email"] = email
    if residential is not None:
        out["residential"] = residential
    return out


def parcel(p: Package) -> EpParcel:
    return EpParcel(
        length=inches(p.length_mm),
        width=inches(p.width_mm),
        height=inches(p.height_mm),
        weight=ounces(p.weight_g),
    )


def error_text(body: object) -> tuple[str, str]:
    """(code, message) from an EasyPost error body; field errors are appended to the message."""
    if not isinstance(body, dict) or not isinstance(body.get("error"), dict):
        return "", ""
    error = body["error"]
    code = str(error.get("code") or "")
    message = str(error.get("message") or "").strip()
    details: list[str] = []
    for item in error.get("errors") or []:
        if isinstance(item, dict):
            field, text = item.get("field"), item.get("message")
            if text and text != message:
                details.append(f"{field}: {text}" if field else str(text))
        elif isinstance(item, str) and item != message:
            details.append(item)
    if details:
        message = f"{message.rstrip('.')} ({'; '.join(details)})"
    return code, message


def create_body(request: ShipmentRequest, package: Package, label_format: str) -> EpShipmentCreate:
    body = EpShipmentCreate(
        to_address=address(request.ship_to, request.email, request.residential),
        from_address=address(request.ship_from),
        parcel=parcel(package),
        options=EpOptions(
            label_format=label_format,
            label_date=request.ship_date.isoformat(),
            currency=request.currency,
        ),
        reference=package.reference or request.reference,
    )
    if request.return_shipment:
        body["is_return"] = True
    return body
