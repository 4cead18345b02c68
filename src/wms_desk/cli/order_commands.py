"""`wms-desk orders show ORDER [--channel NAME] [--json]`: one order, all it went through."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from wms_desk.cli.env import CliEnv

if TYPE_CHECKING:
    from wms_desk.services.order_detail import OrderDetail


def add_order_argument(parser: argparse.ArgumentParser, name: str = "order") -> None:
    """ORDER plus `--channel`: every command that takes an order number takes both."""
    parser.add_argument(name, metavar="ORDER", help="order number (a scanned ORD:<number> works)")
    parser.add_argument(
        "--channel", metavar="NAME", help="the order's channel, when two channels use the number"
    )


def order_group(subparsers: Any) -> Any:
    """The `orders` command's subcommands, whichever module created the group first."""
    orders = subparsers.choices.get("orders")
    if orders is None:
        orders = subparsers.add_parser("orders", help="list and show orders")
        orders.add_subparsers(dest="orders_command", metavar="COMMAND", required=True)
    # argparse keeps no public handle on a parser's subcommands; it is its one such action.
    for action in orders._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise AssertionError("the orders command has no subcommands")  # pragma: no cover


def register(subparsers: Any) -> None:
    show = order_group(subparsers).add_parser(
        "show", help="one order: lines, packages, shipments, holds and events"
    )
    add_order_argument(show)
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(run=run_show)


def run_show(env: CliEnv) -> int:
    from wms_desk.services.order_detail import order_detail_by_number

    # An unknown or ambiguous number is a DomainError: main() prints it, exit 1.
    detail = order_detail_by_number(env.context(), env.args.order, env.args.channel)
    if env.args.json:
        env.out(json.dumps(detail.as_json(), ensure_ascii=False))
    else:
        for line in summary(detail):
            env.out(line)
    return 0


def _when(value: Any) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else "-"


def summary(d: OrderDetail) -> list[str]:
    """The readable form: header, ship-to, then one short table per part."""
    out = [
        f"Order {d.number} ({d.channel})  {d.status.upper()}  priority {d.priority}  "
        f"ship by {_when(d.ship_by)}",
        f"Ship to: {', '.join(d.address) or '-'}",
    ]
    if d.delivered:
        out.append(d.delivered)
    if d.service:
        out.append(f"Service: {d.service}")
    if d.attention:
        out.append(f"Attention: {d.attention}")
    out += [
        "",
        f"{'SKU':<20}{'ORD':>5}{'ALLOC':>7}{'PICK':>6}{'PACK':>6}{'SHIP':>6}{'RET':>5}  NAME",
    ]
    for ln in d.lines:
        out.append(
            f"{ln.sku or '-':<20}{ln.qty:>5}{ln.allocated:>7}{ln.picked:>6}{ln.packed:>6}"
            f"{ln.shipped:>6}{ln.returned:>5}  {ln.name}"
        )
    out.append("")
    if d.packages:
        for p in d.packages:
            weight = f"{p.weight_g} g" if p.weight_g is not None else "not weighed"
            tracking = f", tracking {p.tracking}" if p.tracking else ""
            out.append(f"Package {p.number}: carton {p.carton or '-'}, {weight}{tracking}")
    else:
        out.append("Packages: none yet")
    if d.shipments:
        for s in d.shipments:
            tracked = f", {s.tracking_status.replace('_', ' ')}" if s.tracking_status else ""
            out.append(f"Shipment: {s.carrier} {s.service} {s.tracking} ({s.status}{tracked})")
            for scan in s.events:
                where = f" {scan.where}" if scan.where else ""
                out.append(f"  {_when(scan.at)}  {scan.status.replace('_', ' ')}{where}")
    else:
        out.append("Shipments: none yet")
    for h in d.holds:
        state = "on hold" if h.active else f"released {_when(h.released_at)}"
        out.append(f"Hold: {h.reason or '(no reason given)'} - since {_when(h.at)}, {state}")
    out += ["", "Events:"] if d.timeline else ["", "Events: none"]
    for e in d.timeline:
        where = f" at {e.station}" if e.station else ""
        out.append(f"  {_when(e.at)}  {e.user}{where}: {e.what}")
    return out
