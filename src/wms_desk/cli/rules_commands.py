"""`wms-desk shipping-rules show | set`: the service-selection rules, for all channels or one."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from wms_desk.cli.env import CliEnv, CommandError


def register(subparsers: Any) -> None:
    rules = subparsers.add_parser(
        "shipping-rules", help="how a shipment's carrier service is chosen (per channel)"
    )
    sub = rules.add_subparsers(dest="rules_command", metavar="COMMAND", required=True)
    show = sub.add_parser("show", help="the rules that apply (the channel's, else everyone's)")
    show.add_argument("--channel", metavar="NAME", default="", help="a channel (default: all)")
    show.add_argument("--json", action="store_true", help="the rules as one JSON document")
    show.set_defaults(run=run_show)
    put = sub.add_parser("set", help="replace the rules from a JSON or TOML file")
    put.add_argument("file", metavar="FILE", help="rules document (see docs/carriers.md)")
    put.add_argument("--channel", metavar="NAME", default="", help="a channel (default: all)")
    put.set_defaults(run=run_set)


def _scope(channel: str) -> str:
    return f"channel {channel}" if channel else "all channels"


def run_show(env: CliEnv) -> int:
    from wms_desk.services.shipping.rules import get_rules

    rules = get_rules(env.context(), env.args.channel)
    if env.args.json:
        env.out(json.dumps(rules.as_doc(), sort_keys=True))
        return 0
    env.out(f"Shipping rules for {_scope(env.args.channel)}: {rules.strategy.value}")
    env.out(f"  preferred carrier: {rules.preferred_carrier or '(none)'}")
    for m in rules.mappings:
        env.out(f"  {m.channel_service!r} -> {m.carrier}:{m.service}")
    for e in rules.exclusions:
        limits = [
            f"over {e.max_weight_g} g" if e.max_weight_g is not None else "",
            f"a side over {e.max_longest_mm} mm" if e.max_longest_mm is not None else "",
            f"to {', '.join(e.countries)}" if e.countries else "",
        ]
        what = f"{e.carrier or 'any carrier'}:{e.service or 'any service'}"
        env.out(f"  never {what} " + "; ".join(x for x in limits if x))
    return 0


def _read_doc(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
    try:
        doc = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        kind = "TOML" if path.suffix.lower() == ".toml" else "JSON"
        raise CommandError(f"{path} is not valid {kind}: {exc}. Nothing was changed.") from exc
    if not isinstance(doc, dict):
        raise CommandError(f"{path} must hold one rules document (an object). Nothing changed.")
    return doc


def run_set(env: CliEnv) -> int:
    from wms_desk.domain.service_selection import ShippingRules
    from wms_desk.services.shipping.rules import save_rules

    rules = ShippingRules.from_doc(_read_doc(Path(env.args.file)))  # RulesError: exit 1, why
    save_rules(env.context(), rules, env.args.channel)
    env.out(
        f"Shipping rules saved for {_scope(env.args.channel)}: {rules.strategy.value}, "
        f"{len(rules.mappings)} service mapping(s), {len(rules.exclusions)} exclusion(s)."
    )
    return 0
