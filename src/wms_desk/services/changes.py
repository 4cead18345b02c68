"""What a committed unit of work changed, announced after commit to whoever listens.

Anki's split: operations write and announce what changed; screens and workers listen and
re-query. A unit of work collects topics as it writes (`uow.changed(Topic.ORDERS, order.id)`)
and `run_unit_of_work` publishes one ChangeSet after the commit succeeded, never before, and
never for a rolled-back transaction. No Qt here: the bus calls subscribers on the committing
thread; the UI re-emits on the GUI thread (ui/change_signals.py). On PostgreSQL the same topics
reach other stations through NOTIFY (sent inside the transaction, so only a commit delivers it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

log = logging.getLogger(__name__)

# One channel for every topic; the payload names the topics (and the sender's station).
NOTIFY_CHANNEL = "wms_changes"


class Topic(StrEnum):
    ORDERS = "orders"
    PRINT_JOBS = "print_jobs"
    STOCK = "stock"
    USERS = "users"
    STATIONS = "stations"
    CATALOGUE = "catalogue"
    LEASES = "leases"
    PACKAGES = "packages"
    SHIPMENTS = "shipments"
    RETURNS = "returns"
    OUTBOX = "outbox"
    ALERTS = "alerts"
    # Every audited action; only what counts audit rows listens (the dashboard: a refused scan
    # writes nothing else).
    AUDIT = "audit"


# Which topic a write to a table announces: the unit of work sees every ORM flush and every
# ORM-enabled INSERT/UPDATE/DELETE, so a service cannot forget to announce what it wrote.
# A new table that screens or workers care about gets its line here.
TOPIC_OF_TABLE: dict[str, Topic] = {
    "orders": Topic.ORDERS,
    "order_lines": Topic.ORDERS,
    "order_tags": Topic.ORDERS,
    "pick_batches": Topic.ORDERS,
    "packages": Topic.PACKAGES,
    "print_jobs": Topic.PRINT_JOBS,
    "bin_stock": Topic.STOCK,
    "stock_moves": Topic.STOCK,
    "reservations": Topic.STOCK,
    "users": Topic.USERS,
    "stations": Topic.STATIONS,
    "products": Topic.CATALOGUE,
    "product_barcodes": Topic.CATALOGUE,
    "bins": Topic.CATALOGUE,
    "cartons": Topic.CATALOGUE,
    "package_items": Topic.PACKAGES,
    "pack_captures": Topic.PACKAGES,
    "pack_progress": Topic.PACKAGES,
    "line_shortages": Topic.ORDERS,
    "pick_progress": Topic.ORDERS,
    "station_rules": Topic.STATIONS,
    "shipments": Topic.SHIPMENTS,
    "shipment_labels": Topic.SHIPMENTS,
    "shipping_manifests": Topic.SHIPMENTS,
    "carrier_accounts": Topic.SHIPMENTS,
    "purchase_intents": Topic.SHIPMENTS,
    "shipping_rules": Topic.SHIPMENTS,
    "rmas": Topic.RETURNS,
    "rma_lines": Topic.RETURNS,
    "rma_units": Topic.RETURNS,
    "refunds": Topic.RETURNS,
    "order_notes": Topic.ORDERS,
    "shipment_events": Topic.SHIPMENTS,
    "alerts": Topic.ALERTS,
    "outbox_messages": Topic.OUTBOX,
    "audit_events": Topic.AUDIT,
}


@dataclass(frozen=True)
class ChangeSet:
    """Topics a commit touched, with the ids it names where it knows them.

    `remote` is True for changes heard from another process (ids are not carried across);
    `origin` names the process (Database.origin) that committed them.
    """

    topics: frozenset[Topic]
    ids: frozenset[tuple[Topic, int]] = frozenset()
    remote: bool = False
    station_id: int | None = None
    origin: str = ""

    def __contains__(self, topic: object) -> bool:
        return topic in self.topics

    def ids_of(self, topic: Topic) -> frozenset[int]:
        return frozenset(i for t, i in self.ids if t is topic)

    def payload(self) -> str:
        """What NOTIFY carries: 'origin:station:topic,topic' (8000 bytes is far away)."""
        station = "" if self.station_id is None else str(self.station_id)
        return f"{self.origin}:{station}:{','.join(sorted(self.topics))}"

    @classmethod
    def from_payload(cls, text: str) -> ChangeSet:
        origin, _, rest = text.partition(":")
        station, _, names = rest.partition(":")
        known = {topic.value for topic in Topic}
        topics = frozenset(Topic(name) for name in names.split(",") if name in known)
        station_id = int(station) if station.isdigit() else None
        return cls(topics, remote=True, station_id=station_id, origin=origin)


@dataclass
class ChangeCollector:
    """What one unit of work has changed so far (it lives and dies with the transaction)."""

    topics: set[Topic] = field(default_factory=set)
    ids: set[tuple[Topic, int]] = field(default_factory=set)

    def add(self, topic: Topic, ids: Iterable[int | None] = ()) -> None:
        self.topics.add(topic)
        self.ids.update((topic, i) for i in ids if i is not None)

    def __bool__(self) -> bool:
        return bool(self.topics)

    def freeze(self, station_id: int | None, origin: str = "") -> ChangeSet:
        return ChangeSet(frozenset(self.topics), frozenset(self.ids), False, station_id, origin)


Subscriber = Callable[[ChangeSet], None]


class ChangeBus:
    """Publish/subscribe within this process. Subscribers run on the publishing thread."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Add a subscriber; returns the call that removes it."""
        with self._lock:
            self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            with self._lock:
                if subscriber in self._subscribers:
                    self._subscribers.remove(subscriber)

        return unsubscribe

    def publish(self, changes: ChangeSet) -> None:
        if not changes.topics:
            return
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            try:
                subscriber(changes)
            except Exception:  # one broken listener must not stop the others, nor the caller
                log.exception("change subscriber failed")
