"""`wms-desk report NAME [--from D] [--to D] [--channel C] [--carrier C] [--station S]
[--packer U] [--format json|csv|pdf] [--out FILE]` and `wms-desk report list`.

Exit codes: 0 done; 2 a usage error (unknown report, bad date, a range that ends before it
starts, PDF without --out); 1 the run was refused or failed (the message says why).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from wms_desk.cli.env import CliEnv, CommandError
from wms_desk.domain.reports import ReportFilters, ReportFormat, ReportName

LIST = "list"
USAGE = 2


def register(subparsers: Any) -> None:
    names = ", ".join(n.value for n in ReportName)
    parser = subparsers.add_parser(
        "report",
        help="run a report (or `report list`)",
        description=f"Run a report and print it or write it to a file. NAME is one of: {names}; "
        "`wms-desk report list` lists them. Days are the site's (setting `timezone`), both "
        "inclusive. JSON keys are described in docs/reports.md.",
    )
    parser.add_argument("name", metavar="NAME", help=f"{names}, or `list`")
    parser.add_argument("--from", dest="start", metavar="D", help="first day, YYYY-MM-DD")
    parser.add_argument("--to", dest="end", metavar="D", help="last day, YYYY-MM-DD")
    parser.add_argument("--channel", metavar="C", help="only this channel's orders")
    parser.add_argument("--carrier", metavar="C", help="only orders shipped with this carrier")
    # Not `station`: the global --station names this computer's station.
    parser.add_argument(
        "--station", dest="report_station", metavar="S", help="only what this station packed"
    )
    parser.add_argument("--packer", metavar="U", help="only this packer's work (username)")
    parser.add_argument(
        "--format",
        dest="report_format",
        choices=[f.value for f in ReportFormat],
        default=ReportFormat.JSON.value,
        help="json (default), csv or pdf",
    )
    parser.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")
    parser.set_defaults(run=run_report_command)


def _day(option: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"{option} {value!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-03-02.", USAGE
        ) from None


def run_report_command(env: CliEnv) -> int:
    from wms_desk.services.reports import report_list

    args = env.args
    if args.name == LIST:
        for name in report_list():
            env.out(f"{name.value}\t{name.title}")
        return 0
    try:
        name = ReportName(args.name)
    except ValueError:
        known = ", ".join(n.value for n in report_list())
        raise CommandError(
            f"There is no report called {args.name!r}. Reports: {known}.", USAGE
        ) from None
    fmt = ReportFormat(args.report_format)
    if fmt is ReportFormat.PDF and not args.out:
        raise CommandError("A PDF needs a file: add --out FILE.", USAGE)
    try:
        filters = ReportFilters(
            start=_day("--from", args.start),
            end=_day("--to", args.end),
            channel=args.channel,
            carrier=args.carrier,
            station=args.report_station,
            packer=args.packer,
            timezone=env.settings.timezone,
        )
    except ValueError as exc:  # the range ends before it starts
        raise CommandError(str(exc), USAGE) from None
    return _run(env, name, filters, fmt)


def _run(env: CliEnv, name: ReportName, filters: ReportFilters, fmt: ReportFormat) -> int:
    from wms_desk.services.report_export import render
    from wms_desk.services.reports import run_report

    report = run_report(env.context(), name, filters)
    data = render(report, fmt)
    if not env.args.out:
        if fmt is ReportFormat.CSV:
            env.stdout.write(data.decode("utf-8-sig"))
        else:
            env.stdout.write(data.decode())
        return 0
    path = Path(env.args.out)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise CommandError(f"Cannot write the report to {path}: {exc.strerror or exc}.") from exc
    rows = sum(len(t.rows) for t in report.tables)
    print(
        f"wms-desk: wrote the {report.title.lower()} report ({rows} rows) to {path}.",
        file=env.stderr,
    )
    return 0
