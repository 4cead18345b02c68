"""`wms-desk rma create|receive|show|list|resolve|slip|label|policy|export-refunds`: returns."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from wms_desk.cli.env import CliEnv, CommandError

STATUSES = ("open", "receiving", "received", "resolved", "cancelled")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-01") from None


def register(subparsers: Any) -> None:
    rma = subparsers.add_parser("rma", help="returns: create, receive, show, list, export refunds")
    commands = rma.add_subparsers(dest="rma_command", metavar="COMMAND", required=True)

    create = commands.add_parser("create", help="authorise a return of shipped items")
    create.add_argument("order", metavar="ORDER", help="order number (ORD:<number> works)")
    create.add_argument("--channel", metavar="NAME", help="the order's channel, if ambiguous")
    create.add_argument(
        "--line",
        action="append",
        required=True,
        metavar="SKU:QTY:REASON",
        help="an item coming back; reasons: damaged, wrong_item, not_as_described, "
        "no_longer_needed, arrived_late, other:NOTE",
    )
    create.add_argument("--resolution", choices=("refund", "exchange", "credit"), default="refund")
    create.add_argument("--note", default="", help="a note on the return")
    create.add_argument("--json", action="store_true", help="print one JSON object")
    create.set_defaults(run=run_create)

    receive = commands.add_parser("receive", help="receive and inspect items (back office)")
    receive.add_argument("rma", metavar="RMA", help="RMA number (RMA:<number> works)")
    receive.add_argument(
        "--item",
        action="append",
        required=True,
        metavar="SKU:QTY:CONDITION:DISPOSITION[:BIN]",
        help="conditions: new, opened, used, damaged; dispositions: restock (needs BIN), "
        "quarantine, scrap, return_to_vendor",
    )
    receive.set_defaults(run=run_receive)

    show = commands.add_parser("show", help="one return: lines, received units, refund")
    show.add_argument("rma", metavar="RMA")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(run=run_show)

    listing = commands.add_parser("list", help="returns, newest first")
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--json", action="store_true", help="print a JSON array")
    listing.set_defaults(run=run_list)

    resolve = commands.add_parser("resolve", help="record the refund/credit or make the exchange")
    resolve.add_argument("rma", metavar="RMA")
    resolve.add_argument("--method", default="original_payment", help="refund method")
    resolve.add_argument("--reference", default="", help="the payment gateway's reference")
    resolve.add_argument("--json", action="store_true", help="print one JSON object")
    resolve.set_defaults(run=run_resolve)

    slip = commands.add_parser("slip", help="the RMA slip as a PDF file (barcode RMA:<number>)")
    slip.add_argument("rma", metavar="RMA")
    slip.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    slip.set_defaults(run=run_slip)

    label = commands.add_parser(
        "label", help="buy a return label (customer -> us) and queue it on the label printer"
    )
    label.add_argument("rma", metavar="RMA")
    label.add_argument("--carrier", metavar="NAME", help="this carrier (default: the cheapest)")
    label.add_argument("--printer", metavar="URL", help="label printer (default: the station's)")
    label.add_argument("--json", action="store_true", help="print one JSON object")
    label.set_defaults(run=run_label)

    policy = commands.add_parser(
        "policy", help="the return policy: window, restocking fees, who gets shipping back"
    )
    policy.add_argument("--window-days", type=int, metavar="N", help="days after shipping")
    policy.add_argument(
        "--fee", action="append", default=[], metavar="REASON:PERCENT",
        help="restocking fee for a reason (repeat; 0 removes it)",
    )  # fmt: skip
    policy.add_argument(
        "--refund-shipping", metavar="REASON,...", help="reasons that refund shipping ('' = none)"
    )
    policy.add_argument("--json", action="store_true", help="print one JSON object")
    policy.set_defaults(run=run_policy)

    export = commands.add_parser(
        "export-refunds", help="refunds for the payment gateway: FILE.csv or FILE.json"
    )
    export.add_argument("--since", type=_date, required=True, metavar="DATE")
    export.add_argument("--out", type=Path, required=True, metavar="FILE")
    export.set_defaults(run=run_export)


def run_create(env: CliEnv) -> int:
    from wms_desk.domain.returns import Resolution
    from wms_desk.services.returns.rma import create_rma, parse_line

    lines = [parse_line(spec) for spec in env.args.line]
    created = create_rma(
        env.context(),
        env.args.order,
        lines,
        Resolution(env.args.resolution),
        env.args.note,
        env.args.channel,
    )
    if env.args.json:
        env.out(
            json.dumps(
                {
                    "number": created.number,
                    "barcode": created.barcode,
                    "order": created.order_number,
                    "units": created.units,
                }
            )
        )
    else:
        env.out(created.number)
    return 0


def run_receive(env: CliEnv) -> int:
    from wms_desk.services.returns.receiving import parse_item, receive_items

    items = [parse_item(spec) for spec in env.args.item]
    count = receive_items(env.context(), env.args.rma, items)
    env.out(f"Received {count} unit(s) on {env.args.rma.removeprefix('RMA:')}.")
    return 0


def run_show(env: CliEnv) -> int:
    from wms_desk.services.returns.views import rma_detail

    detail = rma_detail(env.context(), env.args.rma)
    if env.args.json:
        env.out(json.dumps(detail.as_json(), ensure_ascii=False))
        return 0
    env.out(
        f"Return {detail.number} for order {detail.order_number}  {detail.status.upper()}  "
        f"({detail.resolution}{', unexpected' if detail.unexpected else ''})"
    )
    for ln in detail.lines:
        note = f" ({ln.reason_note})" if ln.reason_note else ""
        env.out(f"  {ln.sku:<20}{ln.received:>3}/{ln.qty:<3} {ln.reason}{note}  {ln.name}")
    for u in detail.units:
        where = f" -> {u.bin}" if u.bin else ""
        env.out(f"  unit {u.sku}: {u.condition or 'not inspected'} {u.disposition}{where}")
    if detail.refund:
        r = detail.refund
        env.out(
            f"Refund {r.total} {r.currency} ({r.method}): goods {r.goods} - discount "
            f"{r.discount} + tax {r.tax} - restocking {r.restocking_fee} + shipping {r.shipping}"
        )
    if detail.replacement_order:
        env.out(f"Replacement order: {detail.replacement_order}")
    for e in detail.timeline:
        env.out(f"  {e.at:%Y-%m-%d %H:%M}  {e.user}: {e.action}")
    return 0


def run_list(env: CliEnv) -> int:
    from wms_desk.domain.returns import RmaStatus
    from wms_desk.services.order_detail import _iso
    from wms_desk.services.returns.views import list_rmas

    status = RmaStatus(env.args.status) if env.args.status else None
    rows = list_rmas(env.context(), status)
    if env.args.json:
        env.out(
            json.dumps(
                [
                    {
                        "number": r.number,
                        "order": r.order_number,
                        "status": r.status,
                        "resolution": r.resolution,
                        "units": r.units,
                        "received": r.received,
                        "created_at": _iso(r.created_at),
                    }
                    for r in rows
                ]
            )
        )
        return 0
    if not rows:
        env.out("No returns.")
    for r in rows:
        env.out(
            f"{r.number:<10}{r.order_number:<16}{r.status:<11}{r.resolution:<10}"
            f"{r.received}/{r.units}"
        )
    return 0


def run_resolve(env: CliEnv) -> int:
    from wms_desk.services.returns.resolution import resolve_rma

    done = resolve_rma(env.context(), env.args.rma, env.args.method, env.args.reference)
    if env.args.json:
        env.out(
            json.dumps(
                {
                    "number": done.rma,
                    "resolution": done.resolution,
                    "refund_total": None if done.refund_total is None else str(done.refund_total),
                    "replacement_order": done.replacement_order,
                }
            )
        )
    elif done.replacement_order:
        env.out(f"Return {done.rma}: replacement order {done.replacement_order} is in the queue.")
    else:
        env.out(f"Return {done.rma}: {done.resolution} of {done.refund_total} recorded.")
    return 0


def run_export(env: CliEnv) -> int:
    from wms_desk.services.returns.resolution import export_refunds

    out: Path = env.args.out
    if out.exists() and out.is_dir():
        raise CommandError(f"{out} is a folder; name a file (refunds.csv or refunds.json).")
    count = export_refunds(env.context(), env.args.since, out)
    env.out(f"Exported {count} refund(s) to {out}.")
    return 0


def run_slip(env: CliEnv) -> int:
    from wms_desk.services.returns.slip import rma_slip

    pdf = rma_slip(env.context(), env.args.rma, env.settings.company_name)
    out: Path = env.args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pdf)
    env.out(f"Wrote the slip of {env.args.rma.removeprefix('RMA:')} to {out}.")
    return 0


def run_label(env: CliEnv) -> int:
    from wms_desk.services.documents import company_address
    from wms_desk.services.returns.documents import buy_return_label

    args = env.args
    bought = buy_return_label(
        env.context(), args.rma, company_address(env.settings), args.carrier, args.printer
    )
    if args.json:
        env.out(
            json.dumps(
                {
                    "number": bought.rma,
                    "order": bought.order_number,
                    "carrier": bought.carrier,
                    "service": bought.service,
                    "tracking": bought.tracking,
                    "price": str(bought.price),
                    "currency": bought.currency,
                    "print_job": bought.print_job_id,
                }
            )
        )
    else:
        env.out(bought.message)
    return 0


def run_policy(env: CliEnv) -> int:
    """Without options: show the policy. With any: change those parts, keep the rest."""
    from dataclasses import replace

    from wms_desk.services.returns.policy import (
        get_return_policy,
        parse_fee,
        parse_reasons,
        policy_doc,
        set_return_policy,
    )

    ctx = env.context()
    policy = get_return_policy(ctx)
    args = env.args
    changing = args.window_days is not None or args.fee or args.refund_shipping is not None
    if changing:
        fees = dict(policy.restocking_fee_pct)
        for reason, pct in (parse_fee(spec) for spec in args.fee):
            fees[reason] = pct
        policy = replace(
            policy,
            window_days=policy.window_days if args.window_days is None else args.window_days,
            restocking_fee_pct={r: pct for r, pct in fees.items() if pct},
            refund_shipping_reasons=(
                policy.refund_shipping_reasons
                if args.refund_shipping is None
                else parse_reasons(args.refund_shipping)
            ),
        )
        set_return_policy(ctx, policy)
    doc = policy_doc(policy)
    if args.json:
        env.out(json.dumps(doc, sort_keys=True))
        return 0
    fees_text = ", ".join(
        f"{reason.value} {pct}%" for reason, pct in policy.restocking_fee_pct.items() if pct
    )
    shipping = sorted(r.value for r in policy.refund_shipping_reasons)
    env.out(
        ("Return policy saved: " if changing else "Return policy: ")
        + f"returns within {policy.window_days} days of shipping; restocking fees: "
        + (fees_text or "none")
        + "; shipping refunded for: "
        + (", ".join(shipping) or "no reason")
        + "."
    )
    return 0
