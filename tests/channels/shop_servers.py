"""Local Shopify (Admin REST 2024-07) and WooCommerce (REST v3) servers on 127.0.0.1.

They answer in the shapes of the public documentation, errors included, keep state (orders,
fulfilment orders, fulfilments, meta data) and record every request. Knobs let a test stall an
answer past the client's timeout (the write is done first, as a real shop would), answer 429
with Retry-After, or answer an arbitrary error.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

SAMPLES = Path("/work/shared/reference/samples")
Answer = tuple[int, Any, dict[str, str]]


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


class LocalShop:
    """The HTTP plumbing both shops share; subclasses route (method, path, body) -> answer."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, Any]] = []
        self.stall_writes = 0  # do the write, then hold the answer for stall_s
        self.stall_s = 1.5
        self.late_writes = 0  # hold the next N writes for stall_s, then do them (and answer)
        self.done_late = threading.Event()  # set when a late write has been done
        self.rate_limited = 0  # answer the next N requests 429
        self.retry_after = "0.1"
        self.fail_next: list[tuple[int, Any]] = []  # answers for the next writes
        self.lock = threading.Lock()
        self.release = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def count(self, method: str, pattern: str) -> int:
        return sum(1 for m, p, _ in self.requests if m == method and re.search(pattern, p))

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(5)

    def route(self, method: str, path: str, headers: Any, body: Any) -> Answer:
        raise NotImplementedError

    def too_many(self) -> Answer:
        raise NotImplementedError

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        shop = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _serve(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode("utf-8", "replace")
                path = self.path.split("?", 1)[0]
                with shop.lock:
                    shop.requests.append((method, path, body))
                    limited = shop.rate_limited > 0
                    if limited:
                        shop.rate_limited -= 1
                stall = False
                with shop.lock:
                    late = method != "GET" and not limited and shop.late_writes > 0
                    if late:
                        shop.late_writes -= 1
                if late:
                    shop.release.wait(shop.stall_s)  # slow to do it: the client gives up first
                if limited:
                    status, data, extra = shop.too_many()
                else:
                    with shop.lock:
                        failing = method != "GET" and shop.fail_next
                        if failing:
                            status, data = shop.fail_next.pop(0)
                            extra = {}
                        else:
                            status, data, extra = shop.route(method, path, self.headers, body)
                            stall = method != "GET" and shop.stall_writes > 0 and status < 400
                            if stall:
                                shop.stall_writes -= 1
                if late:
                    shop.done_late.set()
                if stall:
                    shop.release.wait(shop.stall_s)  # done, but answered too late
                payload = json.dumps(data).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in extra.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting: that is the point of a stall

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def do_PUT(self) -> None:
                self._serve("PUT")

        return Handler


class ShopifyShop(LocalShop):
    VERSION = "2024-07"
    TOKEN = "shpat_test_0123456789"

    def __init__(self) -> None:
        order = sample("shopify_order.json")["order"]
        self.orders: dict[int, dict[str, Any]] = {order["id"]: order}
        # The sample's own fulfilment (status "failure", tracking 1Z2345) stays: it must not count.
        self.fulfillments: dict[int, list[dict[str, Any]]] = {
            order["id"]: copy.deepcopy(order.get("fulfillments") or [])
        }
        self.fulfillment_orders: dict[int, list[dict[str, Any]]] = {
            order["id"]: [self._fulfillment_order(order)]
        }
        self._next_id = 1_022_782_000
        super().__init__()

    @staticmethod
    def _fulfillment_order(order: dict[str, Any]) -> dict[str, Any]:
        fo_id = 1_046_000_000 + order["id"] % 1000
        return {
            "id": fo_id, "shop_id": 548380009, "order_id": order["id"],
            "assigned_location_id": 24826418, "request_status": "unsubmitted",
            "status": "open", "supported_actions": ["create_fulfillment", "move"],
            "destination": None, "fulfill_at": None, "international_duties": None,
            "fulfillment_holds": [], "delivery_method": None,
            "line_items": [
                {"id": 1_058_737_000 + i, "shop_id": 548380009, "fulfillment_order_id": fo_id,
                 "quantity": item["quantity"], "line_item_id": item["id"],
                 "inventory_item_id": 49148385 + i, "fulfillable_quantity": item["quantity"],
                 "variant_id": item.get("variant_id")}
                for i, item in enumerate(order["line_items"])
            ],
        }  # fmt: skip

    @property
    def order_id(self) -> int:
        return next(iter(self.orders))

    def live_fulfilments(self, order_id: int | None = None) -> list[dict[str, Any]]:
        oid = order_id or self.order_id
        return [f for f in self.fulfillments[oid] if f["status"] == "success"]

    def too_many(self) -> Answer:
        return (429, {"errors": "Exceeded 2 calls per second for api client. Reduce request "
                      "rates to resume uninterrupted service."},
                {"Retry-After": self.retry_after})  # fmt: skip

    def route(self, method: str, path: str, headers: Any, body: Any) -> Answer:
        if headers.get("X-Shopify-Access-Token") != self.TOKEN:
            return (401, {"errors": "[API] Invalid API key or access token (unrecognized login "
                          "or wrong password)"}, {})  # fmt: skip
        prefix = f"/admin/api/{self.VERSION}"
        if not path.startswith(prefix):
            return 404, {"errors": "Not Found"}, {}
        rest = path[len(prefix) :]
        if m := re.fullmatch(r"/orders/(\d+)/fulfillment_orders\.json", rest):
            if int(m[1]) not in self.orders or method != "GET":
                return 404, {"errors": "Not Found"}, {}
            return 200, {"fulfillment_orders": self.fulfillment_orders[int(m[1])]}, {}
        if m := re.fullmatch(r"/orders/(\d+)/fulfillments\.json", rest):
            if int(m[1]) not in self.orders:
                return 404, {"errors": "Not Found"}, {}
            return 200, {"fulfillments": self.fulfillments[int(m[1])]}, {}
        if m := re.fullmatch(r"/orders/(\d+)/fulfillments/(\d+)\.json", rest):
            found = [f for f in self.fulfillments.get(int(m[1]), []) if f["id"] == int(m[2])]
            return (
                (200, {"fulfillment": found[0]}, {})
                if found
                else (404, {"errors": "Not Found"}, {})
            )
        if rest == "/fulfillments.json" and method == "POST":
            return self._create(body)
        if (m := re.fullmatch(r"/fulfillments/(\d+)/cancel\.json", rest)) and method == "POST":
            return self._cancel(int(m[1]))
        return 404, {"errors": "Not Found"}, {}

    def _create(self, body: Any) -> Answer:
        spec = (body or {}).get("fulfillment")
        if not isinstance(spec, dict) or not spec.get("line_items_by_fulfillment_order"):
            return 400, {"errors": {"fulfillment": "Required parameter missing or invalid"}}, {}
        taken: list[tuple[dict[str, Any], int]] = []
        order_id = None
        for group in spec["line_items_by_fulfillment_order"]:
            fo = next((f for fos in self.fulfillment_orders.values() for f in fos
                       if f["id"] == group.get("fulfillment_order_id")), None)  # fmt: skip
            if fo is None:
                return 404, {"errors": "Not Found"}, {}
            if fo["status"] not in ("open", "in_progress"):
                return (422, {"errors": [f"Fulfillment order {fo['id']} has an unfulfillable "
                                         f"status= {fo['status']}."]}, {})  # fmt: skip
            order_id = fo["order_id"]
            wanted = group.get("fulfillment_order_line_items")
            for item in fo["line_items"]:
                qty = item["fulfillable_quantity"]
                if wanted:
                    asked = next((w for w in wanted if w["id"] == item["id"]), None)
                    qty = asked["quantity"] if asked else 0
                    if qty > item["fulfillable_quantity"]:
                        return (422, {"errors": ["Invalid fulfillment order line item quantity "
                                                 "requested."]}, {})  # fmt: skip
                if qty:
                    taken.append((item, qty))
        if not taken:
            return 422, {"errors": {"base": ["Line items must have at least one item"]}}, {}
        for item, qty in taken:
            item["fulfillable_quantity"] -= qty
        for fo in self.fulfillment_orders[order_id]:
            if all(i["fulfillable_quantity"] == 0 for i in fo["line_items"]):
                fo["status"], fo["supported_actions"] = "closed", []
            else:
                fo["status"] = "in_progress"
        tracking = spec.get("tracking_info") or {}
        self._next_id += 1
        number = tracking.get("number")
        made = {
            "id": self._next_id, "order_id": order_id, "status": "success",
            "created_at": datetime.now(UTC).isoformat(), "service": "manual",
            "location_id": 24826418, "name": f"#1001.{len(self.fulfillments[order_id]) + 1}",
            "tracking_company": tracking.get("company"), "tracking_number": number,
            "tracking_numbers": [number] if number else [],
            "tracking_url": tracking.get("url"), "tracking_urls": [tracking["url"]] if
            tracking.get("url") else [], "notify_customer": spec.get("notify_customer", False),
            "line_items": [{"id": i["line_item_id"], "quantity": q} for i, q in taken],
        }  # fmt: skip
        self.fulfillments[order_id].append(made)
        return 201, {"fulfillment": made}, {}

    def _cancel(self, fid: int) -> Answer:
        for fulfilments in self.fulfillments.values():
            for f in fulfilments:
                if f["id"] == fid:
                    if f["status"] == "cancelled":
                        return 422, {"errors": ["Fulfillment is already cancelled."]}, {}
                    f["status"] = "cancelled"
                    return 200, {"fulfillment": f}, {}
        return 404, {"errors": "Not Found"}, {}


class WooShop(LocalShop):
    KEY, SECRET = "ck_test_4b1d", "cs_test_9e2f"

    def __init__(self) -> None:
        order = sample("woocommerce_order.json")
        self.orders: dict[int, dict[str, Any]] = {order["id"]: order}
        self._next_meta = 20000
        super().__init__()

    @property
    def order_id(self) -> int:
        return next(iter(self.orders))

    def too_many(self) -> Answer:
        return (429, {"code": "rest_too_many_requests", "message": "Too many requests.",
                      "data": {"status": 429}}, {"Retry-After": self.retry_after})  # fmt: skip

    def route(self, method: str, path: str, headers: Any, body: Any) -> Answer:
        expected = "Basic " + base64.b64encode(f"{self.KEY}:{self.SECRET}".encode()).decode()
        if headers.get("Authorization") != expected:
            return (401, {"code": "woocommerce_rest_cannot_view", "message": "Sorry, you cannot "
                          "view this resource.", "data": {"status": 401}}, {})  # fmt: skip
        m = re.fullmatch(r"/wp-json/wc/v3/orders/(\d+)", path)
        if m is None:
            return (404, {"code": "rest_no_route", "message": "No route was found matching the "
                          "URL and request method.", "data": {"status": 404}}, {})  # fmt: skip
        order = self.orders.get(int(m[1]))
        if order is None:
            return (404, {"code": "woocommerce_rest_shop_order_invalid_id", "message":
                          "Invalid ID.", "data": {"status": 404}}, {})  # fmt: skip
        if method == "GET":
            return 200, order, {}
        if method != "PUT" or not isinstance(body, dict):
            return 400, {"code": "rest_invalid_json", "message": "Invalid JSON body passed.",
                         "data": {"status": 400}}, {}  # fmt: skip
        statuses = ("pending", "processing", "on-hold", "completed", "cancelled", "refunded",
                    "failed", "trash")  # fmt: skip
        if "status" in body and body["status"] not in statuses:
            return (400, {"code": "rest_invalid_param", "message": "Invalid parameter(s): status",
                          "data": {"status": 400, "params": {"status": "status is not one of "
                                   + ", ".join(statuses) + "."}}}, {})  # fmt: skip
        if "status" in body:
            order["status"] = body["status"]
            if body["status"] == "completed":
                order["date_completed"] = datetime.now(UTC).isoformat(timespec="seconds")
        for meta in body.get("meta_data") or []:
            # WC_Data::update_meta_data: the first entry with that key is updated, else added.
            current = next((x for x in order["meta_data"] if x["key"] == meta["key"]), None)
            if current is not None:
                current["value"] = meta["value"]
            else:
                self._next_meta += 1
                order["meta_data"].append(
                    {"id": self._next_meta, "key": meta["key"], "value": meta["value"]}
                )
        return 200, order, {}
