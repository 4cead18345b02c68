"""Customer e-mails as pure values: templates with $placeholders, their defaults, rendering."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from string import Template

from wms_desk.domain.errors import DomainError


class EmailKind(StrEnum):
    SHIPMENT = "shipment"
    ORDER_RECEIVED = "order_received"
    TEST = "test"
    # Written by other features in their own words (an RMA slip, the end-of-day summary).
    NOTICE = "notice"


# What each template may use; a placeholder outside this list is a typo the editor reports.
PLACEHOLDERS: dict[EmailKind, tuple[str, ...]] = {
    EmailKind.SHIPMENT: (
        "order_number",
        "customer_name",
        "shop_name",
        "carrier",
        "service",
        "tracking",
        "tracking_url",
        "packages",
    ),
    EmailKind.ORDER_RECEIVED: ("order_number", "customer_name", "shop_name", "items"),
    EmailKind.TEST: ("shop_name",),
    EmailKind.NOTICE: (),
}


class TemplateError(DomainError):
    """A template that cannot be rendered; the message names the problem and the fix."""


@dataclass(frozen=True)
class EmailTemplate:
    subject: str
    body: str


DEFAULT_TEMPLATES: dict[EmailKind, EmailTemplate] = {
    EmailKind.SHIPMENT: EmailTemplate(
        "Your order $order_number has shipped",
        "Hello $customer_name,\n\n"
        "your order $order_number is on its way with $carrier ($service).\n\n"
        "Tracking number: $tracking\n"
        "Track it here: $tracking_url\n\n"
        "$packages\n\n"
        "Thank you for shopping with $shop_name.\n",
    ),
    EmailKind.ORDER_RECEIVED: EmailTemplate(
        "We have received your order $order_number",
        "Hello $customer_name,\n\n"
        "thank you for your order $order_number. We are packing it now:\n\n"
        "$items\n\n"
        "You will get another e-mail with the tracking number when it ships.\n\n"
        "$shop_name\n",
    ),
    EmailKind.TEST: EmailTemplate(
        "Test e-mail from $shop_name",
        "This is a test e-mail from wms-desk: the SMTP settings work.\n",
    ),
}

MAX_SUBJECT = 200
_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


def is_address(text: str) -> bool:
    """A plain address (name@domain.tld): enough to refuse typos, not a full RFC 5322 check."""
    return bool(_ADDRESS.match(text.strip()))


def check_template(kind: EmailKind, template: EmailTemplate) -> None:
    """Raise TemplateError for broken $-syntax, an unknown placeholder or an empty subject."""
    if not template.subject.strip():
        raise TemplateError("The subject is empty; write one, such as 'Your order has shipped'.")
    if "\n" in template.subject.strip() or len(template.subject) > MAX_SUBJECT:
        raise TemplateError(f"The subject must be one line of at most {MAX_SUBJECT} characters.")
    allowed = PLACEHOLDERS[kind]
    for part, text in (("subject", template.subject), ("body", template.body)):
        parsed = Template(text)
        if not parsed.is_valid():
            raise TemplateError(
                f"The {part} has a $ that is not a placeholder; write $$ for a dollar sign, "
                "or use one of: " + ", ".join(f"${name}" for name in allowed) + "."
            )
        unknown = [name for name in parsed.get_identifiers() if name not in allowed]
        if unknown:
            raise TemplateError(
                f"The {part} uses ${unknown[0]}, which this e-mail does not know. It can use: "
                + ", ".join(f"${name}" for name in allowed)
                + "."
            )


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str


def render(kind: EmailKind, template: EmailTemplate, values: Mapping[str, str]) -> RenderedEmail:
    """Fill the template; every allowed placeholder has a value (empty when unknown)."""
    check_template(kind, template)
    filled = {name: str(values.get(name, "")) for name in PLACEHOLDERS[kind]}
    subject = " ".join(Template(template.subject).substitute(filled).split())
    return RenderedEmail(subject[:MAX_SUBJECT], Template(template.body).substitute(filled))


@dataclass(frozen=True)
class TrackedPackage:
    seq: int
    count: int
    tracking: str
    url: str = ""


@dataclass(frozen=True)
class ShipmentFacts:
    order_number: str
    customer_name: str
    shop_name: str
    carrier: str
    service: str
    packages: tuple[TrackedPackage, ...]

    def values(self) -> dict[str, str]:
        first = self.packages[0] if self.packages else TrackedPackage(1, 1, "")
        lines = [
            f"Package {p.seq} of {p.count}: {p.tracking}" + (f" ({p.url})" if p.url else "")
            for p in self.packages
        ]
        return {
            "order_number": self.order_number,
            "customer_name": self.customer_name or "customer",
            "shop_name": self.shop_name,
            "carrier": self.carrier,
            "service": self.service,
            "tracking": first.tracking,
            "tracking_url": first.url or "(the carrier gives no tracking link)",
            "packages": "\n".join(lines),
        }


SAMPLE_SHIPMENT = ShipmentFacts(
    "1001",
    "Ada Lovelace",
    "Our Shop",
    "Parcel Express",
    "Standard",
    (
        TrackedPackage(1, 2, "PX000123456", "https://track.example/PX000123456"),
        TrackedPackage(2, 2, "PX000123457", "https://track.example/PX000123457"),
    ),
)


def order_received_values(
    order_number: str, customer_name: str, shop_name: str, items: list[tuple[int, str]]
) -> dict[str, str]:
    return {
        "order_number": order_number,
        "customer_name": customer_name or "customer",
        "shop_name": shop_name,
        "items": "\n".join(f"{qty} x {name}" for qty, name in items),
    }


SAMPLE_ORDER_RECEIVED = order_received_values(
    "1001", "Ada Lovelace", "Our Shop", [(1, "Analytical engine"), (2, "Punched cards (100)")]
)


@dataclass(frozen=True)
class Attachment:
    """A file sent with the e-mail (an RMA slip PDF); kept in the payload as base64."""

    filename: str
    content_type: str  # "application/pdf"
    data: bytes

    def as_json(self) -> dict[str, str]:
        encoded = base64.b64encode(self.data).decode("ascii")
        return {"filename": self.filename, "content_type": self.content_type, "data": encoded}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> Attachment:
        return cls(data["filename"], data["content_type"], base64.b64decode(data["data"]))


@dataclass(frozen=True)
class OutgoingEmail:
    """An outbox e-mail's payload: rendered when it is queued, sent as it is."""

    to: str
    subject: str
    body: str
    kind: EmailKind
    order_number: str = ""
    attachments: tuple[Attachment, ...] = ()

    def to_json(self) -> str:
        document: dict[str, object] = {
            "to": self.to,
            "subject": self.subject,
            "body": self.body,
            "kind": self.kind.value,
            "order_number": self.order_number,
        }
        if self.attachments:
            document["attachments"] = [a.as_json() for a in self.attachments]
        return json.dumps(document, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> OutgoingEmail:
        data = json.loads(text)
        return cls(
            str(data["to"]),
            str(data["subject"]),
            str(data["body"]),
            EmailKind(data["kind"]),
            str(data.get("order_number", "")),
            tuple(Attachment.from_json(a) for a in data.get("attachments", ())),
        )
