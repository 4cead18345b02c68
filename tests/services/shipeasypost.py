"""An EasyPost account on the local EasyPost test server, for service, CLI and UI tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.carriers.easypost_server import EasyPostServer
from wms_desk.services.context import ServiceContext
from wms_desk.services.shipping.accounts import add_easypost, close_online_adapters

KEY_ENV = "WMS_DESK_TEST_EASYPOST_KEY"
KEY = "EZTK_test_key"


def serve(monkeypatch: pytest.MonkeyPatch) -> Iterator[EasyPostServer]:
    """Body of an `easypost` fixture: the server, its key in the environment, closed after."""
    monkeypatch.setenv(KEY_ENV, KEY)
    server = EasyPostServer(KEY)
    yield server
    close_online_adapters()
    server.close()


def add_account(ctx: ServiceContext, server: EasyPostServer, timeout_s: float = 1.0) -> None:
    add_easypost(ctx, "easypost", server.base_url, KEY_ENV, "", timeout_s, 2)
