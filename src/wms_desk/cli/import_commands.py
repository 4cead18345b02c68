"""`wms-desk import`, `orders list`, `products import`, `stock import`: intake from files."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from wms_desk.cli.env import CliEnv, CommandError
from wms_desk.domain import order_status

FORMAT_NAMES = ("shopify-json", "shopify-csv", "woocommerce-json", "csv")
STATUS_NAMES = order_status.VALUES


def register(subparsers: Any) -> None:
    command = subparsers.add_parser(
        "import",
        help="import orders from a Shopify, WooCommerce or CSV file",
        description="Prints one JSON object: created, updated, unchanged, cancelled, rejected, "
        "errors. Exit 0 when nothing was rejected, 1 when something was, 2 on usage errors.",
    )
    command.add_argument("file", metavar="FILE")
    command.add_argument("--format", choices=FORMAT_NAMES, help="the file's format (detected)")
    command.add_argument("--channel", metavar="NAME", help="channel name (default: the format's)")
    command.add_argument("--profile", metavar="NAME", help="saved column profile for --format csv")
    _common(command)
    command.set_defaults(run=run_import)

    orders = subparsers.add_parser("orders", help="list orders")
    order_commands = orders.add_subparsers(dest="orders_command", metavar="COMMAND", required=True)
    listing = order_commands.add_parser("list", help="newest orders first")
    listing.add_argument("--status", choices=STATUS_NAMES)
    listing.add_argument("--search", metavar="TEXT", help="order number, customer, e-mail or SKU")
    listing.add_argument("--limit", type=_positive, default=50, metavar="N", help="at most N (50)")
    listing.add_argument("--json", action="store_true", help="print one JSON array")
    listing.set_defaults(run=run_orders_list)

    channels = subparsers.add_parser("channels", help="order channels and their drop folders")
    channel_commands = channels.add_subparsers(
        dest="channels_command", metavar="COMMAND", required=True
    )
    setup = channel_commands.add_parser("set", help="create a channel or change its settings")
    setup.add_argument("name", metavar="NAME")
    setup.add_argument("--kind", choices=("shopify", "woocommerce", "csv", "manual"), required=True)
    setup.add_argument("--drop-folder", metavar="DIR", help="import files dropped here")
    setup.add_argument("--format", choices=FORMAT_NAMES, help="format of the dropped files")
    setup.add_argument("--profile", metavar="NAME", help="CSV profile for dropped files")
    setup.add_argument(
        "--send-order-received",
        choices=("on", "off"),
        help="e-mail customers when their order arrives (default off: most shops send their own)",
    )
    setup.set_defaults(run=run_channel_set)
    watch = channel_commands.add_parser("watch", help="import files dropped in channel folders")
    watch.add_argument("--interval", type=float, default=2.0, metavar="S", help="poll every S s")
    watch.add_argument("--polls", type=_positive, metavar="N", help="stop after N polls")
    watch.set_defaults(run=run_channel_watch)

    profiles = subparsers.add_parser("profiles", help="saved CSV column-mapping profiles")
    profile_commands = profiles.add_subparsers(
        dest="profiles_command", metavar="COMMAND", required=True
    )
    save = profile_commands.add_parser(
        "save", help="save a mapping: --map external_id='Order Ref' --map qty=Qty ..."
    )
    save.add_argument("name", metavar="NAME")
    save.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN", required=True)
    save.add_argument("--encoding", metavar="NAME", help="the files' encoding if not UTF-8")
    save.add_argument("--date-format", metavar="FMT", help="strptime format, e.g. %%d.%%m.%%Y")
    save.add_argument("--delimiter", metavar="CHAR", help="column separator (sniffed)")
    save.set_defaults(run=run_profile_save)
    shown = profile_commands.add_parser("list", help="print the saved profiles as JSON")
    shown.set_defaults(run=run_profile_list)

    for noun, helptext in (
        ("products", "import products: CSV sku,name,barcodes,... or Shopify products JSON"),
        ("stock", "import an opening count: CSV bin,sku,qty (unknown bins are created)"),
    ):
        parser = subparsers.add_parser(noun, help=f"{noun} from files")
        commands = parser.add_subparsers(dest=f"{noun}_command", metavar="COMMAND", required=True)
        sub = commands.add_parser("import", help=helptext)
        sub.add_argument("file", metavar="FILE")
        _common(sub)
        sub.set_defaults(run=run_products_import if noun == "products" else run_stock_import)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="check and count, change nothing")
    parser.add_argument("--strict", action="store_true", help="any error rejects the whole file")
    parser.add_argument("--encoding", metavar="NAME", help="the file's encoding if not UTF-8")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError("must be a whole number") from exc
    if value <= 0:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


class TerminalProgress:
    """A bar redrawn in place on a terminal; a few plain lines when stderr is a file or pipe."""

    WIDTH = 30

    def __init__(self, what: str, stream: TextIO | None = None) -> None:
        self.what = what
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self._reported = -1

    def __call__(self, done: int, total: int) -> None:
        if total <= 0:
            return
        if self.tty:
            filled = self.WIDTH * done // total
            bar = "#" * filled + "." * (self.WIDTH - filled)
            end = "\n" if done >= total else ""
            self.stream.write(f"\r[{bar}] {done}/{total} {self.what}{end}")
        else:
            quarter = 4 * done // total
            if quarter == self._reported:
                return
            self._reported = quarter
            self.stream.write(f"{done} of {total} {self.what} done\n")
        self.stream.flush()


def _check_file(path: str) -> Path:
    file = Path(path)
    if not file.is_file():
        raise CommandError(f"{path}: no such file", exit_code=2)
    return file


def _report(env: CliEnv, result: Any) -> int:
    env.out(json.dumps(result.to_json(), ensure_ascii=False))
    return 1 if result.rejected else 0


def run_import(env: CliEnv) -> int:
    args = env.args
    file = _check_file(args.file)
    if args.format == "csv" and not args.profile:
        raise CommandError("--format csv needs --profile NAME (a saved column mapping)", 2)
    from wms_desk.services.import_setup import list_csv_profiles
    from wms_desk.services.imports import import_file

    ctx = env.context()
    if args.profile and args.profile not in {p.name for p in list_csv_profiles(ctx)}:
        raise CommandError(f"there is no CSV profile named {args.profile!r}", exit_code=2)
    result = import_file(
        ctx, file, format=args.format, channel=args.channel, profile=args.profile,
        dry_run=args.dry_run, strict=args.strict, encoding=args.encoding,
        progress=TerminalProgress("orders", env.stderr),
    )  # fmt: skip
    return _report(env, result)


def run_products_import(env: CliEnv) -> int:
    from wms_desk.services.catalog_import import import_products

    return _catalog_import(env, import_products, "products")


def run_stock_import(env: CliEnv) -> int:
    from wms_desk.services.catalog_import import import_stock

    return _catalog_import(env, import_stock, "rows")


def _catalog_import(env: CliEnv, service: Any, what: str) -> int:
    file = _check_file(env.args.file)
    result = service(
        env.context(), file, dry_run=env.args.dry_run, strict=env.args.strict,
        encoding=env.args.encoding, progress=TerminalProgress(what, env.stderr),
    )  # fmt: skip
    return _report(env, result)


def run_orders_list(env: CliEnv) -> int:
    from wms_desk.services.import_setup import list_orders

    rows = list_orders(
        env.context(), status=env.args.status, search=env.args.search, limit=env.args.limit
    )
    if env.args.json:
        env.out(json.dumps([row.to_json() for row in rows], ensure_ascii=False))
        return 0
    for row in rows:
        ship_by = row.ship_by.strftime("%Y-%m-%d %H:%M") if row.ship_by else "-"
        env.out(
            f"{row.number:<12} {row.channel:<12} {row.status:<12} {ship_by:<16} "
            f"{row.lines:>3}  {row.customer}"
        )
    if not rows:
        print("no orders match", file=env.stderr)
    return 0


def run_channel_set(env: CliEnv) -> int:
    from wms_desk.services.import_setup import ensure_channel

    args = env.args
    settings = {
        key: value
        for key, value in (
            ("drop_folder", str(Path(args.drop_folder).resolve()) if args.drop_folder else None),
            ("format", args.format),
            ("profile", args.profile),
            ("send_order_received", args.send_order_received == "on" or None),
        )
        if value
    }
    channel = ensure_channel(env.context(), args.name, args.kind, settings)
    env.out(json.dumps({"name": channel.name, "kind": channel.kind, **channel.settings}))
    return 0


def run_channel_watch(env: CliEnv) -> int:
    """Poll every channel's drop folder; one JSON line per file moved to done/ or failed/."""
    import time

    from wms_desk.services.drop_folder import drop_folders, poll_drop_folders

    ctx = env.context()
    folders = drop_folders(ctx)
    if not folders:
        raise CommandError(
            "no channel has a drop folder; set one with `channels set --drop-folder`"
        )
    polls = 0
    while env.args.polls is None or polls < env.args.polls:
        for outcome in poll_drop_folders(ctx, folders):
            env.out(json.dumps({"file": outcome.source.name, "ok": outcome.ok,
                                "moved_to": str(outcome.moved_to)}))  # fmt: skip
        polls += 1
        if env.args.polls is None or polls < env.args.polls:
            time.sleep(env.args.interval)
    return 0


def run_profile_save(env: CliEnv) -> int:
    from wms_desk.channels.generic_csv import FIELDS
    from wms_desk.services.import_setup import save_csv_profile

    mapping = {}
    for item in env.args.map:
        field, sep, column = item.partition("=")
        if not sep or field.strip() not in FIELDS:
            raise CommandError(
                f"--map {item!r}: use FIELD=COLUMN with FIELD one of {', '.join(FIELDS)}", 2
            )
        mapping[field.strip()] = column.strip()
    options = {
        key: value
        for key, value in (
            ("encoding", env.args.encoding),
            ("date_format", env.args.date_format),
            ("delimiter", env.args.delimiter),
        )
        if value
    }
    profile = save_csv_profile(env.context(), env.args.name, mapping, options)
    env.out(json.dumps({"name": profile.name, "mapping": dict(profile.mapping),
                        "options": dict(profile.options)}, ensure_ascii=False))  # fmt: skip
    return 0


def run_profile_list(env: CliEnv) -> int:
    from wms_desk.services.import_setup import list_csv_profiles

    profiles = list_csv_profiles(env.context())
    env.out(json.dumps([{"name": p.name, "mapping": dict(p.mapping), "options": dict(p.options)}
                        for p in profiles], ensure_ascii=False))  # fmt: skip
    return 0
