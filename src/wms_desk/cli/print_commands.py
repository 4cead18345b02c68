"""`wms-desk print label | slip | picklist | sscc | bins | commands`: to a file or a printer."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from wms_desk.cli.env import CliEnv, CommandError
from wms_desk.cli.order_commands import add_order_argument


def register(subparsers: Any) -> None:
    printing = subparsers.add_parser("print", help="print labels, slips and pick lists")
    commands = printing.add_subparsers(dest="print_command", metavar="COMMAND", required=True)

    _package_label(commands, "label", "4x6 shipping label for an order's package", run_label)

    slip = commands.add_parser("slip", help="packing slip (Letter or A4)")
    add_order_argument(slip)
    _paper(slip)
    _target(slip)
    slip.set_defaults(run=run_slip)

    pick = commands.add_parser("picklist", help="pick list for an order or a batch (wave)")
    pick.add_argument("ref", metavar="ORDER_OR_BATCH", help="order number or batch name")
    pick.add_argument(
        "--channel", metavar="NAME", help="the order's channel, when two channels use the number"
    )
    _paper(pick)
    _target(pick)
    pick.set_defaults(run=run_picklist)

    _package_label(commands, "sscc", "GS1-128 SSCC logistics label for a package", run_sscc)

    bins = commands.add_parser("bins", help="bin (shelf) barcode labels, 4x2 in")
    bins.add_argument("--zone", metavar="Z", help="only this zone")
    bins.add_argument("--format", choices=["pdf", "zpl"], default="pdf", help="pdf (default)")
    bins.add_argument("--dpi", type=int, choices=[203, 300], default=203, help="ZPL dpi (203)")
    _target(bins)
    bins.set_defaults(run=run_bins)

    cards = commands.add_parser("commands", help="station command card (NEW BOX, COMPLETE, ...)")
    _paper(cards)
    _target(cards)
    cards.set_defaults(run=run_commands)


def _package_label(commands: Any, name: str, help: str, run: Any) -> None:
    """`NAME ORDER [--package N] --format pdf|zpl [--dpi D] (--out FILE | --printer URL)`."""
    parser = commands.add_parser(name, help=help)
    add_order_argument(parser)
    parser.add_argument("--package", type=_positive, metavar="N", help="package number (1)")
    _format(parser)
    _target(parser)
    parser.set_defaults(run=run)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", required=True, choices=["pdf", "zpl"], help="pdf or zpl")
    parser.add_argument("--dpi", type=int, choices=[203, 300], default=203, help="ZPL dpi (203)")


def _paper(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--paper", choices=["letter", "a4"], default="letter", help="(letter)")


def _target(parser: argparse.ArgumentParser) -> None:
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", metavar="FILE", help="write to FILE ('-' for standard output)")
    target.add_argument(
        "--printer", metavar="URL", help="send to file:///dir, tcp://host:9100, cups://Q, serial://"
    )


def _deliver(
    env: CliEnv,
    ctx: Any,
    payload: bytes,
    fmt: str,
    document: str,
    title: str,
    order_id: int | None = None,
) -> int:
    """Write the bytes, or queue them as a print job and send it now through the queue."""
    if env.args.out:
        if env.args.out == "-":
            sys.stdout.buffer.write(payload)
            sys.stdout.flush()
            return 0
        try:
            with open(env.args.out, "wb") as handle:
                handle.write(payload)
        except OSError as exc:
            raise CommandError(f"cannot write {env.args.out}: {exc.strerror or exc}") from exc
        env.out(f"wrote {title} ({fmt}, {len(payload)} bytes) to {env.args.out}")
        return 0
    from wms_desk.services import print_queue

    ctx = ctx or env.context()
    job_id = print_queue.submit(ctx, document, payload, fmt, env.args.printer, title, order_id)
    worker = print_queue.PrintWorker(ctx.database, ctx.actor.station_id)
    job = worker.process_one(job_id) or print_queue.get_job(ctx, job_id)
    if job.status == "sent":
        env.out(f"sent {title} to {job.printer} (job {job.id})")
        return 0
    if job.status == "unknown":
        raise CommandError(
            f"{title}: {job.last_error} A supervisor should check the printer and reprint "
            f"job {job.id} if nothing came out."
        )
    raise CommandError(
        f"{title} was not printed: {job.last_error} Job {job.id} stays in the print queue "
        "and is retried while the app runs."
    )


def _settings_addresses(env: CliEnv) -> Any:
    from wms_desk.services.documents import company_address

    return company_address(env.settings)


def run_label(env: CliEnv) -> int:
    from wms_desk.printing.label import shipping_label_pdf, shipping_label_zpl
    from wms_desk.services.documents import shipping_label

    ctx = env.context()
    data = shipping_label(
        ctx,
        env.args.order,
        env.args.package,
        _settings_addresses(env),
        channel=env.args.channel,
    )
    if env.args.format == "zpl":
        payload = shipping_label_zpl(data, env.args.dpi)
    else:
        payload = shipping_label_pdf(data)
    if data.provisional:
        print(
            f"note: no carrier label yet; {data.tracking_number} is a provisional reference",
            file=env.stderr,
        )
    title = f"Label {data.order_number} {data.package_seq}/{data.package_count}"
    return _deliver(env, ctx, payload, env.args.format, "label", title)


def run_slip(env: CliEnv) -> int:
    from wms_desk.printing.slip import packing_slip_pdf
    from wms_desk.services.documents import packing_slip

    ctx = env.context()
    data = packing_slip(ctx, env.args.order, _settings_addresses(env), channel=env.args.channel)
    payload = packing_slip_pdf(data, env.args.paper)
    return _deliver(env, ctx, payload, "pdf", "slip", f"Packing slip {data.order_number}")


def run_picklist(env: CliEnv) -> int:
    from wms_desk.printing.picklist import pick_list_pdf
    from wms_desk.services.documents import pick_list

    ctx = env.context()
    data = pick_list(ctx, env.args.ref, channel=env.args.channel)
    return _deliver(
        env, ctx, pick_list_pdf(data, env.args.paper), "pdf", "picklist", f"Pick list {data.title}"
    )


def run_sscc(env: CliEnv) -> int:
    from wms_desk.printing.sscc_label import sscc_label_pdf, sscc_label_zpl
    from wms_desk.services.documents import sscc_label

    ctx = env.context()
    prefix = str(env.settings.gs1_company_prefix)
    data = sscc_label(
        ctx,
        env.args.order,
        env.args.package,
        _settings_addresses(env),
        prefix,
        channel=env.args.channel,
    )
    if env.args.format == "zpl":
        payload = sscc_label_zpl(data, env.args.dpi, len(prefix))
    else:
        payload = sscc_label_pdf(data, len(prefix))
    return _deliver(env, ctx, payload, env.args.format, "sscc", f"SSCC {data.sscc}")


def run_bins(env: CliEnv) -> int:
    from wms_desk.printing.cards import bin_labels_pdf, bin_labels_zpl
    from wms_desk.services.documents import bin_labels

    ctx = env.context()
    labels = bin_labels(ctx, env.args.zone)
    if not labels:
        where = f" in zone {env.args.zone}" if env.args.zone else ""
        raise CommandError(f"there are no active bins{where}")
    if env.args.format == "zpl":
        payload = bin_labels_zpl(labels, env.args.dpi)
    else:
        payload = bin_labels_pdf(labels)
    return _deliver(env, ctx, payload, env.args.format, "bins", f"{len(labels)} bin labels")


def run_commands(env: CliEnv) -> int:
    from wms_desk.printing.cards import command_card_pdf
    from wms_desk.services.documents import command_card

    payload = command_card_pdf(command_card(), env.args.paper)
    return _deliver(env, None, payload, "pdf", "commands", "Station command card")
