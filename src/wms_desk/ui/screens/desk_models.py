"""The service desk's tables: an order's lines, packages, events, notes and returns."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from wms_desk.services.order_detail import DetailLine, PackageDetail, TimelineEntry
from wms_desk.services.returns.service_desk import Note
from wms_desk.services.returns.views import RmaSummary
from wms_desk.ui.models.queue_model import format_time
from wms_desk.ui.screens.queue_detail import action_label
from wms_desk.ui.screens.ship_models import RowsModel

# What an event's prefix means in a customer-service sentence ("Return created").
_SUBJECTS = {
    "rma": "Return",
    "ship": "Shipping",
    "pack": "Packing",
    "pick": "Picking",
    "print": "Print",
    "email": "E-mail",
    "sscc": "SSCC",
}


def event_label(action: str) -> str:
    """'rma.created' reads 'Return created', 'order.note_added' reads 'Note added'."""
    subject, _, what = action.partition(".")
    if subject in _SUBJECTS:
        return f"{_SUBJECTS[subject]} {what.replace('_', ' ')}".strip()
    return action_label(action)


def _grams(value: Decimal | None) -> str:
    return "—" if value is None else f"{value.normalize():f} g"


def lines_model(parent: Any = None) -> RowsModel[DetailLine]:
    return RowsModel[DetailLine](
        (
            ("SKU", lambda ln: ln.sku),
            ("Item", lambda ln: ln.name),
            ("Ordered", lambda ln: str(ln.qty)),
            ("Picked", lambda ln: str(ln.picked)),
            ("Packed", lambda ln: str(ln.packed)),
            ("Shipped", lambda ln: str(ln.shipped)),
            ("Returned", lambda ln: str(ln.returned)),
            ("Price", lambda ln: str(ln.unit_price)),
        ),
        parent,
    )


def packages_model(parent: Any = None) -> RowsModel[PackageDetail]:
    return RowsModel[PackageDetail](
        (
            ("Package", lambda p: str(p.number)),
            ("Carton", lambda p: p.carton or "—"),
            ("Weight", lambda p: _grams(p.weight_g)),
            (
                "Contents",
                lambda p: ", ".join(f"{i.qty} × {i.sku}" for i in p.items) or "not recorded",
            ),
            ("Tracking", lambda p: p.tracking or "no label yet"),
        ),
        parent,
    )


def timeline_model(parent: Any = None) -> RowsModel[TimelineEntry]:
    return RowsModel[TimelineEntry](
        (
            ("When", lambda e: format_time(e.at)),
            ("What", lambda e: event_label(e.action)),
            ("Who", lambda e: e.user + (f" @ {e.station}" if e.station else "")),
            ("Details", lambda e: e.summary),
        ),
        parent,
    )


def notes_model(parent: Any = None) -> RowsModel[Note]:
    return RowsModel[Note](
        (
            ("When", lambda n: format_time(n.at)),
            ("Who", lambda n: n.by),
            ("Note", lambda n: n.text),
        ),
        parent,
    )


def returns_model(parent: Any = None) -> RowsModel[RmaSummary]:
    return RowsModel[RmaSummary](
        (
            ("Return", lambda r: r.number),
            ("Status", lambda r: r.status),
            ("Resolution", lambda r: r.resolution),
            ("Received", lambda r: f"{r.received} of {r.units}"),
            ("Return label", lambda r: r.return_tracking or "—"),
            ("Created", lambda r: format_time(r.created_at)),
        ),
        parent,
    )
