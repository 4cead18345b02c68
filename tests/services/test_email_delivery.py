"""Customer e-mails end to end against a real SMTP server on 127.0.0.1, on both backends."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.printing.servers import closed_port
from tests.services.shipdata import import_nordpost, packed_order
from tests.services.smtp_server import smtp_server, use_server
from wms_desk.db.models import AppSetting, AuditEvent, Order
from wms_desk.domain.emails import EmailKind, OutgoingEmail
from wms_desk.domain.errors import PermissionDenied
from wms_desk.domain.roles import Role
from wms_desk.services import outbox, users
from wms_desk.services.context import Actor, ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.emails import settings as email_settings
from wms_desk.services.emails import smtp, triggers
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.outbox import OutboxKind, OutboxStatus
from wms_desk.services.shipping import labels
from wms_desk.services.stations import ensure_station
from wms_desk.services.uow import run_unit_of_work


@pytest.fixture
def ctx(any_db_url: str) -> Iterator[ServiceContext]:
    database = Database(any_db_url)
    station = ensure_station(database, "mail-station")
    yield ServiceContext(database, system_actor(station.id, station.name))
    database.dispose()


def _as(ctx: ServiceContext, role: str) -> ServiceContext:
    info = users.add_user(ctx, f"{role}-{os.urandom(3).hex()}", role, "secret-pw")
    actor = Actor(info.id, info.username, info.display_name, Role(role), ctx.actor.station_id, "")
    return ctx.as_actor(actor)


def _worker(ctx: ServiceContext, **kw: Any) -> outbox.OutboxWorker:
    return outbox.OutboxWorker(
        ctx.database, deliveries={OutboxKind.EMAIL: smtp.SmtpDelivery.from_context}, **kw
    )


def _shipped(ctx: ServiceContext, tmp_path: Path, number: str = "S-1", email: str = "") -> int:
    import_nordpost(ctx)
    order_id = packed_order(ctx.database, number, (900, 1400))
    with ctx.database.write_session() as session, session.begin():
        session.execute(update(Order).where(Order.id == order_id).values(ship_email=email))
    labels.ship_order(ctx, order_id, printer_url=(tmp_path / "labels").as_uri())
    return order_id


def _queue(ctx: ServiceContext, to: str = "eva@example.com", key: str = "k1") -> str:
    email = OutgoingEmail(to, "Hello", "Body", EmailKind.SHIPMENT, "1001")
    run_unit_of_work(ctx, lambda uow: outbox.enqueue(uow, OutboxKind.EMAIL, key, email.to_json()))
    return next(m.id for m in outbox.list_messages(ctx) if m.key == key)


def test_shipment_email_names_carrier_service_tracking_and_link(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    with smtp_server() as server:
        use_server(ctx, server, reply_to="help@example.com")
        import_nordpost(ctx)
        order_id = packed_order(ctx.database, "S-1", (900, 1400))
        with ctx.database.write_session() as session, session.begin():
            session.execute(
                update(Order).where(Order.id == order_id).values(ship_email="eva@example.com")
            )
        result = labels.ship_order(ctx, order_id, printer_url=(tmp_path / "labels").as_uri())
        assert "Shipment e-mail queued for eva@example.com." in result.message
        numbers = [label.tracking for label in result.labels]
        (queued,) = outbox.list_messages(ctx)
        assert queued.key.startswith("shipment-email:") and queued.order_id == order_id

        (sent,) = _worker(ctx).drain()
        assert sent.status is OutboxStatus.SENT
    (got,) = server.received
    assert (got.sender, got.recipients) == ("shop@example.com", ["eva@example.com"])
    message = got.message
    assert message["Subject"] == "Your order S-1 has shipped"
    assert message["Reply-To"] == "help@example.com"
    assert message["From"] == "Nordic Shop <shop@example.com>"
    assert message["Message-ID"] == sent.reference == smtp.message_id(sent.id, "shop@example.com")
    body = message.get_content()
    assert "Hello Eva Lind," in body
    assert "with Nordpost (Standard)" in body
    assert f"Tracking number: {numbers[0]}" in body
    assert f"Track it here: https://tracking.nordpost.example/?id={numbers[0]}" in body
    assert (
        f"Package 2 of 2: {numbers[1]} (https://tracking.nordpost.example/?id={numbers[1]})" in body
    )
    assert "Thank you for shopping with Nordic Shop." in body


def test_no_shipment_email_without_an_address_or_smtp_or_when_switched_off(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    _shipped(ctx, tmp_path, "N-1", email="eva@example.com")  # SMTP not set up: off by default
    with smtp_server() as server:
        use_server(ctx, server)
        _shipped(ctx, tmp_path, "N-2", email="")  # no address
        email_settings.save_settings(ctx, send_shipment_emails=False)
        _shipped(ctx, tmp_path, "N-3", email="eva@example.com")
        assert outbox.list_messages(ctx) == []
        email_settings.save_settings(ctx, send_shipment_emails=True)
        _shipped(ctx, tmp_path, "N-4", email="eva@example.com")
        assert [m.order_id is not None for m in outbox.list_messages(ctx)] == [True]


def test_a_rejected_recipient_is_dead_with_the_servers_words(ctx: ServiceContext) -> None:
    with smtp_server() as server:
        use_server(ctx, server)
        server.rcpt_reply = "550 5.1.1 <nobody@example.com>: no such user"
        _queue(ctx, "nobody@example.com")
        (dead,) = _worker(ctx).drain()
    assert dead.status is OutboxStatus.DEAD
    assert dead.last_error == (
        "The SMTP server 127.0.0.1 refused the recipient nobody@example.com: "
        "550 5.1.1 <nobody@example.com>: no such user."
    )
    assert server.received == []


def test_a_4xx_answer_is_retried_later_and_then_sent_once(ctx: ServiceContext) -> None:
    with smtp_server() as server:
        use_server(ctx, server)
        server.data_reply = "451 4.3.0 Mailbox busy, try later"
        message_id = _queue(ctx)
        worker = _worker(ctx, backoff_base=0)
        (failed,) = worker.drain()
        assert (failed.status, failed.attempts) == (OutboxStatus.FAILED, 1)
        assert (
            "451 4.3.0 Mailbox busy" in failed.last_error
            and "tried again later" in failed.last_error
        )
        server.data_reply = None
        (sent,) = worker.drain()
        assert (sent.id, sent.status, sent.attempts) == (message_id, OutboxStatus.SENT, 2)
    assert server.message_ids() == [smtp.message_id(message_id, "shop@example.com")]


def test_a_refused_connection_is_temporary(ctx: ServiceContext) -> None:
    port = closed_port()
    email_settings.save_settings(
        ctx, host="127.0.0.1", port=port, security="none", from_address="shop@example.com"
    )
    _queue(ctx)
    (failed,) = _worker(ctx).drain()
    assert failed.status is OutboxStatus.FAILED
    assert failed.last_error.startswith(f"Cannot reach the SMTP server 127.0.0.1:{port}")


def test_password_comes_from_the_environment_or_a_private_file_never_the_database(
    ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_file = tmp_path / "smtp.password"
    secret_file.write_text("from-the-file\n")
    secret_file.chmod(0o644)
    monkeypatch.delenv(email_settings.PASSWORD_ENV, raising=False)
    with smtp_server(password="from-the-file") as server:
        use_server(ctx, server, username="shop", password_file=str(secret_file))
        with pytest.raises(ValidationFailed, match=r"can be read by other users\. Run 'chmod 600"):
            smtp.send_test_email(ctx, "eva@example.com")
        secret_file.chmod(0o600)
        assert email_settings.get_settings(ctx).password_state() == (
            f"Password: from the file {secret_file} (never stored in the database)."
        )
        answer = smtp.send_test_email(ctx, "eva@example.com")
        assert answer == (
            "Test e-mail sent to eva@example.com through 127.0.0.1; the server answered: "
            "250 2.0.0 Ok: queued as TEST."
        )
        monkeypatch.setenv(email_settings.PASSWORD_ENV, "wrong")
        assert (
            email_settings.get_settings(ctx)
            .password_state()
            .startswith("Password: from the environment variable WMS_DESK_SMTP_PASSWORD")
        )
        with pytest.raises(ValidationFailed, match="refused the user name or password"):
            smtp.send_test_email(ctx, "eva@example.com")
    # smtplib tries each mechanism the server offers (PLAIN, then LOGIN) before giving up.
    assert server.logins[0] == ("shop", "from-the-file")
    assert set(server.logins[1:]) == {("shop", "wrong")}
    assert len(server.received) == 1
    with ctx.database.read_session() as session:
        stored = [str(row.value) for row in session.scalars(select(AppSetting))]
    assert not any("from-the-file" in value for value in stored)
    with pytest.raises(ValidationFailed, match="never stored in the database"):
        email_settings.save_settings(ctx, password="x")


def test_settings_refuse_what_cannot_work(ctx: ServiceContext) -> None:
    for changes, message in (
        ({"host": "smtp example"}, "is not a host name"),
        ({"host": "smtp.example.com", "port": 0}, "port 0 is not 1-65535"),
        ({"host": "smtp.example.com", "from_address": "shop"}, "from address 'shop'"),
        ({"host": "smtp.example.com"}, "Enter the from address"),
        ({"security": "tls"}, "Security must be none, starttls or ssl"),
        ({"colour": "red"}, "no e-mail setting named colour"),
    ):
        with pytest.raises(ValidationFailed, match=message):
            email_settings.save_settings(ctx, **changes)
    saved = email_settings.save_settings(
        ctx, host="smtp.example.com", from_address="shop@example.com", security="ssl"
    )
    assert (saved.port, saved.configured, saved.shipment_emails_on) == (465, True, True)
    with pytest.raises(PermissionDenied):
        email_settings.save_settings(_as(ctx, "packer"), host="x.example.com")


def test_resend_is_a_new_audited_message_for_service_and_supervisors(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    with smtp_server() as server:
        use_server(ctx, server)
        order_id = _shipped(ctx, tmp_path, "R-1", email="eva@example.com")
        with pytest.raises(PermissionDenied):
            triggers.resend_shipment_email(_as(ctx, "packer"), order_id)
        service = _as(ctx, "service")
        said = triggers.resend_shipment_email(service, order_id)
        assert said == "The shipment e-mail for order R-1 is queued again, to eva@example.com."
        triggers.resend_shipment_email(_as(ctx, "supervisor"), order_id)
        assert len({m.key for m in outbox.list_messages(ctx)}) == 3
        assert len(_worker(ctx).drain()) == 3
    assert len(server.received) == 3 and len(set(server.message_ids())) == 3
    with ctx.database.read_session() as session:
        audits = list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == "email.resent"))
        )
    assert [a.user_id for a in audits][:1] == [service.actor.user_id] and len(audits) == 2


def test_resend_says_why_it_cannot(ctx: ServiceContext, tmp_path: Path) -> None:
    order_id = _shipped(ctx, tmp_path, "R-2", email="")
    with pytest.raises(ValidationFailed, match="Order R-2 has no customer e-mail address"):
        triggers.resend_shipment_email(ctx, order_id)
    with ctx.database.write_session() as session, session.begin():
        session.execute(update(Order).where(Order.id == order_id).values(ship_email="e@x.com"))
    with pytest.raises(ValidationFailed, match="E-mail is not set up"):
        triggers.resend_shipment_email(ctx, order_id)
    unshipped = packed_order(ctx.database, "R-3", (900,))
    with pytest.raises(ValidationFailed, match="Order R-3 has no bought labels"):
        triggers.resend_shipment_email(ctx, unshipped)


def test_other_features_queue_their_own_email_with_an_attachment(ctx: ServiceContext) -> None:
    """How the RMA slip (issue 12) or the end-of-day summary (issue 13) goes out."""
    from wms_desk.domain.emails import Attachment

    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
    slip = Attachment("RMA-1001.pdf", "application/pdf", pdf)
    with smtp_server() as server:
        use_server(ctx, server)
        queued = run_unit_of_work(
            ctx,
            lambda uow: triggers.queue_email(
                uow, "rma-slip:1", "eva@example.com", "Your return RMA-1001", "The slip.", None,
                [slip],
            ),
        )  # fmt: skip
        again = run_unit_of_work(
            ctx,
            lambda uow: triggers.queue_email(uow, "rma-slip:1", "eva@example.com", "x", "y"),
        )
        assert (queued, again) == (True, False)
        with pytest.raises(ValidationFailed, match="'eva' is not an e-mail address"):
            run_unit_of_work(ctx, lambda uow: triggers.queue_email(uow, "k", "eva", "s", "b"))
        (sent,) = _worker(ctx).drain()
        assert sent.status is OutboxStatus.SENT
    (got,) = server.received
    assert got.message["Subject"] == "Your return RMA-1001"
    (part,) = list(got.message.iter_attachments())
    assert (part.get_filename(), part.get_content_type()) == ("RMA-1001.pdf", "application/pdf")
    assert part.get_content() == pdf


def test_labels_made_elsewhere_link_through_the_carrier_accounts_pattern(
    ctx: ServiceContext,
) -> None:
    from wms_desk.services.emails.tracking_links import set_tracking_link
    from wms_desk.services.shipping.manual import record_manual_labels

    with pytest.raises(ValidationFailed, match="with \\{tracking\\} where the number goes"):
        set_tracking_link(ctx, "DHL", "https://dhl.example/track")
    said = set_tracking_link(ctx, "DHL", "https://dhl.example/track?id={tracking}")
    assert said == "Shipment e-mails link DHL labels as https://dhl.example/track?id=TRACKING123."
    with pytest.raises(PermissionDenied):
        set_tracking_link(_as(ctx, "packer"), "DHL", "")
    with smtp_server() as server:
        use_server(ctx, server)
        order_id = packed_order(ctx.database, "M-1", (900,))
        with ctx.database.write_session() as session, session.begin():
            session.execute(
                update(Order).where(Order.id == order_id).values(ship_email="eva@example.com")
            )
        record_manual_labels(ctx, order_id, "DHL", ["JD014600006281230000"], "Parcel")
        (sent,) = _worker(ctx).drain()
        assert sent.status is OutboxStatus.SENT
    body = server.received[0].message.get_content()
    assert "with DHL (Parcel)" in body
    assert "Track it here: https://dhl.example/track?id=JD014600006281230000" in body
