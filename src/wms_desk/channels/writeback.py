"""Telling a channel an order shipped: the typed request, results, errors and a small HTTP core."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    # httpx (with the click and rich its CLI pulls in) costs ~0.1 s to import: the station loads
    # it when it first calls a shop, not at start-up, where the outbox only registers deliveries.
    import httpx

# A Retry-After longer than this is not waited out inside one delivery: the outbox retries later.
MAX_WAIT_S = 5.0


@dataclass(frozen=True)
class LineQty:
    """Units of one channel order line (its id on the channel) that went in this shipment."""

    external_line_id: str
    qty: int


@dataclass(frozen=True)
class FulfilmentRequest:
    """One shipment of one order, as the channel should learn it."""

    order_external_id: str
    order_number: str
    shipment_id: int
    carrier: str  # the tracking company as the shop shows it
    service: str
    tracking_numbers: tuple[str, ...]
    shipped_at: datetime
    tracking_url: str = ""
    lines: tuple[LineQty, ...] = ()  # empty: everything still open on the order

    @property
    def tracking(self) -> str:
        """The number a shop shows first (the master number of a multi-piece shipment)."""
        return self.tracking_numbers[0] if self.tracking_numbers else ""


@dataclass(frozen=True)
class WritebackResult:
    reference: str  # the channel's id of what now carries the tracking (fulfilment id, order id)
    created: bool  # False: it was already there (an earlier try that lost its answer)


class WritebackError(Exception):
    """`str()` is what the supervisor reads."""


class WritebackRejected(WritebackError):
    """The channel answered and said no (bad token, unknown order, invalid data): a person must
    fix something; trying again unchanged cannot help."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class WritebackUnavailable(WritebackError):
    """No answer, a timeout, a 5xx or 429: the request may or may not have been done."""

    def __init__(
        self, message: str, timed_out: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.timed_out = timed_out
        self.retry_after = retry_after  # set on a 429: the request was not done


class WritebackTarget(Protocol):
    def fulfil(self, request: FulfilmentRequest) -> WritebackResult: ...


_SHARED: httpx.Client | None = None
_SHARED_LOCK = threading.Lock()


def shared_client() -> httpx.Client:
    """One client for every shop in this process: building one costs about 100 ms (its SSL
    context), more than a whole write-back, and it keeps connections to a shop alive. httpx
    clients are thread-safe; timeouts and credentials are given per request."""
    global _SHARED
    import httpx

    with _SHARED_LOCK:
        if _SHARED is None or _SHARED.is_closed:
            _SHARED = httpx.Client()
        return _SHARED


def retry_after_s(response: httpx.Response) -> float:
    """Retry-After as seconds (Shopify sends e.g. "2.0"); an HTTP date or garbage counts as 1 s."""
    try:
        return max(0.0, float(response.headers.get("Retry-After", "1")))
    except ValueError:
        return 1.0


class JsonHttp:
    """One httpx client for one shop: JSON in and out, errors turned into the two kinds above.

    `error_text` reads the shop's own error body; `name` is the shop as the user knows it.
    """

    def __init__(
        self,
        name: str,
        base_url: str,
        error_text: Callable[[object], str],
        timeout_s: float,
        retries: int = 2,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.error_text = error_text
        self.retries = retries
        self.timeout_s = timeout_s
        import httpx

        self._owned = transport is not None
        self.client = httpx.Client(transport=transport) if transport else shared_client()

    def close(self) -> None:
        if self._owned:
            self.client.close()

    def once(
        self,
        method: str,
        path: str,
        body: object = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> object:
        import httpx

        url = self.base_url + path
        try:
            response = self.client.request(
                method,
                url,
                json=body,
                headers={"Accept": "application/json", "User-Agent": "wms-desk", **(headers or {})},
                auth=auth,
                timeout=self.timeout_s,
            )
        except httpx.TimeoutException as exc:
            raise WritebackUnavailable(
                f"{self.name} did not answer {method} {path} in time.", timed_out=True
            ) from exc
        except httpx.TransportError as exc:  # refused or dropped connections
            raise WritebackUnavailable(
                f"{self.name} could not be reached at {self.base_url} ({type(exc).__name__})."
            ) from exc
        try:
            data: object = response.json()
        except ValueError:
            data = None
        status = response.status_code
        if status == 429:
            raise WritebackUnavailable(
                f"{self.name} asked us to slow down (429).", retry_after=retry_after_s(response)
            )
        if status >= 500:
            raise WritebackUnavailable(
                f"{self.name} had a server error ({status}) on {method} {path}."
            )
        if status >= 400:
            said = self.error_text(data) or response.reason_phrase
            raise WritebackRejected(
                f"{self.name} refused {method} {path} ({status}): {said}", status
            )
        if data is None:
            raise WritebackUnavailable(f"{self.name} answered {method} {path} with no JSON.")
        return data

    def call(
        self,
        method: str,
        path: str,
        body: object = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
    ) -> object:
        """A request that is safe to repeat (a read, or a write that 429 says was not done):
        retried after 429 (waiting out Retry-After up to MAX_WAIT_S) and, for reads, after
        no answer or a 5xx."""
        for attempt in range(self.retries + 1):
            try:
                return self.once(method, path, body, headers, auth)
            except WritebackUnavailable as exc:
                wait = exc.retry_after
                if attempt >= self.retries:
                    raise
                if wait is None:
                    if method != "GET":
                        raise  # a write without an answer: the caller looks before retrying
                    wait = 0.2 * (2**attempt)
                if wait > MAX_WAIT_S:
                    raise
                time.sleep(wait)
        raise AssertionError("unreachable")
