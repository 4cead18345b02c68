"""`wms-desk report`: names, options and exit codes are a contract (issue 13 item 5)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pypdfium2
import pytest

from tests.services.reportdata import seed_history
from wms_desk.services.database import Database

NAMES = ["status", "throughput", "fulfilment-time", "accuracy", "returns", "carrier-spend", "stock"]


@pytest.fixture
def seeded(db_url: str) -> None:
    database = Database(db_url)
    try:
        seed_history(database)
    finally:
        database.dispose()


def test_report_list_names_every_report(wms) -> None:
    code, out, _ = wms("report", "list")
    assert code == 0
    assert [line.split("\t")[0] for line in out.splitlines()] == NAMES


def test_json_report_with_every_filter(wms, seeded, monkeypatch) -> None:
    monkeypatch.setenv("WMS_DESK_TIMEZONE", "UTC")  # the site's zone, set (unset: the machine's)
    code, out, err = wms(
        "report", "throughput", "--from", "2026-03-02", "--to", "2026-03-06",
        "--channel", "Shop", "--carrier", "UPS", "--station", "PACK-1", "--packer", "anna",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {
        "version", "report", "title", "generated_at", "filters", "figures", "tables", "chart",
        "notes",
    }  # fmt: skip
    assert data["filters"] == {
        "from": "2026-03-02", "to": "2026-03-06", "channel": "Shop", "carrier": "UPS",
        "station": "PACK-1", "packer": "anna", "timezone": "UTC",
    }  # fmt: skip
    assert data["figures"]["orders_packed"] == 1  # only O1: Shop, UPS, PACK-1, anna
    assert data["figures"]["units_per_hour"] == "3.0"
    assert data["tables"]["by_packer"]["rows"][0]["packer"] == "anna"


@pytest.mark.parametrize("name", NAMES)
def test_every_report_runs_on_an_empty_range(wms, seeded, name: str) -> None:
    code, out, err = wms("report", name, "--from", "2025-01-01", "--to", "2025-01-01")
    assert code == 0, err
    assert json.loads(out)["report"] == name


def test_csv_goes_to_a_file_and_neutralises_formulas(wms, db_url: str, tmp_path: Path) -> None:
    database = Database(db_url)
    try:
        seed_history(database)
        from sqlalchemy import update

        from wms_desk.db.models import Channel

        with database.write_session() as session, session.begin():
            session.execute(
                update(Channel).where(Channel.name == "Shop").values(name='=HYPERLINK("x")')
            )
    finally:
        database.dispose()
    out_file = tmp_path / "status.csv"
    code, _, err = wms("report", "status", "--format", "csv", "--out", str(out_file))
    assert code == 0, err
    assert "status.csv" in err
    rows = list(csv.reader(io.StringIO(out_file.read_text(encoding="utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("x")' in cells
    assert not any(cell.startswith("=") for cell in cells)
    assert ["orders", "Orders", "7"] in rows  # every order, no range given


def test_pdf_holds_the_chart_title_and_axis_labels(wms, seeded, tmp_path: Path) -> None:
    out_file = tmp_path / "throughput.pdf"
    code, _, err = wms(
        "report", "throughput", "--from", "2026-03-02", "--to", "2026-03-06",
        "--format", "pdf", "--out", str(out_file),
    )  # fmt: skip
    assert code == 0, err
    pdf = pypdfium2.PdfDocument(str(out_file))
    text = "\n".join(page.get_textpage().get_text_range() for page in pdf)
    for words in ("Orders packed per day", "Day", "Orders packed", "Per packer", "anna"):
        assert words in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("report", "speed"), "no report called 'speed'"),
        (("report", "status", "--from", "2026-02-30"), "'2026-02-30' is not a date"),
        (("report", "status", "--from", "2026-03-05", "--to", "2026-03-01"), "ends"),
        (("report", "status", "--format", "pdf"), "--out"),
    ],
)
def test_usage_errors_exit_2_with_a_clear_message(wms, args: tuple[str, ...], message: str) -> None:
    code, _, err = wms(*args)
    assert code == 2
    assert message in err


def test_an_unknown_packer_exits_1_naming_it(wms, seeded) -> None:
    code, _, err = wms("report", "accuracy", "--packer", "zed")
    assert code == 1
    assert "'zed'" in err
