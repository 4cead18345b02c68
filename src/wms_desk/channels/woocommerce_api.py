"""WooCommerce REST API v3: mark the order completed with the shipment's tracking, once.

Why the core orders endpoint (PUT /wp-json/wc/v3/orders/{id} with `status` and `meta_data`) and
not the Shipment Tracking extension: the extension is a paid add-on that many shops do not run,
and its POST makes a new tracking row on every call, so a retry after a lost answer would show
the number twice. The core endpoint is on every shop, and a meta key per shipment makes the
write an update: repeating it changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from wms_desk.carriers.secrets import ApiKeyMissing, ApiKeySource
from wms_desk.channels.writeback import (
    FulfilmentRequest,
    JsonHttp,
    WritebackRejected,
    WritebackResult,
    WritebackUnavailable,
)

if TYPE_CHECKING:
    import httpx  # loaded with the HTTP core (writeback.py) when a shop is called

META_PREFIX = "_wms_desk_shipment_"  # + our shipment id; "_" keeps it out of the customer's view
# A shop that cancelled or refunded the order must not see it flip to completed.
REFUSE = frozenset({"cancelled", "refunded", "failed", "trash"})


@dataclass(frozen=True)
class WooConfig:
    shop_url: str  # https://shop.example.com (the WordPress site)
    credentials: ApiKeySource  # "ck_...:cs_..." (consumer key and secret, one secret)
    timeout_s: float = 10.0
    retries: int = 2


def error_text(data: object) -> str:
    """WooCommerce's `{"code": ..., "message": ..., "data": {"status": 400}}`."""
    if not isinstance(data, dict):
        return ""
    message = str(data.get("message") or "")
    code = str(data.get("code") or "")
    return f"{message} [{code}]" if code and message else message or code


def meta_key(shipment_id: int) -> str:
    return f"{META_PREFIX}{shipment_id}"


class WooWriteback:
    def __init__(self, config: WooConfig, transport: httpx.BaseTransport | None = None):
        self.config = config
        base = f"{config.shop_url.rstrip('/')}/wp-json/wc/v3"
        self.http = JsonHttp(
            "WooCommerce", base, error_text, config.timeout_s, config.retries, transport
        )

    def close(self) -> None:
        self.http.close()

    def _auth(self) -> tuple[str, str]:
        key, sep, secret = self.config.credentials.read().partition(":")
        if not sep or not key or not secret:
            raise ApiKeyMissing(
                "The WooCommerce secret must be the consumer key and secret as one line "
                "'ck_...:cs_...'."
            )
        return key, secret

    def _order(self, order_id: str) -> dict[str, Any]:
        return cast(dict[str, Any], self.http.call("GET", f"/orders/{order_id}", auth=self._auth()))

    @staticmethod
    def _has(order: dict[str, Any], key: str) -> bool:
        return any(m.get("key") == key for m in order.get("meta_data") or [])

    def fulfil(self, request: FulfilmentRequest) -> WritebackResult:
        if not request.tracking:
            raise WritebackRejected(f"Order {request.order_number} has no tracking number.")
        order_id = request.order_external_id
        key = meta_key(request.shipment_id)
        order = self._order(order_id)
        if self._has(order, key):
            return WritebackResult(str(order.get("id", order_id)), created=False)
        status = str(order.get("status") or "")
        if status in REFUSE:
            raise WritebackRejected(
                f"Order {request.order_number} is {status} in WooCommerce, so it was not marked "
                "completed. Check the order in the shop; cancel this message if that is right."
            )
        value = {
            "carrier": request.carrier,
            "service": request.service,
            "tracking_numbers": list(request.tracking_numbers),
            "tracking_url": request.tracking_url,
            "shipped_at": request.shipped_at.isoformat(),
        }
        body = {"status": "completed", "meta_data": [{"key": key, "value": value}]}
        try:
            done = cast(
                dict[str, Any],
                self.http.call("PUT", f"/orders/{order_id}", body, auth=self._auth()),
            )
        except WritebackUnavailable as exc:
            if exc.retry_after is not None:
                raise
            if self._has(self._order(order_id), key):  # it went through; the answer was lost
                return WritebackResult(str(order_id), created=False)
            raise
        except WritebackRejected as exc:
            raise WritebackRejected(f"Order {request.order_number}: {exc}", exc.status) from exc
        return WritebackResult(str(done.get("id", order_id)), created=True)

    def void(self, request: FulfilmentRequest) -> str:
        """Mark the shipment's meta entry void (its label was voided). The order stays
        completed: the REST API has no "uncomplete", and moving it back to processing would
        send the shop's own e-mails. Repeating it changes nothing."""
        order_id = request.order_external_id
        key = meta_key(request.shipment_id)
        order = self._order(order_id)
        entry = next((m for m in order.get("meta_data") or [] if m.get("key") == key), None)
        if entry is None:
            return f"nothing to void: order {order_id} has no entry for this shipment"
        value = entry.get("value") if isinstance(entry.get("value"), dict) else {}
        if value.get("voided"):
            return f"order {order_id}: already marked void"
        body = {"meta_data": [{"key": key, "value": {**value, "voided": True}}]}
        self.http.call("PUT", f"/orders/{order_id}", body, auth=self._auth())
        return f"order {order_id}: tracking marked void"
