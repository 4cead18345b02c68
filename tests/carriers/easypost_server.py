"""A local EasyPost API v2 on 127.0.0.1: stateful shipments, answers from payloads/*.json."""

from __future__ import annotations

import base64
import copy
import json
import threading
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

PAYLOADS = Path(__file__).with_name("payloads")
LABEL_PDF = b"%PDF-1.4\n% EasyPost test label\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
FORM_PDF = b"%PDF-1.4\n% USPS SCAN form 5630\ntrailer <<>>\n%%EOF\n"


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))


class EasyPostServer:
    """What a test can arrange: stalled or dropped buys, failing creates, refused refunds."""

    def __init__(self, api_key: str = "EZTK_test_key") -> None:
        self.api_key = api_key
        self.shipments: dict[str, dict[str, Any]] = {}
        self.scan_forms: dict[str, dict[str, Any]] = {}
        self.labels_bought: Counter[str] = Counter()
        self.requests: list[tuple[str, str]] = []
        self.file_auth_headers: list[str | None] = []
        self.stall_buys = 0  # buy, then hold the answer until close(): the client times out
        self.drop_buys = 0  # close the connection without buying
        self.stall_creates = 0
        self.stall_refunds = 0  # hold a refund's answer for `stall_s` (it is made first)
        self.stall_s = 0.0
        self.fail_creates: list[int] = []  # statuses to answer the next creates with
        self.refuse_refunds = False
        self.half_answers = False  # a 201 for a create, missing the shipment's id
        self.broken_files = False  # label files that are not what they claim (HTML error page)
        self.release = threading.Event()
        self.trackers: dict[str, dict[str, Any]] = {}  # by tracking code
        self.clients: list[Any] = []  # adapters made for this server, closed with it
        self._lock = threading.Lock()
        self._next_tracking = 9400111206213000000
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root}/v2"

    def count(self, method: str, suffix: str) -> int:
        return sum(1 for m, p in self.requests if m == method and p.endswith(suffix))

    def close(self) -> None:
        for client in self.clients:
            client.close()
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(5)

    # -- the API ------------------------------------------------------------------------------

    def _authorised(self, header: str | None) -> bool:
        expected = "Basic " + base64.b64encode(f"{self.api_key}:".encode()).decode()
        return header == expected

    def create_shipment(self, body: Any) -> tuple[int, Any]:
        if self.fail_creates:
            error = {"code": "INTERNAL_SERVER_ERROR", "message": "Internal server error."}
            return self.fail_creates.pop(0), {"error": error}
        shipment_in = body.get("shipment") or {}
        to = shipment_in.get("to_address") or {}
        if not to.get("street1"):
            return 422, payload("error_address")
        shipment = payload("shipment_created")
        sid = "shp_" + uuid.uuid4().hex
        shipment["id"] = sid
        shipment["reference"] = shipment_in.get("reference")
        shipment["to_address"].update(to)
        shipment["parcel"].update(shipment_in.get("parcel") or {})
        shipment["options"].update(shipment_in.get("options") or {})
        for r in shipment["rates"]:
            r["shipment_id"] = sid
        self.shipments[sid] = shipment
        if self.half_answers:
            return 201, {k: v for k, v in shipment.items() if k != "id"}
        return 201, shipment

    def buy(self, sid: str, body: Any) -> tuple[int, Any]:
        with self._lock:
            shipment = self.shipments.get(sid)
            if shipment is None:
                return 404, _not_found()
            if shipment["postage_label"] is not None:
                return 422, payload("error_postage_exists")
            rate_id = (body.get("rate") or {}).get("id")
            rate = next((r for r in shipment["rates"] if r["id"] == rate_id), None)
            if rate is None:
                return 422, {"error": {"code": "SHIPMENT.RATE.NOT_FOUND",
                                       "message": f"Rate {rate_id} not found for this shipment.",
                                       "errors": []}}  # fmt: skip
            self._next_tracking += 1
            label = payload("postage_label")
            zpl = shipment["options"].get("label_format") == "ZPL"
            label["label_pdf_url"] = None if zpl else f"{self.root}/files/{sid}.pdf"
            label["label_zpl_url"] = f"{self.root}/files/{sid}.zpl" if zpl else None
            label["label_url"] = label["label_zpl_url"] or label["label_pdf_url"]
            label["label_file_type"] = "application/zpl" if zpl else "application/pdf"
            shipment["postage_label"] = label
            shipment["selected_rate"] = copy.deepcopy(rate)
            shipment["tracking_code"] = str(self._next_tracking)
            self.labels_bought[sid] += 1
            return 200, shipment

    def convert_label(self, sid: str, file_format: str) -> tuple[int, Any]:
        shipment = self.shipments.get(sid)
        if shipment is None or shipment["postage_label"] is None:
            return 404, _not_found()
        ext = file_format.lower()
        shipment["postage_label"][f"label_{ext}_url"] = f"{self.root}/files/{sid}.{ext}"
        return 200, shipment

    def refund(self, sid: str) -> tuple[int, Any]:
        shipment = self.shipments.get(sid)
        if shipment is None:
            return 404, _not_found()
        if self.refuse_refunds or shipment["postage_label"] is None:
            return 422, payload("error_refund_unavailable")
        shipment["refund_status"] = "submitted"
        return 200, shipment

    def scan_form(self, body: Any) -> tuple[int, Any]:
        ids = [s.get("id") for s in body.get("shipments") or []]
        codes = []
        for sid in ids:
            shipment = self.shipments.get(sid)
            if shipment is None or shipment["tracking_code"] is None:
                return 422, {"error": {"code": "SCAN_FORM.VALIDATION.ERROR",
                                       "message": f"Shipment {sid} has no postage.",
                                       "errors": []}}  # fmt: skip
            codes.append(shipment["tracking_code"])
        form = payload("scan_form")
        form["id"] = "sf_" + uuid.uuid4().hex
        form["tracking_codes"] = codes
        form["form_url"] = f"{self.root}/files/{form['id']}.pdf"
        self.scan_forms[form["id"]] = form
        return 201, form

    def add_tracker(self, tracking_code: str, **changes: Any) -> dict[str, Any]:
        """The documented Tracker for `tracking_code` (changes: fields to replace)."""
        tracker = payload("tracker")
        tracker.update(tracking_code=tracking_code, id="trk_" + uuid.uuid4().hex, **changes)
        self.trackers[tracking_code] = tracker
        return tracker

    def file(self, name: str) -> bytes | None:
        stem, _, ext = name.partition(".")
        if self.broken_files:
            return b"<html><body>503 Service Unavailable</body></html>"
        if stem.startswith("sf_") and stem in self.scan_forms:
            return FORM_PDF
        shipment = self.shipments.get(stem)
        if shipment is None or shipment["tracking_code"] is None:
            return None
        if ext == "zpl":
            return f"^XA^FO50,50^BCN,120^FD{shipment['tracking_code']}^FS^XZ".encode()
        return LABEL_PDF

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _json(self, status: int, data: Any) -> None:
                self._send(status, json.dumps(data).encode())

            def _body(self) -> Any:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                return json.loads(raw) if raw else {}

            def do_GET(self) -> None:
                self._route("GET")

            def do_POST(self) -> None:
                self._route("POST")

            def _route(self, method: str) -> None:
                url = urlsplit(self.path)
                parts = url.path.strip("/").split("/")
                server.requests.append((method, url.path))
                if parts[0] == "files":
                    server.file_auth_headers.append(self.headers.get("Authorization"))
                    data = server.file(parts[1])
                    if data is None:
                        self._json(404, _not_found())
                    else:
                        self._send(200, data, "application/octet-stream")
                    return
                if not server._authorised(self.headers.get("Authorization")):
                    self._json(401, payload("error_unauthorized"))
                    return
                body = self._body() if method == "POST" else {}
                match method, parts:
                    case "POST", ["v2", "shipments"]:
                        if server.stall_creates:
                            server.stall_creates -= 1
                            server.release.wait(10)
                        self._json(*server.create_shipment(body))
                    case "GET", ["v2", "shipments", sid]:
                        shipment = server.shipments.get(sid)
                        self._json(*((200, shipment) if shipment else (404, _not_found())))
                    case "POST", ["v2", "shipments", sid, "buy"]:
                        if server.drop_buys:
                            server.drop_buys -= 1
                            self.close_connection = True
                            self.connection.shutdown(2)
                            return
                        answer = server.buy(sid, body)
                        if server.stall_buys and answer[0] == 200:
                            server.stall_buys -= 1
                            server.release.wait(10)
                        self._json(*answer)
                    case "GET", ["v2", "shipments", sid, "label"]:
                        fmt = parse_qs(url.query).get("file_format", ["PDF"])[0]
                        self._json(*server.convert_label(sid, fmt))
                    case "POST", ["v2", "shipments", sid, "refund"]:
                        answer = server.refund(sid)
                        if server.stall_refunds:
                            server.stall_refunds -= 1
                            server.release.wait(server.stall_s)
                        self._json(*answer)
                    case "GET", ["v2", "trackers"]:
                        code = parse_qs(url.query).get("tracking_code", [""])[0]
                        found = [t for c, t in server.trackers.items() if c == code]
                        self._json(200, {"trackers": found, "has_more": False})
                    case "GET", ["v2", "trackers", tid]:
                        hit = [t for t in server.trackers.values() if t["id"] == tid]
                        self._json(*((200, hit[0]) if hit else (404, _not_found())))
                    case "POST", ["v2", "scan_forms"]:
                        self._json(*server.scan_form(body))
                    case _:
                        self._json(404, _not_found())

        return Handler


def _not_found() -> dict[str, Any]:
    return {"error": {"code": "NOT_FOUND", "message": "The requested resource could not be found.",
                      "errors": []}}  # fmt: skip
