"""`wms-desk tracking import | ingest | poll` and `wms-desk alerts list | ack`.

Exit codes: 0 done; 1 some rows or files refused (each named on standard error) or the
command failed; 2 usage (a tracking CSV without --carrier)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wms_desk.cli.env import CliEnv, CommandError

if TYPE_CHECKING:
    from wms_desk.services.shipping.tracking import Refused, TrackingReport

USAGE = 2


def register(subparsers: Any) -> None:
    tracking = subparsers.add_parser("tracking", help="carrier tracking to delivery")
    sub = tracking.add_subparsers(dest="tracking_command", metavar="COMMAND", required=True)
    imp = sub.add_parser("import", help="record a tracking CSV or a webhook JSON file")
    imp.add_argument("file", metavar="FILE", help="tracking CSV, or an EasyPost webhook body")
    imp.add_argument("--carrier", metavar="NAME", help="whose labels a CSV tracks (required)")
    imp.add_argument("--json", action="store_true", help="print one JSON object")
    imp.set_defaults(run=run_import)
    ingest = sub.add_parser("ingest", help="record every webhook file of a drop folder")
    ingest.add_argument("folder", metavar="FOLDER", help="where webhook bodies are saved")
    ingest.add_argument("--json", action="store_true", help="one JSON object per file")
    ingest.set_defaults(run=run_ingest)
    poll = sub.add_parser("poll", help="ask EasyPost about every label not yet delivered")
    poll.add_argument("--json", action="store_true", help="print one JSON object")
    poll.set_defaults(run=run_poll)

    alerts = subparsers.add_parser("alerts", help="supervisor alerts (tracking exceptions)")
    asub = alerts.add_subparsers(dest="alerts_command", metavar="COMMAND", required=True)
    lst = asub.add_parser("list", help="open alerts, newest first")
    lst.add_argument("--all", action="store_true", help="acknowledged ones too")
    lst.add_argument("--json", action="store_true", help="one JSON object per alert")
    lst.set_defaults(run=run_list)
    ack = asub.add_parser("ack", help="acknowledge an alert (it leaves the open list)")
    ack.add_argument("id", metavar="ID", type=int, help="the alert's number")
    ack.set_defaults(run=run_ack)


def _refusals(env: CliEnv, source: str, refused: tuple[Refused, ...]) -> None:
    for r in refused:
        print(f"wms-desk: {source} {r}", file=env.stderr)


def _report(env: CliEnv, report: TrackingReport, extra: dict[str, Any] | None = None) -> int:
    if env.args.json:
        env.out(json.dumps({**report.to_json(), **(extra or {})}, ensure_ascii=False))
    else:
        env.out(report.message)
    _refusals(env, report.source, report.refused)
    return 0 if report.ok else 1


def run_import(env: CliEnv) -> int:
    from wms_desk.services.shipping.tracking import import_tracking_file

    path = Path(env.args.file)
    if path.suffix.lower() != ".json" and not env.args.carrier:
        raise CommandError(
            f"{path.name} is a tracking CSV: say whose labels it tracks with --carrier NAME "
            "(webhook bodies are .json files).",
            USAGE,
        )
    if not path.is_file():
        raise CommandError(f"There is no file {path}.", USAGE)
    return _report(env, import_tracking_file(env.context(), path, env.args.carrier))


def run_ingest(env: CliEnv) -> int:
    from wms_desk.services.shipping.tracking import ingest_folder

    folder = Path(env.args.folder)
    if not folder.is_dir():
        raise CommandError(f"{folder} is not a folder.", USAGE)
    result = ingest_folder(env.context(), folder)
    for f in result.files:
        if env.args.json:
            body: dict[str, Any] = {"file": f.name, "ok": f.ok, "moved_to": str(f.moved_to)}
            if f.report is not None:
                body.update(f.report.to_json())
            if f.error:
                body["error"] = f.error
            env.out(json.dumps(body, ensure_ascii=False))
        else:
            env.out(f"{f.name}: {f.report.message if f.report else f.error} -> {f.moved_to}")
        if f.report is not None:
            _refusals(env, f.name, f.report.refused)
        elif f.error:
            print(f"wms-desk: {f.error} It is kept in {f.moved_to}.", file=env.stderr)
    if not result.files:
        print(f"wms-desk: no webhook files (*.json) in {folder}.", file=env.stderr)
    return 0 if result.ok else 1


def run_poll(env: CliEnv) -> int:
    from wms_desk.services.shipping.tracking import poll

    result = poll(env.context(), base_url=env.settings.easypost_url)
    code = _report(env, result.report, {"checked": list(result.checked), "problems": [
        {"where": p.where, "message": p.message} for p in result.problems
    ]})  # fmt: skip
    for p in result.problems:
        print(f"wms-desk: {p}", file=env.stderr)
    if not result.checked:
        print("wms-desk: no EasyPost labels are waiting for delivery.", file=env.stderr)
    return code if not result.problems else 1


def run_list(env: CliEnv) -> int:
    from wms_desk.services.alerts import list_alerts

    found = list_alerts(env.context(), open_only=not env.args.all)
    for a in found:
        if env.args.json:
            env.out(json.dumps(a.to_json(), ensure_ascii=False))
        else:
            state = "open" if a.open else f"acknowledged {a.acknowledged_at:%Y-%m-%d %H:%M}"
            env.out(
                f"{a.id:>5}  {a.raised_at.astimezone():%Y-%m-%d %H:%M}  {state:<28} {a.message}"
            )
    if not found and not env.args.json:
        print("wms-desk: no open alerts." if not env.args.all else "wms-desk: no alerts.",
              file=env.stderr)  # fmt: skip
    return 0


def run_ack(env: CliEnv) -> int:
    from wms_desk.services.alerts import acknowledge_alert

    env.out(acknowledge_alert(env.context(), env.args.id).message)
    return 0
