"""`wms-desk carriers | rates | ship | void | manifest`: rate-card carriers, labels, manifests."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from wms_desk.cli.env import CliEnv, CommandError


def register(subparsers: Any) -> None:
    carriers = subparsers.add_parser("carriers", help="carrier accounts and rate cards")
    sub = carriers.add_subparsers(dest="carriers_command", metavar="COMMAND", required=True)
    imp = sub.add_parser("import-rates", help="import (or replace) a carrier's rate card (TOML)")
    imp.add_argument("file", metavar="FILE", help="the rate-card file")
    imp.add_argument("--carrier", metavar="NAME", required=True, help="the carrier account")
    imp.set_defaults(run=run_import_rates)
    ep = sub.add_parser("add-easypost", help="add (or change) an EasyPost account")
    ep.add_argument("name", metavar="NAME", help="the account's name, e.g. easypost")
    ep.add_argument("--api-base", metavar="URL", help="API address (https://api.easypost.com/v2)")
    # One or the other; the service says so in words when both are given.
    ep.add_argument("--key-env", metavar="VAR", help="environment variable holding the key")
    ep.add_argument("--key-file", metavar="PATH", help="file holding the key (chmod 600)")
    ep.add_argument("--timeout", metavar="SECONDS", type=float, help="per request (20)")
    ep.add_argument("--retries", metavar="N", type=int, help="extra tries on no answer (2)")
    ep.set_defaults(run=run_add_easypost)
    lst = sub.add_parser("list", help="carrier accounts, their services and tracking ranges")
    lst.add_argument("--json", action="store_true", help="one JSON object per carrier")
    lst.set_defaults(run=run_list)

    rates = subparsers.add_parser("rates", help="rate shop an order: every option, one chosen")
    rates.add_argument("order", metavar="ORDER", help="order number (or ORD: barcode)")
    rates.add_argument("--json", action="store_true", help="one JSON object per option")
    rates.set_defaults(run=run_rates)

    ship = subparsers.add_parser("ship", help="buy and print a label per package of an order")
    ship.add_argument("order", metavar="ORDER", help="order number (or ORD: barcode)")
    ship.add_argument("--service", metavar="CODE", help="service code (or CARRIER:CODE)")
    ship.add_argument("--printer", metavar="URL", help="label printer for this run")
    ship.add_argument("--json", action="store_true", help="one JSON object per package")
    ship.add_argument(
        "--tracking", metavar="T", action="append",
        help="a label made elsewhere: its tracking number, once per package (no label bought)",
    )  # fmt: skip
    ship.add_argument(
        "--carrier", metavar="NAME", help="with --tracking: who made the labels (manual)"
    )
    ship.set_defaults(run=run_ship)

    void = subparsers.add_parser("void", help="void a label before its manifest is closed")
    void.add_argument("tracking", metavar="TRACKING", help="a tracking number of the shipment")
    void.add_argument("--reason", metavar="TEXT", required=True, help="why (audited)")
    void.set_defaults(run=run_void)

    manifest = subparsers.add_parser("manifest", help="end-of-day manifests")
    msub = manifest.add_subparsers(dest="manifest_command", metavar="COMMAND", required=True)
    close = msub.add_parser("close", help="close the day's manifest for a carrier (PDF + CSV)")
    close.add_argument("--carrier", metavar="NAME", required=True, help="carrier account")
    close.add_argument("--date", metavar="D", type=_date, help="ship date YYYY-MM-DD (today)")
    close.add_argument("--out", metavar="FILE", required=True, help="PDF file; CSV beside it")
    close.set_defaults(run=run_manifest_close)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-01") from exc


def run_import_rates(env: CliEnv) -> int:
    from wms_desk.services.shipping.accounts import import_rate_card_file

    info = import_rate_card_file(env.context(), Path(env.args.file), env.args.carrier)
    env.out(
        f"Carrier {info.code}: rate card {info.card_code} imported "
        f"({', '.join(info.services)}; tracking {info.tracking_range or 'none'})."
    )
    return 0


def run_add_easypost(env: CliEnv) -> int:
    from wms_desk.services.shipping.accounts import add_easypost

    a = env.args
    info = add_easypost(
        env.context(), a.name, a.api_base or "", a.key_env or "", a.key_file or "",
        a.timeout, a.retries,
    )  # fmt: skip
    env.out(f"Carrier {info.code}: EasyPost at {info.connection}. The key is not stored.")
    return 0


def run_list(env: CliEnv) -> int:
    from wms_desk.services.shipping.accounts import list_carriers

    for c in list_carriers(env.context()):
        if env.args.json:
            env.out(json.dumps({
                "code": c.code, "name": c.name, "kind": c.kind, "card": c.card_code,
                "currency": c.currency, "services": list(c.services),
                "tracking_range": c.tracking_range, "next_serial": c.next_serial,
                "active": c.active,
            }))  # fmt: skip
        else:
            env.out(f"{c.code:<16} {c.name:<20} {c.kind:<10} {' '.join(c.services)}{c.connection}")
    return 0


def run_rates(env: CliEnv) -> int:
    from wms_desk.services.shipping.rating import rate_order

    shop = rate_order(env.context(), env.args.order)
    for o in shop.options:
        if env.args.json:
            env.out(json.dumps({
                "carrier": o.carrier, "service": o.service, "price": str(o.price),
                "currency": o.currency, "transit_days": o.transit_days,
                "delivery_date": o.delivery_date.isoformat() if o.delivery_date else None,
                "chosen": o.chosen, "reason": o.reason,
            }))  # fmt: skip
        else:
            mark = "*" if o.chosen else " "
            env.out(
                f"{mark} {o.carrier:<12} {o.service:<8} {o.price:>9} {o.currency} "
                f"{o.transit_days if o.transit_days is not None else '-'} d "
                f"{o.delivery_date or ''}  {o.reason}"
            )
    for note in shop.notes:
        print(f"wms-desk: {note}", file=env.stderr)
    if not shop.options:
        raise CommandError(f"Order {shop.order_number} cannot be rated.")
    return 0


def run_ship(env: CliEnv) -> int:
    from wms_desk.services.documents import company_address
    from wms_desk.services.order_detail import order_detail_by_number
    from wms_desk.services.shipping.labels import ship_order

    ctx = env.context()
    order = order_detail_by_number(ctx, env.args.order)
    if env.args.tracking:
        from wms_desk.services.shipping.manual import record_manual_labels

        result = record_manual_labels(
            ctx, order.id, env.args.carrier or "", env.args.tracking, env.args.service or ""
        )
    elif env.args.carrier:
        raise CommandError("--carrier names who made the labels: give --tracking with it.")
    else:
        result = ship_order(
            ctx, order.id, env.args.service, env.args.printer, company_address(env.settings)
        )
    for label in result.labels:
        if env.args.json:
            env.out(json.dumps({
                "order": result.order_number, "package": label.package_seq,
                "packages": label.package_count, "tracking": label.tracking,
                "carrier": result.carrier, "service": result.service,
                "price": str(result.price), "currency": result.currency,
                "print_job": label.print_job_id,
            }))  # fmt: skip
        else:
            env.out(label.tracking)
    print(f"wms-desk: {result.message}", file=env.stderr)
    return 0


def run_void(env: CliEnv) -> int:
    from wms_desk.services.shipping.voids import void_label

    info = void_label(env.context(), env.args.tracking, env.args.reason)
    env.out(
        f"Voided {', '.join(info.voided)} of order {info.order_number}; "
        f"the order is {info.order_status} again."
    )
    return 0


def run_manifest_close(env: CliEnv) -> int:
    from wms_desk.services.shipping.manifests import close_manifest

    info = close_manifest(env.context(), env.args.carrier, env.args.date)
    out = Path(env.args.out)
    csv_path = out.with_suffix(".csv")
    try:
        out.write_bytes(info.pdf)
        csv_path.write_text(info.csv, encoding="utf-8")
        if info.carrier_document:  # the carrier's own form (EasyPost SCAN form) beside ours
            out.with_name(f"{out.stem}-carrier.pdf").write_bytes(info.carrier_document)
    except OSError as exc:
        raise CommandError(
            f"Manifest {info.reference} is closed but {exc.filename} could not be written "
            f"({exc.strerror}); reprint it from the Ship screen."
        ) from exc
    for note in info.notes:
        print(f"wms-desk: {note}", file=env.stderr)
    env.out(
        f"Manifest {info.reference}: {info.package_count} packages, "
        f"{info.total_weight_g / 1000:.3f} kg -> {out} and {csv_path}"
    )
    return 0
