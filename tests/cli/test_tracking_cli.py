"""The tracking and alerts commands: output keys and exit codes are the issue's contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.carriers.conftest import documented_card_text
from tests.services.shipdata import packed_order, ship_from_sweden
from wms_desk.services.database import Database


@pytest.fixture
def shipped(wms, db_url: str, tmp_path: Path) -> str:
    card = tmp_path / "nordpost.toml"
    card.write_text(documented_card_text(), encoding="utf-8")
    assert wms("carriers", "import-rates", str(card), "--carrier", "nordpost")[0] == 0
    database = Database(db_url)
    try:
        ship_from_sweden(database)
        packed_order(database, "C-7", (900,))
    finally:
        database.dispose()
    code, out, err = wms("--label-printer", (tmp_path / "labels").as_uri(), "ship", "C-7")
    assert code == 0, err
    return out.strip()


def test_csv_import_delivers_the_order_and_a_replay_changes_nothing(
    wms, shipped: str, tmp_path: Path
) -> None:
    scans = tmp_path / "nordpost-scans.csv"
    scans.write_text(
        "tracking,status,at,where,description\n"
        f"{shipped},in transit,2026-12-02T08:00:00Z,Stockholm,Sorted\n"
        f"{shipped},delivered,2026-12-03T12:00:00Z,Nacka,Left at door\n",
        encoding="utf-8",
    )
    code, out, err = wms("tracking", "import", str(scans), "--carrier", "nordpost", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert (report["recorded"], report["delivered"], report["refused"]) == (2, ["C-7"], [])

    code, out, _ = wms("orders", "show", "C-7", "--json")
    order = json.loads(out)
    assert order["delivered_at"] == "2026-12-03T12:00:00+00:00"
    (shipment,) = order["shipments"]
    assert shipment["delivered_at"] == "2026-12-03T12:00:00+00:00"
    assert shipment["events"] == [
        {"at": "2026-12-02T08:00:00+00:00", "status": "in_transit", "where": "Stockholm"},
        {"at": "2026-12-03T12:00:00+00:00", "status": "delivered", "where": "Nacka"},
    ]
    code, out, _ = wms("orders", "show", "C-7")
    assert "Delivered 3 Dec 2026" in out

    code, out, _ = wms("tracking", "import", str(scans), "--carrier", "nordpost", "--json")
    again = json.loads(out)
    assert code == 0 and (again["recorded"], again["duplicates"], again["delivered"]) == (0, 2, [])
    code, out2, _ = wms("orders", "show", "C-7", "--json")
    assert json.loads(out2) == order


def test_refused_rows_are_named_and_exit_1_usage_is_exit_2(
    wms, shipped: str, tmp_path: Path
) -> None:
    scans = tmp_path / "scans.csv"
    scans.write_text(
        "tracking,status,at\n"
        f"{shipped},damaged,2026-12-03T10:00:00Z\n"
        "RR999999995SE,delivered,2026-12-03T14:05:00Z\n",
        encoding="utf-8",
    )
    code, out, err = wms("tracking", "import", str(scans), "--carrier", "nordpost")
    assert code == 1
    assert "1 new tracking event(s)" in out and "1 alert(s) raised" in out
    assert "scans.csv row 3: no label has tracking number RR999999995SE" in err
    assert wms("tracking", "import", str(scans))[0] == 2
    assert wms("tracking", "import", str(tmp_path / "nothing.json"))[0] == 2
    assert wms("tracking", "ingest", str(tmp_path / "no-folder"))[0] == 2

    code, out, _ = wms("alerts", "list", "--json")
    (alert,) = [json.loads(line) for line in out.splitlines()]
    assert (code, alert["kind"], alert["order"], alert["tracking"]) == (
        0, "tracking.damaged", "C-7", shipped
    )  # fmt: skip
    assert alert["acknowledged_at"] is None
    code, out, _ = wms("alerts", "ack", str(alert["id"]))
    assert code == 0 and f"Alert {alert['id']} (order C-7) acknowledged" in out
    assert wms("alerts", "list", "--json")[1] == ""
    code, out, _ = wms("alerts", "list", "--all", "--json")
    assert json.loads(out)["acknowledged_at"] is not None
    code, _, err = wms("alerts", "ack", "4242")
    assert code == 1 and "There is no alert 4242" in err


def test_ingest_moves_files_aside_and_keeps_garbage_with_a_reason(
    wms, shipped: str, tmp_path: Path
) -> None:
    drop = tmp_path / "hooks"
    drop.mkdir()
    (drop / "bad.json").write_text("<html>502</html>", encoding="utf-8")
    tracker = {"object": "Tracker", "tracking_code": shipped, "tracking_details": [
        {"status": "delivered", "datetime": "2026-12-03T14:05:00Z", "message": "Delivered",
         "tracking_location": {"city": "Nacka", "country": "SE"}}]}  # fmt: skip
    event = {"object": "Event", "description": "tracker.updated", "result": tracker}
    (drop / "evt.json").write_text(json.dumps(event), encoding="utf-8")
    code, out, err = wms("tracking", "ingest", str(drop), "--json")
    assert code == 1
    lines = {d["file"]: d for d in map(json.loads, out.splitlines())}
    assert lines["evt.json"]["ok"] and lines["evt.json"]["delivered"] == ["C-7"]
    assert not lines["bad.json"]["ok"] and "bad.json is not JSON" in lines["bad.json"]["error"]
    assert "bad.json is not JSON" in err and str(drop / "failed") in err
    assert (drop / "failed" / "bad.json.report.json").exists()
    assert (drop / "done" / "evt.json").exists()


def test_poll_without_easypost_accounts_says_so(wms, shipped: str) -> None:
    code, out, err = wms("tracking", "poll", "--json")
    assert code == 0 and json.loads(out)["checked"] == []
    assert "no EasyPost labels are waiting" in err
