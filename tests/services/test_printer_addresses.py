"""Printer addresses nothing can print to are refused when set; packers cancel only their jobs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from wms_desk.domain.errors import PermissionDenied
from wms_desk.printing import transports
from wms_desk.services import print_queue, printer_setup, stations
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.uow import run_unit_of_work

GOOD = (
    "file:///var/spool/labels",
    "tcp://10.0.0.31:9100",
    "tcp://zebra-1",
    "cups://Warehouse_Laser",
    "serial:///dev/ttyS0?baudrate=9600",
    "system://Office Printer",
)
BAD = {
    "ftp://printer.example/queue": "cannot print to ftp://",
    "printer-7": "an address without a scheme",
    "tcp://": "needs a host",
    "tcp://10.0.0.31:nine": "numeric port",
    "cups://": "has no queue name",
    "file://": "has no folder",
}


@pytest.mark.parametrize("url", GOOD)
def test_addresses_the_transports_can_use_are_accepted(url: str) -> None:
    assert transports.check_address(f" {url} ") == url


@pytest.mark.parametrize("url", list(BAD))
def test_addresses_nothing_can_print_to_are_refused_saying_why(url: str) -> None:
    with pytest.raises(transports.BadAddress) as refused:
        transports.check_address(url)
    assert BAD[url] in str(refused.value)
    assert repr(url) in str(refused.value)


def _jobs(ctx: ServiceContext) -> list[print_queue.PrintJobInfo]:
    return print_queue.list_jobs(ctx)


def test_settings_refuse_an_unusable_printer_and_keep_the_old_one(system_ctx, make_ctx) -> None:
    supervisor = make_ctx("supervisor")
    station_id = supervisor.actor.station_id
    good = {"label_printer": {"url": "tcp://10.0.0.31:9100", "format": "zpl", "dpi": 203}}
    stations.merge_bindings(supervisor, station_id, good)
    bad = {"label_printer": {"url": "ftp://printer.example/q", "format": "zpl", "dpi": 203}}
    with pytest.raises(ValidationFailed, match=r"The label printer was not saved.*ftp://"):
        stations.merge_bindings(supervisor, station_id, bad)
    with pytest.raises(ValidationFailed, match="document printer was not saved"):
        stations.save_bindings(system_ctx, station_id, {"document_printer": {"url": "lpr://x"}})
    saved = stations.ensure_station(system_ctx.database, system_ctx.actor.station_name)
    assert saved.bindings["label_printer"]["url"] == "tcp://10.0.0.31:9100"
    with pytest.raises(ValidationFailed, match="ftp://"):
        printer_setup.print_test_page(supervisor, "label_printer", bad["label_printer"])
    assert _jobs(system_ctx) == []


def test_enqueue_refuses_an_unusable_printer_naming_the_order(system_ctx) -> None:
    def work(uow) -> str:
        return print_queue.enqueue(
            uow,
            document="label",
            payload=b"^XA^XZ",
            fmt="zpl",
            printer_url="ftp://x/y",
            order_id=1001,
        )

    with pytest.raises(ValidationFailed, match=r"Cannot queue the label of order 1001\."):
        run_unit_of_work(system_ctx, work)
    with pytest.raises(ValidationFailed, match="ftp://"):
        print_queue.submit(system_ctx, "commands", b"%PDF", "pdf", "ftp://x/y", "card")
    assert _jobs(system_ctx) == []


def test_cli_printer_option_refuses_an_unusable_address(db_url: str) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "wms_desk",
            "--db",
            db_url,
            "print",
            "commands",
            "--printer",
            "ftp://printer.example/q",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "ftp://" in result.stderr and "tcp://host:9100" in result.stderr
    assert "Traceback" not in result.stderr


def _job_at(ctx: ServiceContext) -> str:
    return print_queue.submit(ctx, "label", b"^XA^XZ", "zpl", "tcp://127.0.0.1:9", "Label 7")


def test_a_packer_cancels_only_their_own_stations_jobs(system_ctx, make_ctx) -> None:
    packer, supervisor = make_ctx("packer"), make_ctx("supervisor")
    elsewhere = stations.ensure_station(system_ctx.database, "bench-9")
    other_packer = packer.as_actor(
        type(packer.actor)(
            packer.actor.user_id,
            packer.actor.username,
            packer.actor.display_name,
            packer.actor.role,
            elsewhere.id,
            elsewhere.name,
        )
    )
    theirs, ours, another = _job_at(other_packer), _job_at(packer), _job_at(other_packer)
    with pytest.raises(PermissionDenied, match=r"queued at station bench-9.*Ask a supervisor"):
        print_queue.cancel(packer, theirs)
    assert print_queue.get_job(system_ctx, theirs).status == "queued"
    assert print_queue.cancel(packer, ours).status == "cancelled"
    assert print_queue.cancel(supervisor, theirs).status == "cancelled"
    assert print_queue.cancel(other_packer, another).status == "cancelled"
