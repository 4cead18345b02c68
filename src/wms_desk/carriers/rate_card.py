"""The offline rate-card carrier: prices from an imported card, numbers from an assigned range."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from wms_desk.carriers.base import (
    CarrierCapabilities,
    CarrierRejected,
    Label,
    LabelFormat,
    Manifest,
    NotSupported,
    Purchase,
    RateQuote,
    ShipmentRequest,
    VoidResult,
)
from wms_desk.carriers.manifest_pdf import ManifestLine, manifest_pdf
from wms_desk.domain.errors import DomainError
from wms_desk.domain.rates import Parcel, RateBreakdown, RateCard, rate
from wms_desk.domain.tracking_numbers import TrackingRange
from wms_desk.printing.label import shipping_label_pdf, shipping_label_zpl
from wms_desk.printing.model import ShippingLabel


class SerialSource(Protocol):
    """Hands out serials of a tracking range, each once, ever, across every station.

    The services layer implements it on a database counter row (UPDATE ... RETURNING in the
    same transaction that stores the labels), so a number is never reused even when 16
    stations buy at once; `take` raises TrackingRangeError when the range is used up.
    """

    def take(self, card_code: str, tracking: TrackingRange, count: int) -> list[int]: ...


class MemorySerialSource:
    """A process-local counter: for tests and a single station's dry runs, not for production."""

    def __init__(self, next_serials: dict[str, int] | None = None) -> None:
        self._next = dict(next_serials or {})
        self._lock = threading.Lock()

    def take(self, card_code: str, tracking: TrackingRange, count: int) -> list[int]:
        with self._lock:
            first = self._next.get(card_code, tracking.start)
            serials = list(range(first, first + count))
            for serial in serials:
                tracking.format(serial)  # raises when the range is used up
            self._next[card_code] = first + count
            return serials


@dataclass(frozen=True)
class _Priced:
    quote: RateQuote
    breakdown: RateBreakdown


class RateCardCarrier:
    """A regional courier or postal account rated from its card; labels rendered by printing/."""

    def __init__(self, card: RateCard, serials: SerialSource) -> None:
        self.card = card
        self.code = card.code
        self.name = card.carrier
        self.serials = serials

    def capabilities(self) -> CarrierCapabilities:
        return CarrierCapabilities(
            multi_piece=self.card.multi_piece,
            void_window=timedelta(hours=self.card.void_window_hours),
            label_formats=frozenset({LabelFormat.PDF, LabelFormat.ZPL}),
            rates=True,
            manifests=True,
            offline=True,
            services=tuple(s.code for s in self.card.services),
        )

    def _price(self, request: ShipmentRequest, service: str) -> _Priced:
        parcels = tuple(
            Parcel(p.weight_g, p.length_mm, p.width_mm, p.height_mm) for p in request.packages
        )
        try:
            b = rate(
                self.card,
                service,
                request.ship_to.country,
                request.ship_to.postal_code,
                parcels,
                request.residential,
            )
        except DomainError as exc:
            raise CarrierRejected(f"Order {request.reference}: {exc}") from exc
        detail = (("base", b.base), *((c.name, c.amount) for c in b.surcharges), ("fuel", b.fuel))
        quote = RateQuote(
            carrier=self.code,
            service=b.service.code,
            service_name=b.service.name,
            amount=b.total,
            currency=b.currency,
            transit_days=b.service.transit_days,
            delivery_date=request.ship_date + timedelta(days=b.service.transit_days),
            detail=detail,
        )
        return _Priced(quote, b)

    def rate(self, request: ShipmentRequest) -> list[RateQuote]:
        """Every service (or the one asked for) that can take this shipment, cheapest first."""
        if request.service:
            return [self._price(request, request.service).quote]
        quotes: list[RateQuote] = []
        problems: list[str] = []
        for service in self.card.services:
            try:
                quotes.append(self._price(request, service.code).quote)
            except CarrierRejected as exc:
                problems.append(str(exc))
        if not quotes:
            raise CarrierRejected(problems[0] if problems else "No service can take it.")
        return sorted(quotes, key=lambda q: q.amount)

    def buy(self, request: ShipmentRequest, quote: RateQuote) -> Purchase:
        """Number and render one label per package. Offline there is nothing to buy twice: the
        caller stores the labels in the transaction that took the serials."""
        tracking = self.card.tracking
        if tracking is None:
            raise NotSupported(
                f"{self.name}: rate card {self.code} has no [tracking] range, so it cannot "
                "number labels. Add the range the carrier assigned and import the card again."
            )
        if request.label_format not in (LabelFormat.PDF, LabelFormat.ZPL):
            raise NotSupported(f"{self.name} prints PDF or ZPL labels, not {request.label_format}.")
        priced = self._price(request, quote.service)
        try:
            serials = self.serials.take(self.code, tracking, len(request.packages))
            numbers = [tracking.format(n) for n in serials]
        except DomainError as exc:
            raise CarrierRejected(f"Order {request.reference}: {exc}") from exc
        zone = priced.breakdown.zone
        count = len(request.packages)
        labels = []
        for seq, (package, number) in enumerate(zip(request.packages, numbers, strict=True), 1):
            # A return goes the other way: from the customer back to our ship-from address,
            # priced on the same zone (the distance is the same either way).
            sender, receiver = (
                (request.ship_to, request.ship_from)
                if request.return_shipment
                else (request.ship_from, request.ship_to)
            )
            document = ShippingLabel(
                ship_from=sender,
                ship_to=receiver,
                service=f"{self.name} {priced.breakdown.service.name}",
                order_number=request.reference,
                ship_date=request.ship_date,
                tracking_number=number,
                package_seq=seq,
                package_count=count,
                weight_g=package.weight_g,
                routing_code=zone.routing_code or zone.zone,
                return_label=request.return_shipment,
            )
            data = (
                shipping_label_zpl(document)
                if request.label_format is LabelFormat.ZPL
                else shipping_label_pdf(document)
            )
            labels.append(Label(number, request.label_format, data, seq, numbers[0]))
        return Purchase(
            carrier=self.code,
            service=priced.quote.service,
            labels=tuple(labels),
            amount=priced.quote.amount,
            currency=priced.quote.currency,
            bought_at=datetime.now(UTC),
        )

    def void(self, purchase: Purchase) -> VoidResult:
        """Void inside the card's window; the numbers stay used (a range never goes back)."""
        window = timedelta(hours=self.card.void_window_hours)
        number = purchase.master_tracking
        if purchase.bought_at is not None and datetime.now(UTC) - purchase.bought_at > window:
            raise CarrierRejected(
                f"Label {number} is older than {self.card.void_window_hours} h, the void window "
                f"of {self.name}. Ask the carrier for a refund instead."
            )
        return VoidResult(number, accepted=True, status="voided")

    def manifest(self, purchases: list[Purchase], ship_date: date) -> Manifest:
        lines = [
            ManifestLine(label.tracking_number, p.service, label.package_seq, len(p.labels))
            for p in purchases
            for label in p.labels
        ]
        numbers = [line.tracking_number for line in lines]
        if len(set(numbers)) != len(numbers):
            raise CarrierRejected(
                f"A {self.name} manifest lists each label once; a tracking number appears twice."
            )
        if not numbers:
            raise CarrierRejected(f"There are no {self.name} labels for {ship_date} to manifest.")
        digest = hashlib.sha1("\n".join(sorted(numbers)).encode(), usedforsecurity=False)
        ref = f"{self.code}-{ship_date:%Y%m%d}-{digest.hexdigest()[:8].upper()}"
        document = manifest_pdf(self.name, ref, ship_date, lines)
        return Manifest(self.code, ref, ship_date, tuple(numbers), document)
