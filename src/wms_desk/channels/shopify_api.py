"""Shopify Admin REST API (version 2024-07): a fulfilment with tracking per shipment, once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from wms_desk.carriers.secrets import ApiKeySource
from wms_desk.channels.writeback import (
    FulfilmentRequest,
    JsonHttp,
    WritebackError,
    WritebackRejected,
    WritebackResult,
    WritebackUnavailable,
)

if TYPE_CHECKING:
    import httpx  # loaded with the HTTP core (writeback.py) when a shop is called

API_VERSION = "2024-07"
# Fulfilments in these states carry tracking; cancelled/error/failure ones no longer count.
LIVE = frozenset({"success", "pending", "open"})
# Fulfilment orders that can still take a fulfilment (closed, cancelled, incomplete cannot).
FULFILLABLE = frozenset({"open", "in_progress"})


@dataclass(frozen=True)
class ShopifyConfig:
    shop_url: str  # https://my-shop.myshopify.com
    token: ApiKeySource  # the Admin API access token (shpat_...)
    api_version: str = API_VERSION
    timeout_s: float = 10.0
    retries: int = 2


def error_text(data: object) -> str:
    """Shopify's `{"errors": ...}` in its three shapes (a string, a list, a dict of field ->
    messages), and the `{"error": ...}` a few endpoints use."""
    if not isinstance(data, dict):
        return ""
    errors = data.get("errors", data.get("error"))
    if isinstance(errors, str):
        return errors
    if isinstance(errors, list):
        return "; ".join(str(e) for e in errors)
    if isinstance(errors, dict):
        parts = []
        for field, messages in errors.items():
            said = "; ".join(str(m) for m in messages) if isinstance(messages, list) else messages
            parts.append(str(said) if field == "base" else f"{field}: {said}")
        return "; ".join(parts)
    return ""


def _carries(fulfilment: dict[str, Any], tracking: str) -> bool:
    if fulfilment.get("status") not in LIVE:
        return False
    numbers = list(fulfilment.get("tracking_numbers") or [])
    numbers.append(fulfilment.get("tracking_number") or "")
    return tracking.upper() in {str(n).upper() for n in numbers if n}


class ShopifyWriteback:
    """One shop. Shopify has no idempotency key for fulfilments, so "once" comes from looking:
    before creating, and again after a create that lost its answer, the order's fulfilments are
    read and one carrying our tracking number is the answer."""

    def __init__(self, config: ShopifyConfig, transport: httpx.BaseTransport | None = None):
        self.config = config
        base = f"{config.shop_url.rstrip('/')}/admin/api/{config.api_version}"
        self.http = JsonHttp(
            "Shopify", base, error_text, config.timeout_s, config.retries, transport
        )

    def close(self) -> None:
        self.http.close()

    def _headers(self) -> dict[str, str]:
        return {"X-Shopify-Access-Token": self.config.token.read()}

    def _get(self, path: str) -> dict[str, Any]:
        return cast(dict[str, Any], self.http.call("GET", path, headers=self._headers()))

    def existing(self, order_id: str, tracking: str) -> dict[str, Any] | None:
        """Our fulfilment of this order if it is already there (by tracking number)."""
        data = self._get(f"/orders/{order_id}/fulfillments.json")
        found = [f for f in data.get("fulfillments") or [] if _carries(f, tracking)]
        return found[0] if found else None

    def _line_items(self, request: FulfilmentRequest) -> list[dict[str, Any]]:
        data = self._get(f"/orders/{request.order_external_id}/fulfillment_orders.json")
        open_orders = [
            fo
            for fo in data.get("fulfillment_orders") or []
            if fo.get("status") in FULFILLABLE
            and "create_fulfillment" in (fo.get("supported_actions") or ["create_fulfillment"])
        ]
        if not open_orders:
            raise WritebackRejected(
                f"Shopify has nothing left to fulfil on order {request.order_number}: every "
                "fulfilment order is closed, cancelled or already fulfilled there. Check the "
                "order in Shopify; cancel this message if it was fulfilled by hand."
            )
        wanted = {line.external_line_id: line.qty for line in request.lines}
        chosen: list[dict[str, Any]] = []
        for fo in open_orders:
            items = []
            for item in fo.get("line_items") or []:
                qty = min(
                    wanted.get(str(item.get("line_item_id")), 0),
                    int(item.get("fulfillable_quantity") or 0),
                )
                if qty > 0:
                    items.append({"id": item["id"], "quantity": qty})
                    wanted[str(item.get("line_item_id"))] -= qty
            if items:
                chosen.append(
                    {"fulfillment_order_id": fo["id"], "fulfillment_order_line_items": items}
                )
        if chosen:
            return chosen
        if request.lines:
            # We know what is in the box, and Shopify lists none of it as open: fulfilling the
            # rest instead would mark items shipped that are still on the shelf.
            ids = ", ".join(line.external_line_id for line in request.lines)
            raise WritebackRejected(
                f"Order {request.order_number}: none of the lines in this shipment (Shopify line "
                f"items {ids}) is open to fulfil in Shopify. Fulfil it by hand in Shopify with "
                f"tracking {request.tracking}, then cancel this message."
            )
        # No line ids (an order imported without them): an entry without line items fulfils
        # everything left on that fulfilment order.
        return [{"fulfillment_order_id": fo["id"]} for fo in open_orders]

    def fulfil(self, request: FulfilmentRequest) -> WritebackResult:
        if not request.tracking:
            raise WritebackRejected(f"Order {request.order_number} has no tracking number.")
        order_id = request.order_external_id
        found = self.existing(order_id, request.tracking)
        if found is not None:
            return WritebackResult(str(found["id"]), created=False)
        tracking_info = {"number": request.tracking, "company": request.carrier}
        if request.tracking_url:
            tracking_info["url"] = request.tracking_url
        body = {
            "fulfillment": {
                "line_items_by_fulfillment_order": self._line_items(request),
                "tracking_info": tracking_info,
                # We send our own shipment e-mail; Shopify's would be a second one.
                "notify_customer": False,
            }
        }
        try:
            made = cast(
                dict[str, Any],
                self.http.call("POST", "/fulfillments.json", body, headers=self._headers()),
            )
        except WritebackUnavailable as exc:
            if exc.retry_after is not None:
                raise  # 429 past our patience: not created; the outbox tries again later
            # No answer: the fulfilment may exist. Look before anyone tries again.
            found = self.existing(order_id, request.tracking)
            if found is not None:
                return WritebackResult(str(found["id"]), created=False)
            raise
        except WritebackRejected as exc:
            # A 422 can be a twin attempt (another station, a retry) that won: look first.
            if exc.status == 422:
                found = self.existing(order_id, request.tracking)
                if found is not None:
                    return WritebackResult(str(found["id"]), created=False)
            raise WritebackRejected(f"Order {request.order_number}: {exc}", exc.status) from exc
        fulfilment = made.get("fulfillment") or {}
        if "id" not in fulfilment:
            raise WritebackError(
                f"Shopify answered the fulfilment of order {request.order_number} without its id."
            )
        return WritebackResult(str(fulfilment["id"]), created=True)

    def cancel(self, order_id: str, fulfilment_id: str) -> str:
        """Cancel a fulfilment (after its label was voided); an already cancelled one is fine."""
        headers = self._headers()
        try:
            done = cast(
                dict[str, Any],
                self.http.call(
                    "POST", f"/fulfillments/{fulfilment_id}/cancel.json", {}, headers=headers
                ),
            )
            return str((done.get("fulfillment") or {}).get("status") or "cancelled")
        except WritebackRejected as exc:
            if exc.status != 422:
                raise
            now = self._get(f"/orders/{order_id}/fulfillments/{fulfilment_id}.json")
            if (now.get("fulfillment") or {}).get("status") == "cancelled":
                return "cancelled"
            raise
