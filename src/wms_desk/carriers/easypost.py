"""EasyPost (API v2) adapter: rates, buy once, refund, scan forms; over httpx with retries."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import ParamSpec, TypeVar, cast
from urllib.parse import quote

import httpx

from wms_desk.carriers.base import (
    CarrierCapabilities,
    CarrierError,
    CarrierRejected,
    CarrierUnavailable,
    Label,
    LabelFormat,
    Manifest,
    NotSupported,
    Purchase,
    RateQuote,
    ShipmentRequest,
    VoidResult,
)
from wms_desk.carriers.easypost_payloads import (
    EpPostageLabel,
    EpRate,
    EpScanForm,
    EpShipment,
    create_body,
    error_text,
)
from wms_desk.carriers.easypost_tracking import POLL_SOURCE, TrackingPayloadError, tracker_events
from wms_desk.carriers.secrets import ApiKeySource
from wms_desk.domain.tracking import TrackingEvent
from wms_desk.printing.label import carrier_label

P = ParamSpec("P")
R = TypeVar("R")
DEFAULT_URL = "https://api.easypost.com/v2"
REFUND_OK = ("submitted", "refunded")
# Another request is buying this shipment right now: wait and look, never buy beside it.
IN_PROGRESS = "SHIPMENT.PURCHASE.IN_PROGRESS"
FORMATS = {LabelFormat.PDF: "PDF", LabelFormat.ZPL: "ZPL"}


@dataclass(frozen=True)
class EasyPostConfig:
    api_key: ApiKeySource
    base_url: str = DEFAULT_URL
    timeout_s: float = 20.0
    retries: int = 2  # extra tries after the first, for requests that are safe to repeat
    backoff_s: float = 0.5  # doubled after each failed try
    # Refund windows differ per carrier (USPS 30 days, UPS/FedEx 90); the shortest is shown.
    void_window: timedelta = timedelta(days=30)


def _url_of(postage: EpPostageLabel, fmt: LabelFormat) -> str | None:
    return postage.get("label_zpl_url") if fmt is LabelFormat.ZPL else postage.get("label_pdf_url")


def _shape_checked(method: Callable[P, R]) -> Callable[P, R]:
    """An answer missing a field the docs promise is a CarrierError naming it, not a crash."""

    @functools.wraps(method)
    def checked(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except (KeyError, TypeError, AttributeError) as exc:
            raise CarrierError(
                f"EasyPost answered in a shape this version does not understand ({exc!r}). "
                "Try again; if it keeps happening, report it with the time it happened."
            ) from exc

    return checked


class _Transient(Exception):
    """No answer, or a 5xx/429: the request may or may not have been done."""


class EasyPostCarrier:
    """One EasyPost account. A shipment is one package; buying goes by the persisted shipment
    id, so a retry after a lost answer finds the label already bought instead of a second."""

    code = "easypost"
    name = "EasyPost"

    def __init__(self, config: EasyPostConfig, transport: httpx.BaseTransport | None = None):
        self.config = config
        self._transport = transport
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def capabilities(self) -> CarrierCapabilities:
        return CarrierCapabilities(
            multi_piece=False,
            void_window=self.config.void_window,
            label_formats=frozenset(FORMATS),
            rates=True,
            manifests=True,
            offline=False,
        )

    # -- HTTP ---------------------------------------------------------------------------------

    def _http(self) -> httpx.Client:
        # One client per adapter (httpx clients are thread-safe and building one costs an SSL
        # context); the key is not in it: it is read and attached per request.
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(
                    timeout=self.config.timeout_s,
                    headers={"User-Agent": "wms-desk"},
                    transport=self._transport,
                )
            return self._client

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def _once(self, method: str, path: str, body: object = None) -> object:
        key = self.config.api_key.read()
        url = self.config.base_url.rstrip("/") + path
        try:
            response = self._http().request(
                method, url, json=body, auth=(key, ""), headers={"Accept": "application/json"}
            )
        except httpx.TransportError as exc:  # timeouts, refused or dropped connections
            raise _Transient(f"{type(exc).__name__}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise _Transient(f"HTTP {response.status_code}")
        try:
            data: object = response.json()
        except ValueError:
            data = None
        if response.status_code >= 400:
            code, message = error_text(data)
            raise CarrierRejected(
                f"EasyPost refused it: {message or response.reason_phrase}",
                code=code,
                status=response.status_code,
            )
        if data is None:
            raise CarrierError(f"EasyPost answered {method} {path} with something not JSON.")
        return data

    def _call(self, method: str, path: str, body: object = None, what: str = "") -> object:
        """A request that is safe to repeat: retried on no answer, 5xx and 429."""
        delay = self.config.backoff_s
        for attempt in range(self.config.retries + 1):
            try:
                return self._once(method, path, body)
            except _Transient as exc:
                last = str(exc)
                if attempt < self.config.retries:
                    time.sleep(delay)
                    delay *= 2
        raise CarrierUnavailable(
            f"EasyPost did not answer {what or path} after {self.config.retries + 1} tries "
            f"({last}). Check the network and try again."
        )

    def _download(self, url: str, what: str) -> bytes:
        # Label and form URLs are the carrier's file links: fetched without our API key.
        delay = self.config.backoff_s
        for attempt in range(self.config.retries + 1):
            try:
                response = self._http().get(url)
                if response.status_code < 400:
                    return response.content
                if response.status_code < 500:
                    raise CarrierError(
                        f"EasyPost's {what} at {url} is gone ({response.status_code})."
                    )
            except httpx.TransportError:
                pass
            if attempt < self.config.retries:
                time.sleep(delay)
                delay *= 2
        raise CarrierUnavailable(f"EasyPost's {what} could not be downloaded from {url}.")

    # -- intents ------------------------------------------------------------------------------

    @_shape_checked
    def rate(self, request: ShipmentRequest) -> list[RateQuote]:
        """Create the EasyPost shipment (nothing is paid yet) and quote its rates."""
        if len(request.packages) != 1:
            raise NotSupported(
                f"Order {request.reference}: EasyPost rates one package per shipment; rate each "
                f"of the {len(request.packages)} packages on its own."
            )
        fmt = FORMATS.get(request.label_format)
        if fmt is None:
            raise NotSupported(f"EasyPost prints PDF or ZPL labels, not {request.label_format}.")
        body = {"shipment": create_body(request, request.packages[0], fmt)}
        # Repeating a create after a lost answer makes a second unpaid shipment: harmless.
        shipment = cast(EpShipment, self._call("POST", "/shipments", body, "the rate request"))
        quotes = [self._quote(shipment["id"], r) for r in shipment.get("rates") or []]
        if request.service:
            quotes = [q for q in quotes if request.service in (q.service, q.rate_ref)]
        if not quotes:
            notes = "; ".join(
                f"{m.get('carrier', '')}: {m.get('message', '')}"
                for m in shipment.get("messages") or []
            )
            raise CarrierRejected(
                f"EasyPost has no rate for order {request.reference}"
                + (f" ({notes})" if notes else "")
                + ". Check the address and the package, or choose another carrier."
            )
        return sorted(quotes, key=lambda q: q.amount)

    def _quote(self, shipment_id: str, r: EpRate) -> RateQuote:
        try:
            amount = Decimal(str(r["rate"]))
        except (InvalidOperation, KeyError) as exc:
            raise CarrierError(f"EasyPost sent a rate without a price: {r!r}") from exc
        delivery = r.get("delivery_date")
        return RateQuote(
            carrier=self.code,
            service=f"{r['carrier']} {r['service']}",
            service_name=f"{r['carrier']} {r['service']}",
            amount=amount,
            currency=r.get("currency") or "USD",
            transit_days=r.get("delivery_days"),
            delivery_date=datetime.fromisoformat(delivery).date() if delivery else None,
            shipment_ref=r.get("shipment_id") or shipment_id,
            rate_ref=r["id"],
        )

    @_shape_checked
    def buy(self, request: ShipmentRequest, quote: RateQuote) -> Purchase:
        """Buy `quote` on its shipment, exactly once.

        EasyPost documents no idempotency key, so "once" comes from buying by shipment id: a
        shipment holds one label. After no answer we look at the shipment before trying again;
        after a refusal we look too, because "already has postage" means an earlier try (or
        another station) bought it, and that label is the answer.
        """
        if not quote.shipment_ref or not quote.rate_ref:
            raise CarrierError("An EasyPost purchase needs the shipment and rate ids of a quote.")
        path = f"/shipments/{quote.shipment_ref}"
        body = {"rate": {"id": quote.rate_ref}}
        delay = self.config.backoff_s
        for attempt in range(self.config.retries + 1):
            try:
                bought = cast(EpShipment, self._once("POST", f"{path}/buy", body))
                return self._purchase(bought, request)
            except _Transient:
                pass  # the buy may have gone through: look before trying again
            except CarrierRejected as exc:
                if exc.code != IN_PROGRESS:
                    current = cast(EpShipment, self._call("GET", path, what="the shipment"))
                    if current.get("postage_label") and current.get("tracking_code"):
                        return self._purchase(current, request)  # bought by an earlier try
                    raise CarrierRejected(
                        f"Order {request.reference}: {exc} Correct it and buy the label again.",
                        exc.code,
                        exc.status,
                    ) from exc
            current = cast(EpShipment, self._call("GET", path, what="the shipment"))
            if current.get("postage_label") and current.get("tracking_code"):
                return self._purchase(current, request)
            if attempt < self.config.retries:
                time.sleep(delay)
                delay *= 2
        raise CarrierUnavailable(
            f"EasyPost did not confirm the label for order {request.reference} after "
            f"{self.config.retries + 1} tries and shipment {quote.shipment_ref} has no label yet. "
            "Try again: buying again cannot buy a second label for this shipment."
        )

    def _purchase(self, s: EpShipment, request: ShipmentRequest) -> Purchase:
        tracking = s.get("tracking_code") or ""
        postage = s.get("postage_label")
        if not tracking or postage is None:
            raise CarrierError(f"EasyPost shipment {s['id']} came back without a label.")
        fmt = request.label_format
        url = self._label_url(s["id"], postage, fmt)
        try:
            data = carrier_label(self._download(url, "label"), fmt.value)
        except ValueError as exc:
            raise CarrierError(
                f"EasyPost's label for shipment {s['id']} (tracking {tracking}) is not usable: "
                f"{exc}. Reprint it from the EasyPost dashboard."
            ) from exc
        rate = s.get("selected_rate")
        return Purchase(
            carrier=self.code,
            service=f"{rate['carrier']} {rate['service']}" if rate else "",
            labels=(Label(tracking, fmt, data, 1, tracking),),
            amount=Decimal(str(rate["rate"])) if rate else Decimal(0),
            currency=(rate.get("currency") if rate else None) or request.currency,
            shipment_ref=s["id"],
            bought_at=datetime.now(UTC),
        )

    def _label_url(self, shipment_id: str, postage: EpPostageLabel, fmt: LabelFormat) -> str:
        url = _url_of(postage, fmt)
        if not url:
            # Not made in that format at purchase: ask EasyPost to convert (GET .../label).
            converted = cast(
                EpShipment,
                self._call(
                    "GET",
                    f"/shipments/{shipment_id}/label?file_format={FORMATS[fmt]}",
                    what="label",
                ),
            )
            again = converted.get("postage_label")
            url = _url_of(again, fmt) if again else None
        if not url:
            raise CarrierError(f"EasyPost has no {fmt.value.upper()} label for {shipment_id}.")
        return str(url)

    @_shape_checked
    def void(self, purchase: Purchase) -> VoidResult:
        """Ask for a refund (EasyPost's void). A repeated request is answered from the shipment."""
        path = f"/shipments/{purchase.shipment_ref}"
        try:
            s = cast(EpShipment, self._call("POST", f"{path}/refund", what="the refund"))
        except CarrierRejected as exc:
            s = cast(EpShipment, self._call("GET", path, what="the shipment"))
            if s.get("refund_status") not in REFUND_OK:
                raise CarrierRejected(
                    f"EasyPost would not refund label {purchase.master_tracking}: {exc}",
                    exc.code,
                    exc.status,
                ) from exc
        status = s.get("refund_status") or "unknown"
        return VoidResult(
            purchase.master_tracking,
            accepted=status in REFUND_OK,
            status=status,
            message="" if status in REFUND_OK else f"EasyPost says the refund is {status}.",
        )

    @_shape_checked
    def manifest(self, purchases: list[Purchase], ship_date: date) -> Manifest:
        """A scan form for these shipments. Not retried blindly: a form cannot be made twice for
        the same labels, and EasyPost's refusal says which label is already on one."""
        if not purchases:
            raise CarrierRejected(f"There are no EasyPost labels for {ship_date} to manifest.")
        body = {"shipments": [{"id": p.shipment_ref} for p in purchases]}
        try:
            form = cast(EpScanForm, self._once("POST", "/scan_forms", body))
        except _Transient as exc:
            raise CarrierUnavailable(
                f"EasyPost did not answer the scan form request ({exc}). Look in the EasyPost "
                "dashboard whether the form was made before asking again."
            ) from exc
        url = form.get("form_url")
        document = self._download(url, "scan form") if url else b""
        return Manifest(
            carrier=self.code,
            manifest_ref=form["id"],
            ship_date=ship_date,
            tracking_numbers=tuple(form.get("tracking_codes") or ()),
            document=document,
            document_url=url or "",
        )

    # -- tracking -----------------------------------------------------------------------------

    def _tracker_events(self, tracker: object, what: str) -> list[TrackingEvent]:
        try:
            return tracker_events(tracker, POLL_SOURCE, what)
        except TrackingPayloadError as exc:
            raise CarrierError(f"EasyPost sent a tracker this version cannot read: {exc}.") from exc

    def tracker(self, tracker_id: str) -> list[TrackingEvent]:
        """Every scan of one tracker: `GET /v2/trackers/{id}`."""
        found = self._call("GET", f"/trackers/{quote(tracker_id)}", what=f"tracker {tracker_id}")
        return self._tracker_events(found, f"tracker {tracker_id}")

    def track(self, tracking_code: str) -> list[TrackingEvent]:
        """Every scan of a tracking number: the newest tracker EasyPost keeps for it
        (`GET /v2/trackers?tracking_code=...`; labels bought through EasyPost have one)."""
        found = self._call(
            "GET", f"/trackers?tracking_code={quote(tracking_code)}", what=f"{tracking_code}"
        )
        trackers = found.get("trackers") if isinstance(found, dict) else None
        if not isinstance(trackers, list):
            raise CarrierError(f"EasyPost answered the tracker list for {tracking_code} oddly.")
        if not trackers:
            raise CarrierRejected(
                f"EasyPost has no tracker for {tracking_code}: it tracks labels bought "
                "through it, or trackers created for the number."
            )
        return self._tracker_events(trackers[0], f"tracker for {tracking_code}")
