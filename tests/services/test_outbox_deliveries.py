"""The outbox's deliveries are registered without loading them; each loads with its first use."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest

from wms_desk.services import outbox
from wms_desk.services.channel_writeback import ChannelFulfilmentDelivery
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.emails.smtp import SmtpDelivery
from wms_desk.services.outbox_deliveries import register_all
from wms_desk.services.stations import ensure_station


@pytest.fixture
def ctx(db_url: str) -> Iterator[ServiceContext]:
    database = Database(db_url)
    station = ensure_station(database, "outbox-station")
    yield ServiceContext(database, system_actor(station.id, station.name))
    database.dispose()


def test_every_kind_gets_its_own_delivery(ctx: ServiceContext) -> None:
    register_all()
    deliveries = outbox.registered_deliveries()
    assert set(deliveries) == set(outbox.OutboxKind)
    assert isinstance(deliveries[outbox.OutboxKind.EMAIL](ctx), SmtpDelivery)
    made = deliveries[outbox.OutboxKind.CHANNEL_FULFILMENT](ctx)
    assert isinstance(made, ChannelFulfilmentDelivery)
    assert made.ctx is ctx


def test_registering_loads_neither_smtp_nor_the_shops_http_client() -> None:
    """What the station does at start-up: httpx and the deliveries wait for their first use."""
    probe = (
        "import sys\n"
        "from wms_desk.services.outbox_deliveries import register_all\n"
        "register_all()\n"
        "heavy = ('httpx', 'smtplib', 'wms_desk.services.channel_writeback',"
        " 'wms_desk.services.emails.smtp')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"
