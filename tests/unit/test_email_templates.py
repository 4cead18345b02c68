"""E-mail templates as pure values: placeholders, typos caught, rendering, payload round trip."""

from __future__ import annotations

import pytest

from wms_desk.domain.emails import (
    DEFAULT_TEMPLATES,
    SAMPLE_SHIPMENT,
    EmailKind,
    EmailTemplate,
    OutgoingEmail,
    ShipmentFacts,
    TemplateError,
    TrackedPackage,
    check_template,
    is_address,
    render,
)
from wms_desk.domain.tracking_numbers import tracking_link


def test_every_default_template_renders_with_every_placeholder_filled() -> None:
    for kind, template in DEFAULT_TEMPLATES.items():
        check_template(kind, template)
    shipped = render(
        EmailKind.SHIPMENT, DEFAULT_TEMPLATES[EmailKind.SHIPMENT], SAMPLE_SHIPMENT.values()
    )
    assert shipped.subject == "Your order 1001 has shipped"
    assert "$" not in shipped.body
    assert "Package 2 of 2: PX000123457 (https://track.example/PX000123457)" in shipped.body


def test_a_typo_in_a_placeholder_names_it_and_the_ones_allowed() -> None:
    with pytest.raises(TemplateError, match=r"uses \$tracking_nr, which this e-mail does not know"):
        check_template(EmailKind.SHIPMENT, EmailTemplate("Shipped", "Number: $tracking_nr"))
    with pytest.raises(TemplateError, match=r"write \$\$ for a dollar sign"):
        check_template(EmailKind.SHIPMENT, EmailTemplate("Costs $ 5", "x"))
    with pytest.raises(TemplateError, match="subject is empty"):
        check_template(EmailKind.SHIPMENT, EmailTemplate("  ", "x"))
    # $items belongs to the order-received e-mail, not the shipment e-mail
    with pytest.raises(TemplateError, match=r"\$items"):
        check_template(EmailKind.SHIPMENT, EmailTemplate("x", "$items"))


def test_rendering_fills_braced_names_keeps_dollars_and_makes_the_subject_one_line() -> None:
    facts = ShipmentFacts(
        "A-7", "", "Shop", "Nordpost", "Express", (TrackedPackage(1, 1, "RR1SE"),)
    )
    out = render(
        EmailKind.SHIPMENT,
        EmailTemplate("Order ${order_number}  shipped", "Paid $$5. $tracking_url / $customer_name"),
        facts.values(),
    )
    assert out.subject == "Order A-7 shipped"
    assert out.body == "Paid $5. (the carrier gives no tracking link) / customer"


def test_tracking_links_quote_the_number_and_addresses_are_checked() -> None:
    assert tracking_link("https://t.example/?id={tracking}", "RR 1/SE") == (
        "https://t.example/?id=RR%201%2FSE"
    )
    assert tracking_link("", "RR1SE") == ""
    assert (
        is_address("eva@example.com")
        and not is_address("eva@example")
        and not is_address("a b@c.d")
    )


def test_the_outbox_payload_round_trips() -> None:
    email = OutgoingEmail("eva@example.com", "Hi", "Body\nline", EmailKind.ORDER_RECEIVED, "1001")
    assert OutgoingEmail.from_json(email.to_json()) == email
