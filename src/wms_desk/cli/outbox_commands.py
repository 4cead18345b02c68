"""`wms-desk outbox list | send | retry | cancel` and `wms-desk email settings | test | resend`."""

from __future__ import annotations

import argparse
import json
from typing import Any

from wms_desk.cli.env import CliEnv
from wms_desk.cli.order_commands import add_order_argument

STATUSES = ("queued", "sending", "sent", "failed", "dead", "cancelled")
KINDS = ("email", "channel_fulfilment")


def register(subparsers: Any) -> None:
    box = subparsers.add_parser("outbox", help="e-mails and channel updates waiting to go out")
    commands = box.add_subparsers(dest="outbox_command", metavar="COMMAND", required=True)
    listing = commands.add_parser("list", help="messages, newest first")
    listing.add_argument("--status", choices=STATUSES, help="only messages in this state")
    listing.add_argument("--kind", choices=KINDS, help="only messages of this kind")
    listing.add_argument("--limit", type=int, default=200, metavar="N", help="at most N (200)")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(run=run_list)
    send = commands.add_parser("send", help="send what is due now, once (exit 1 if any failed)")
    send.set_defaults(run=run_send)
    for name, helptext, run in (
        ("retry", "send a failed or dead message again", run_retry),
        ("cancel", "never send a queued, failed or dead message", run_cancel),
    ):
        command = commands.add_parser(name, help=helptext)
        command.add_argument("id", metavar="ID", help="the message id (`outbox list`)")
        command.set_defaults(run=run)

    email = subparsers.add_parser("email", help="customer e-mails: SMTP settings and a test")
    mail = email.add_subparsers(dest="email_command", metavar="COMMAND", required=True)
    settings = mail.add_parser("settings", help="show or change the site's SMTP settings")
    settings.add_argument("--host", metavar="HOST", help="SMTP server ('' to switch e-mail off)")
    settings.add_argument("--port", type=int, metavar="N", help="port (587 starttls, 465 ssl)")
    settings.add_argument("--security", choices=("none", "starttls", "ssl"), help="(starttls)")
    settings.add_argument("--username", metavar="USER", help="sign-in user ('' for none)")
    settings.add_argument("--from", dest="from_address", metavar="ADDRESS", help="sender")
    settings.add_argument("--reply-to", metavar="ADDRESS", help="where replies go ('' for none)")
    settings.add_argument("--timeout", type=float, metavar="S", help="seconds per step (30)")
    settings.add_argument(
        "--password-file", metavar="FILE", help="a chmod 600 file with the password"
    )
    settings.add_argument("--shop-name", metavar="NAME", help="the name customers see")
    settings.add_argument(
        "--shipment-emails",
        choices=("on", "off", "auto"),
        help="send shipment e-mails (auto: when SMTP is set up)",
    )
    settings.add_argument("--json", action="store_true", help="print the settings as JSON")
    settings.set_defaults(run=run_settings)
    test = mail.add_parser("test", help="send one test e-mail now and show the server's answer")
    test.add_argument("to", metavar="TO", help="the address to send it to")
    test.set_defaults(run=run_test)
    link = mail.add_parser(
        "tracking-link", help="the link shipment e-mails give for a carrier without its own"
    )
    link.add_argument("carrier", metavar="CARRIER", help="carrier account code or name")
    link.add_argument(
        "pattern", metavar="URL", help="e.g. https://carrier.example/t?id={tracking} ('' removes)"
    )
    link.set_defaults(run=run_tracking_link)
    resend = mail.add_parser("resend", help="queue an order's shipment e-mail again")
    add_order_argument(resend)
    resend.set_defaults(run=run_resend)


def _line(info: Any) -> str:
    error = f"  {info.last_error}" if info.last_error else ""
    order = f" order {info.order_id}" if info.order_id else ""
    return (
        f"{info.id}  {info.status.value:<9} {info.kind.value:<18} {info.key}{order} "
        f"(attempts {info.attempts}){error}"
    )


def run_list(env: CliEnv) -> int:
    from wms_desk.services import outbox

    args = env.args
    messages = outbox.list_messages(env.context(), args.status, args.kind, limit=args.limit)
    for info in messages:
        env.out(json.dumps(info.as_json()) if args.json else _line(info))
    if not messages and not args.json:
        env.out("No messages.")
    return 0


def run_send(env: CliEnv) -> int:
    from wms_desk.services import outbox
    from wms_desk.services.outbox_deliveries import register_all

    register_all()
    ctx = env.context()
    worker = outbox.OutboxWorker(ctx.database, name="outbox-cli", station_id=ctx.actor.station_id)
    done = worker.drain()
    failed = [info for info in done if info.status is not outbox.OutboxStatus.SENT]
    for info in done:
        if info.status is outbox.OutboxStatus.SENT:
            note = "" if info.confirmed else f" ({info.last_error})"
            env.out(f"sent {info.kind.value} {info.key}: {info.reference}{note}")
        else:
            when = ""
            if info.status is outbox.OutboxStatus.FAILED:
                when = f"; next try at {info.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC"
            env.out(f"{info.status.value} {info.kind.value} {info.key}: {info.last_error}{when}")
    if not done:
        env.out("Nothing is due to be sent.")
    return 1 if failed else 0


def run_retry(env: CliEnv) -> int:
    from wms_desk.services import outbox

    info = outbox.retry(env.context(), env.args.id)
    env.out(f"{info.kind.value} {info.key} is queued again; `wms-desk outbox send` sends it now.")
    return 0


def run_cancel(env: CliEnv) -> int:
    from wms_desk.services import outbox

    info = outbox.cancel(env.context(), env.args.id)
    env.out(f"{info.kind.value} {info.key} is cancelled; it will not be sent.")
    return 0


def _settings_changes(args: argparse.Namespace) -> dict[str, Any]:
    names = (
        "host", "port", "security", "username", "from_address", "reply_to", "timeout",
        "password_file", "shop_name",
    )  # fmt: skip
    changes = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    if args.shipment_emails is not None:
        changes["send_shipment_emails"] = {"on": True, "off": False}.get(args.shipment_emails)
    return changes


def run_settings(env: CliEnv) -> int:
    from wms_desk.services.emails import settings as email_settings

    ctx = env.context()
    changes = _settings_changes(env.args)
    current = (
        email_settings.save_settings(ctx, **changes)
        if changes
        else email_settings.get_settings(ctx)
    )
    document = {
        **current.as_json(),
        "configured": current.configured,
        "shipment_emails_on": current.shipment_emails_on,
        "password": current.password_state(),
    }
    if env.args.json:
        env.out(json.dumps(document))
        return 0
    env.out(current.describe())
    for key, value in document.items():
        env.out(f"  {key}: {'' if value is None else value}")
    return 0


def run_test(env: CliEnv) -> int:
    from wms_desk.services.emails import smtp

    env.out(smtp.send_test_email(env.context(), env.args.to))
    return 0


def run_resend(env: CliEnv) -> int:
    from wms_desk.services.emails import triggers

    ctx = env.context()
    order_id = triggers.order_id_for(ctx, env.args.order, env.args.channel)
    env.out(triggers.resend_shipment_email(ctx, order_id))
    return 0


def run_tracking_link(env: CliEnv) -> int:
    from wms_desk.services.emails.tracking_links import set_tracking_link

    env.out(set_tracking_link(env.context(), env.args.carrier, env.args.pattern))
    return 0
