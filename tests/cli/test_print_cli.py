"""`wms-desk print ...`: files and printers, exit codes and messages."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.printing.helpers import check_zpl, decode_pages, page_texts
from tests.printing.servers import closed_port, raw_printer
from wms_desk.domain.codes import StationCommand, command_barcode
from wms_desk.printing.barcodes import is_valid_sscc


def test_unknown_order_exits_1_with_a_message(wms, make_order, tmp_path: Path) -> None:
    code, _, err = wms(
        "print", "label", "NOPE-1", "--format", "pdf", "--out", str(tmp_path / "x.pdf")
    )
    assert code == 1 and "no order 'NOPE-1'" in err
    assert not (tmp_path / "x.pdf").exists()


def test_label_pdf_and_zpl(wms, make_order, tmp_path: Path) -> None:
    make_order("9001", packages=2)
    out = tmp_path / "label.pdf"
    code, stdout, err = wms(
        "print", "label", "9001", "--package", "2", "--format", "pdf", "--out", str(out)
    )
    assert code == 0, err
    assert "provisional" in err and str(out) in stdout
    assert decode_pages(out.read_bytes()) == [[("Code128", "PRV-9001-2")]]
    assert "PROVISIONAL" in page_texts(out.read_bytes())[0]
    zpl = tmp_path / "label.zpl"
    code, _, err = wms(
        "print", "label", "9001", "--format", "zpl", "--dpi", "300", "--out", str(zpl)
    )
    assert code == 0, err
    text = check_zpl(zpl.read_bytes())
    assert "^PW1200" in text and "UPS GROUND" in text


def test_format_is_required(wms, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as caught:
        wms("print", "label", "1", "--out", str(tmp_path / "x"))
    assert caught.value.code == 2


def test_slip_and_picklist(wms, make_order, tmp_path: Path) -> None:
    make_order("9002", lines=3, batch="W-77", tote="W-77-01")
    code, _, err = wms("print", "slip", "9002", "--paper", "a4", "--out", str(tmp_path / "s.pdf"))
    assert code == 0, err
    assert decode_pages((tmp_path / "s.pdf").read_bytes()) == [[("Code128", "ORD:9002")]]
    code, _, err = wms("print", "picklist", "W-77", "--out", str(tmp_path / "p.pdf"))
    assert code == 0, err
    found = {text for _, text in decode_pages((tmp_path / "p.pdf").read_bytes())[0]}
    assert "ORD:9002" in found and len(found) >= 4


def test_sscc_label_keeps_its_number(wms, make_order, tmp_path: Path) -> None:
    make_order("9003", packages=1)
    texts = []
    for name in ("a.zpl", "b.zpl"):
        code, _, err = wms(
            "print", "sscc", "9003", "--format", "zpl", "--out", str(tmp_path / name)
        )
        assert code == 0, err
        texts.append(check_zpl((tmp_path / name).read_bytes()))
    data = texts[0].split(">;>800")[1][:18]
    assert is_valid_sscc(data) and data.startswith("00614141")
    assert texts[0] == texts[1]
    code, _, err = wms("print", "sscc", "9003", "--format", "pdf", "--out", str(tmp_path / "c"))
    assert code == 0, err
    assert ("Code128", "00" + data) in decode_pages((tmp_path / "c").read_bytes())[0]


def test_bins_and_command_card(wms, make_order, tmp_path: Path) -> None:
    make_order("9004", lines=2)
    code, _, err = wms("print", "bins", "--zone", "A", "--out", str(tmp_path / "bins.pdf"))
    assert code == 0, err
    pages = decode_pages((tmp_path / "bins.pdf").read_bytes(), 2)
    assert pages and all(len(p) == 1 and p[0][1].startswith("A-") for p in pages)
    code, _, _ = wms("print", "bins", "--zone", "ZZ", "--out", str(tmp_path / "none.pdf"))
    assert code == 1
    code, _, err = wms("print", "commands", "--out", str(tmp_path / "cmd.pdf"))
    assert code == 0, err
    found = sorted(t for _, t in decode_pages((tmp_path / "cmd.pdf").read_bytes(), 2)[0])
    assert found == sorted(command_barcode(c) for c in StationCommand)


def test_printer_gets_the_bytes_through_the_queue(wms, make_order, tmp_path: Path) -> None:
    make_order("9005")
    with raw_printer() as printer:
        code, out, err = wms("print", "label", "9005", "--format", "zpl", "--printer", printer.url)
        assert code == 0, err
        assert "sent Label 9005" in out
        assert printer.received.wait(5)
        reference = tmp_path / "ref.zpl"
        wms("print", "label", "9005", "--format", "zpl", "--out", str(reference))
        assert printer.jobs == [reference.read_bytes()]


def test_dead_printer_exits_1_and_keeps_the_job(wms, make_order) -> None:
    make_order("9006")
    code, _, err = wms(
        "print", "label", "9006", "--format", "zpl", "--printer", f"tcp://127.0.0.1:{closed_port()}"
    )
    assert code == 1
    assert "was not printed" in err and "stays in the print queue" in err


def test_real_entry_point(db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "cmd.pdf"
    result = subprocess.run(
        [sys.executable, "-m", "wms_desk", "--db", db_url, "print", "commands", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF-")
