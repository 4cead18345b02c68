"""Entry point: global options, subcommand registration, and the error -> exit code contract."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from wms_desk import __version__
from wms_desk.cli.env import CliEnv, CommandError

# Each module has `register(subparsers)`; a subcommand sets `run(env) -> int` as its default.
COMMAND_MODULES = (
    "wms_desk.cli.db_commands",
    "wms_desk.cli.user_commands",
    "wms_desk.cli.import_commands",
    "wms_desk.cli.order_commands",  # after import_commands: adds `show` to its `orders` group
    "wms_desk.cli.device_commands",
    "wms_desk.cli.print_commands",
    "wms_desk.cli.ship_commands",
    "wms_desk.cli.rules_commands",
    "wms_desk.cli.stock_commands",
    "wms_desk.cli.rma_commands",
    "wms_desk.cli.tracking_commands",
    "wms_desk.cli.report_commands",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wms-desk",
        description="Packing-station client. Without a command, opens the app.",
    )
    parser.add_argument("--version", action="version", version=f"wms-desk {__version__}")
    parser.add_argument("--db", metavar="URL", help="database URL (default: embedded SQLite file)")
    parser.add_argument("--station", metavar="NAME", help="this station's name")
    parser.add_argument("--config", metavar="FILE", help="config file (TOML)")
    parser.add_argument(
        "--demo", action="store_true", help="use the demo database and simulated devices"
    )
    # Devices and printers for this run, over the station's saved bindings (README: bindings).
    bind = parser.add_argument_group("station bindings for this run")
    bind.add_argument("--scanner", metavar="URL", help="serial scanner (pyserial URL)")
    bind.add_argument(
        "--scanner-suffix", choices=("cr", "lf", "crlf", "tab"), help="what ends a scan"
    )
    bind.add_argument("--scale", metavar="URL", help="scale (pyserial URL)")
    bind.add_argument(
        "--scale-protocol",
        metavar="P",
        help="mt-sics, nci, toledo-continuous, cas or regex",
    )
    bind.add_argument("--label-printer", metavar="URL", help="label printer address")
    bind.add_argument("--document-printer", metavar="URL", help="document printer address")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    env = CliEnv(args)
    try:
        if args.command is None:
            from wms_desk.app import run_gui

            return run_gui(env.settings)
        return int(args.run(env) or 0)
    except CommandError as exc:
        print(f"wms-desk: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # every failure becomes a message, never a traceback
        message = _known_failure(exc)
        if message is None:
            if os.environ.get("WMS_DESK_DEBUG"):
                raise
            message = (
                f"unexpected error: {type(exc).__name__}: {exc}. "
                "Run again with WMS_DESK_DEBUG=1 to see the details, and report them."
            )
        print(f"wms-desk: {message}", file=sys.stderr)
        return 1


def _known_failure(exc: Exception) -> str | None:
    from wms_desk.db.schema import SchemaMismatch
    from wms_desk.domain.errors import DomainError
    from wms_desk.settings import ConfigError

    if isinstance(exc, SchemaMismatch | DomainError | ConfigError):
        return str(exc)
    return None


if __name__ == "__main__":
    sys.exit(main())
