"""`wms-desk stock show SKU [--json]`: on-hand, reserved and available per bin and in total."""

from __future__ import annotations

import argparse
import json
from typing import Any

from wms_desk.cli.env import CliEnv, CommandError


def register(subparsers: Any) -> None:
    show = _stock_commands(subparsers).add_parser(
        "show",
        help="a product's stock per bin and in total (by SKU or barcode)",
        description="On-hand, reserved and available per bin, in pick sequence, and the total. "
        "With --json one object: sku, bins [bin, on_hand, reserved, available], on_hand, "
        "reserved, available. Exit 1 when no product has that SKU or barcode.",
    )
    show.add_argument("sku", metavar="SKU", help="the product's SKU, or one of its barcodes")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(run=run_stock_show)


def _stock_commands(subparsers: Any) -> Any:
    """The `stock` group's subcommands: `stock import` is registered with the other imports."""
    group = subparsers.choices.get("stock")
    if group is None:
        group = subparsers.add_parser("stock", help="stock per bin")
        return group.add_subparsers(dest="stock_command", metavar="COMMAND", required=True)
    return next(a for a in group._actions if isinstance(a, argparse._SubParsersAction))


def run_stock_show(env: CliEnv) -> int:
    from wms_desk.services.errors import NotFound
    from wms_desk.services.inventory import stock_position

    try:
        position = stock_position(env.context(), env.args.sku)
    except NotFound as exc:
        raise CommandError(str(exc)) from exc
    if env.args.json:
        env.out(json.dumps(position.to_json(), ensure_ascii=False))
        return 0
    env.out(f"{position.sku}  {position.name}")
    if not position.bins:
        env.out("No stock in any bin.")
        return 0
    width = max(len("TOTAL"), *(len(b.bin) for b in position.bins))
    env.out(f"{'BIN':<{width}}  {'ON HAND':>8}  {'RESERVED':>8}  {'AVAILABLE':>9}")
    for b in position.bins:
        env.out(f"{b.bin:<{width}}  {b.on_hand:>8}  {b.reserved:>8}  {b.free:>9}")
    env.out(
        f"{'TOTAL':<{width}}  {position.on_hand:>8}  {position.reserved:>8}  "
        f"{position.available:>9}"
    )
    return 0
