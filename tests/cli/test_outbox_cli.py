"""`wms-desk outbox ...` and `wms-desk email ...` against a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.printing.servers import closed_port
from tests.services.smtp_server import smtp_server
from wms_desk.domain.emails import EmailKind, OutgoingEmail
from wms_desk.services import outbox
from wms_desk.services.context import ServiceContext
from wms_desk.services.outbox import OutboxKind
from wms_desk.services.uow import run_unit_of_work

Run = Callable[..., tuple[int, str, str]]


def _queue(ctx: ServiceContext, key: str, to: str) -> None:
    email = OutgoingEmail(to, f"About {key}", "Hello", EmailKind.SHIPMENT, key)
    run_unit_of_work(ctx, lambda uow: outbox.enqueue(uow, OutboxKind.EMAIL, key, email.to_json()))


def test_settings_test_send_list_and_retry(wms: Run, system_ctx: ServiceContext) -> None:
    with smtp_server() as server:
        code, out, err = wms(
            "email", "settings", "--host", "127.0.0.1", "--port", str(server.port),
            "--security", "none", "--from", "shop@example.com", "--shop-name", "Nordic Shop",
            "--json",
        )  # fmt: skip
        assert code == 0, err
        shown = json.loads(out)
        assert (shown["host"], shown["port"], shown["security"]) == (
            "127.0.0.1",
            server.port,
            "none",
        )
        assert (shown["configured"], shown["shipment_emails_on"]) == (True, True)
        assert shown["password"] == "No sign-in: no user name is set." and "secret" not in out

        code, out, err = wms("email", "test", "it@example.com")
        assert code == 0, err
        assert out.strip() == (
            "Test e-mail sent to it@example.com through 127.0.0.1; the server answered: "
            "250 2.0.0 Ok: queued as TEST."
        )
        assert server.received[0].recipients == ["it@example.com"]

        _queue(system_ctx, "shipment-email:1", "eva@example.com")
        _queue(system_ctx, "shipment-email:2", "nobody@example.com")
        # The server refuses one recipient: the pass sends the other and says why, exit 1.
        server.refuse["nobody@example.com"] = "550 5.1.1 no such user"
        code, out, err = wms("outbox", "send")
        assert code == 1, err
        lines = sorted(out.splitlines())
        assert lines[0].startswith("dead email shipment-email:2: The SMTP server 127.0.0.1 refused")
        assert "550 5.1.1 no such user" in lines[0]
        assert lines[1].startswith("sent email shipment-email:1: <")

        code, out, _ = wms("outbox", "list", "--status", "dead", "--json")
        (dead,) = [json.loads(line) for line in out.splitlines()]
        assert set(dead) == {
            "id", "kind", "key", "status", "attempts", "last_error", "reference", "order_id",
            "created_at", "next_attempt_at", "sent_at",
        }  # fmt: skip
        assert (dead["key"], dead["status"], dead["attempts"]) == ("shipment-email:2", "dead", 1)

        server.refuse.clear()
        code, out, err = wms("outbox", "retry", dead["id"])
        assert code == 0, err
        assert "shipment-email:2 is queued again" in out
        code, out, err = wms("outbox", "send")
        assert code == 0, err
        assert out.startswith("sent email shipment-email:2: <")
        code, out, _ = wms("outbox", "send")
        assert (code, out.strip()) == (0, "Nothing is due to be sent.")
    assert sorted(r.recipients[0] for r in server.received) == [
        "eva@example.com", "it@example.com", "nobody@example.com",
    ]  # fmt: skip


def test_bad_settings_and_an_unreachable_server_say_what_to_do(wms: Run) -> None:
    code, _, err = wms("email", "settings", "--host", "smtp.example.com", "--from", "shop")
    assert code == 1 and "The from address 'shop' is not an e-mail address" in err
    port = closed_port()
    code, _, err = wms(
        "email", "settings", "--host", "127.0.0.1", "--port", str(port), "--security", "none",
        "--from", "shop@example.com",
    )  # fmt: skip
    assert code == 0, err
    code, _, err = wms("email", "test", "it@example.com")
    assert code == 1
    assert "The test e-mail to it@example.com was not sent. Cannot reach the SMTP server " in err
    assert f"127.0.0.1:{port}" in err
    code, _, err = wms("outbox", "retry", "no-such-id")
    assert code == 1 and "Outbox message no-such-id does not exist." in err
