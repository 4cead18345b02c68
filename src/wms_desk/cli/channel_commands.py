"""`wms-desk channels writeback NAME ...`: where a channel learns that its orders shipped."""

from __future__ import annotations

import argparse
import json
from typing import Any

from wms_desk.cli.env import CliEnv


def _channels_group(subparsers: Any) -> Any:
    """The `channels` command's subcommands (import_commands creates the group)."""
    channels = subparsers.choices["channels"]
    # argparse keeps no public handle on a parser's subcommands; it is its one such action.
    for action in channels._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise AssertionError("the channels command has no subcommands")  # pragma: no cover


def register(subparsers: Any) -> None:
    writeback = _channels_group(subparsers).add_parser(
        "writeback",
        help="send tracking back to the channel: its shop API, or an export folder",
        description="Shopify and WooCommerce channels: --url and the secret's place (--token-file "
        "F, a 0600 file, or --token-env VAR; default WMS_DESK_CHANNEL_<NAME>_TOKEN). WooCommerce's "
        "secret is 'ck_...:cs_...'. Any channel: --export-folder DIR writes one CSV row per "
        "shipment. Prints one JSON object; exit 0, or 1 with the reason.",
    )
    writeback.add_argument("name", metavar="NAME")
    writeback.add_argument("--url", metavar="URL", help="the shop's address (https://...)")
    writeback.add_argument("--token-file", metavar="F", help="file holding the token (chmod 600)")
    writeback.add_argument("--token-env", metavar="VAR", help="environment variable with it")
    writeback.add_argument("--api-version", metavar="V", help="Shopify API version (2024-07)")
    writeback.add_argument("--export-folder", metavar="DIR", help="write a CSV file here instead")
    writeback.add_argument("--off", action="store_true", help="stop writing back")
    writeback.set_defaults(run=run_writeback)


def run_writeback(env: CliEnv) -> int:
    from wms_desk.services.channel_targets import set_writeback

    args = env.args
    info = set_writeback(
        env.context(),
        args.name,
        url=args.url or "",
        token_file=args.token_file or "",
        token_env=args.token_env or "",
        export_folder=args.export_folder or "",
        api_version=args.api_version or "",
        off=args.off,
    )
    out: dict[str, Any] = {"name": args.name, "writeback": info.as_settings() if info else None}
    env.out(json.dumps(out))
    return 0
