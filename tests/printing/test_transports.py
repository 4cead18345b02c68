"""Transports: bytes arrive exactly; failures say whether anything left the computer."""

from __future__ import annotations

import os
import pty
import stat
import threading
from pathlib import Path

import pytest

from tests.printing.servers import closed_port, raw_printer
from wms_desk.printing import transports
from wms_desk.printing.transports import OutcomeUnknown, PrinterUnreachable

ZPL = "^XA^CI28^FO10,10^A0N,30,30^FH_^FDZoë Müller_5E^FS^XZ\n".encode()


def test_tcp_delivers_exact_bytes() -> None:
    with raw_printer() as printer:
        transports.send(printer.url, ZPL, "job-1", "zpl")
        assert printer.received.wait(5)
        assert printer.jobs == [ZPL]


def test_tcp_closed_port_is_unreachable() -> None:
    with pytest.raises(PrinterUnreachable) as caught:
        transports.send(f"tcp://127.0.0.1:{closed_port()}", ZPL, "job-2", "zpl")
    assert not caught.value.bytes_left


def test_tcp_stalled_printer_is_unknown() -> None:
    with raw_printer(stall=True) as printer:
        with pytest.raises(OutcomeUnknown) as caught:
            transports.send(printer.url + "?timeout=0.3", ZPL, "job-3", "zpl")
        assert caught.value.bytes_left
        assert printer.connections == 1


def test_file_transport_one_file_per_job(tmp_path: Path) -> None:
    transports.send(tmp_path.as_uri(), ZPL, "job-a", "zpl")
    transports.send(tmp_path.as_uri(), b"%PDF-1.4", "job-b", "pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["job-a.zpl", "job-b.pdf"]
    assert (tmp_path / "job-a.zpl").read_bytes() == ZPL


def test_file_transport_names_files_by_document_and_order(tmp_path: Path) -> None:
    url = tmp_path.as_uri()
    transports.send(url, ZPL, "job-1", "zpl", "Label W1194 1/2")
    transports.send(url, b"%PDF-1", "job-2", "pdf", "Label W1194 2/2")
    transports.send(url, b"%PDF-2", "job-3", "pdf", "Packing slip #1001")
    transports.send(url, b"%PDF-3", "job-4", "pdf", "Pick list ../../etc/passwd")
    transports.send(url, b"%PDF-4", "job-5", "pdf", "Packing slip #Z3-ÄÖ€漢字😀")
    transports.send(url, b"%PDF-5", "job-6", "pdf", "Test page: command card")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [
            "label-W1194-1.zpl",
            "label-W1194-2.pdf",
            "slip-1001.pdf",
            "picklist-etc_passwd.pdf",
            "slip-Z3-ÄÖ_漢字.pdf",
            "Test_page_command_card.pdf",
        ]
    )
    assert (tmp_path / "slip-1001.pdf").read_bytes() == b"%PDF-2"


def test_file_transport_never_overwrites(tmp_path: Path) -> None:
    url = tmp_path.as_uri()
    for i in range(3):
        transports.send(url, f"%PDF-{i}".encode(), f"job-{i}", "pdf", "Label W1194 1/1")
    names = ("label-W1194-1.pdf", "label-W1194-1-2.pdf", "label-W1194-1-3.pdf")
    assert [(tmp_path / name).read_bytes() for name in names] == [b"%PDF-0", b"%PDF-1", b"%PDF-2"]
    assert not list(tmp_path.glob(".*")), "no temporary file left behind"


@pytest.mark.parametrize(
    ("title", "stem"),
    [
        ("Label a/b 3/4", "label-a_b-3"),
        ("Label W1194 2/3 1Z999AA10123456784", "label-W1194-2"),
        ("Label W1194 2/3 1Z999AA10123456784 (reprint)", "label-W1194-2"),
        ("CN23 #1001 LX123456789US", "cn23-1001"),
        ("Packing slip  A  B ", "slip-A_B"),
        ("Packing slip ###", "slip-order"),
        ("", "the-job-id"),
        ("😀", "the-job-id"),
        ("Label " + "9" * 300 + " 1/1", "label-" + "9" * 80 + "-1"),
    ],
)
def test_file_names_are_safe(title: str, stem: str) -> None:
    from wms_desk.printing.transports.file import file_stem

    assert file_stem(title, "the-job-id") == stem


def test_file_transport_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(PrinterUnreachable, match="does not exist"):
        transports.send((tmp_path / "nope").as_uri(), ZPL, "job", "zpl")


def _fake_lp(folder: Path, exit_code: int = 0) -> None:
    script = folder / "lp"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$@" > "{folder}/args"\n'
        f'cat > "{folder}/data"\n'
        f'[ {exit_code} -eq 0 ] || echo "lp: The printer or class does not exist." >&2\n'
        f"exit {exit_code}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def test_cups_sends_raw_zpl_through_lp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_lp(tmp_path)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    transports.send("cups://Zebra_GK420", ZPL, "job-c", "zpl", "Label 1001")
    assert (tmp_path / "data").read_bytes() == ZPL
    assert (tmp_path / "args").read_text().split() == [
        "-d",
        "Zebra_GK420",
        "-t",
        "Label",
        "1001",
        "-o",
        "raw",
    ]


def test_cups_refusal_is_unreachable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_lp(tmp_path, exit_code=1)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(PrinterUnreachable, match="does not exist"):
        transports.send("cups://Nope", b"%PDF-1.4", "job-d", "pdf")


def test_serial_transport_writes_to_a_pty() -> None:
    controller, device = pty.openpty()
    name = os.ttyname(device)
    received = bytearray()
    done = threading.Event()

    def read() -> None:
        while len(received) < len(ZPL):
            received.extend(os.read(controller, 4096))
        done.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        import tty

        tty.setraw(device)  # no newline translation: bytes as the printer would see them
        transports.send(f"serial://{name}?baudrate=9600", ZPL, "job-e", "zpl")
        assert done.wait(5)
        assert bytes(received) == ZPL
    finally:
        os.close(device)
        os.close(controller)


def test_serial_missing_device_is_unreachable() -> None:
    with pytest.raises(PrinterUnreachable):
        transports.send("serial:///dev/does-not-exist-9", ZPL, "job-f", "zpl")


def test_unknown_scheme_and_advice() -> None:
    with pytest.raises(PrinterUnreachable, match="Unknown printer address"):
        transports.send("ipp://host/queue", ZPL, "job", "zpl")
    assert "network" in transports.advice("tcp://10.0.0.5:9100")
    assert transports.describe("tcp://10.0.0.5:9100") == "10.0.0.5:9100 (tcp)"


def test_serial_stalled_by_flow_control_is_unknown() -> None:
    # Nobody reads the other end: the pty buffer fills and the write times out mid-job.
    controller, device = pty.openpty()
    try:
        import tty

        tty.setraw(device)
        with pytest.raises(OutcomeUnknown):
            transports.send(
                f"serial://{os.ttyname(device)}?timeout=0.3", b"^XA" + b"x" * 200_000, "j", "zpl"
            )
    finally:
        os.close(device)
        os.close(controller)


def test_cups_that_never_answers_is_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = tmp_path / "lp"
    script.write_text("#!/bin/sh\ncat > /dev/null\nexec sleep 30\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(OutcomeUnknown):
        transports.send("cups://Slow?timeout=0.5", ZPL, "job-g", "zpl")
