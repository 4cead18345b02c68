"""Setting up a station's printers: a test page through the real print queue."""

from __future__ import annotations

from typing import Any

from wms_desk.domain.roles import Permission
from wms_desk.services.documents import command_card
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.print_queue import enqueue
from wms_desk.services.uow import UnitOfWork, unit_of_work

PRINTER_KEYS = ("label_printer", "document_printer")


def check_printer_bindings(bindings: dict[str, Any]) -> None:
    """ValidationFailed naming the printer when an address in bindings cannot be printed to."""
    from wms_desk.printing import transports

    for kind in PRINTER_KEYS:
        bound = bindings.get(kind)
        url = str(bound.get("url") or "").strip() if isinstance(bound, dict) else ""
        if not url:
            continue
        try:
            transports.check_address(url)
        except transports.BadAddress as exc:
            name = "label printer" if kind == "label_printer" else "document printer"
            raise ValidationFailed(f"The {name} was not saved. {exc}") from exc


@unit_of_work(Permission.CHANGE_SETTINGS)
def print_test_page(uow: UnitOfWork, kind: str, printer: dict[str, Any]) -> str:
    """Queue a test print for a printer as the form describes it; returns the job id.

    The label printer gets a shelf label reading TEST in its own format; the document printer
    gets the station command card, which a pack station needs on the bench anyway.
    """
    from wms_desk.printing.cards import bin_labels_pdf, bin_labels_zpl, command_card_pdf
    from wms_desk.printing.model import BinLabel

    url = str(printer.get("url") or "").strip()
    if kind not in PRINTER_KEYS:
        raise ValidationFailed(f"Unknown printer kind {kind!r}.")
    if not url:
        raise ValidationFailed("Enter the printer's address first, e.g. tcp://10.0.0.31:9100.")
    check_printer_bindings({kind: printer})
    if kind == "label_printer":
        fmt, dpi = str(printer.get("format") or "zpl"), int(printer.get("dpi") or 203)
        label = [BinLabel("TEST", f"{uow.actor.station_name} {fmt.upper()} {dpi} dpi")]
        payload = bin_labels_zpl(label, dpi) if fmt == "zpl" else bin_labels_pdf(label)
        title = "Test label"
    else:
        fmt, payload, title = "pdf", command_card_pdf(command_card()), "Test page: command card"
    job_id = enqueue(uow, document="test", payload=payload, fmt=fmt, printer_url=url, title=title)
    uow.audit(
        "printer.test_page", "station", uow.actor.station_id, after={"printer": url, "kind": kind}
    )
    return job_id
