"""EasyPost tracking: webhook Events and Trackers as the public docs show them; polling by
tracking code against the local EasyPost server; rate-card tracking CSVs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.carriers.easypost_server import EasyPostServer, payload
from tests.carriers.test_easypost import ENV, adapter
from wms_desk.carriers.base import CarrierRejected
from wms_desk.carriers.easypost_tracking import TrackingPayloadError, webhook_events
from wms_desk.carriers.tracking_csv import TrackingFileError, parse_tracking_csv
from wms_desk.domain.tracking import ExceptionKind, TrackingStatus

S = TrackingStatus


def event(tracker: dict, description: str = "tracker.updated") -> dict:
    return {
        "id": "evt_1",
        "object": "Event",
        "mode": "test",
        "description": description,
        "previous_attributes": {"status": "in_transit"},
        "result": tracker,
        "created_at": "2026-12-03T14:06:00Z",
        "pending_urls": [],
        "completed_urls": [],
    }


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[EasyPostServer]:
    monkeypatch.setenv(ENV, "EZTK_test_key")
    s = EasyPostServer("EZTK_test_key")
    yield s
    s.close()


def test_a_tracker_updated_event_gives_every_scan_with_place_and_utc_time() -> None:
    events = webhook_events(json.dumps(event(payload("tracker"))), "hook.json")
    assert [e.status for e in events] == [
        S.PRE_TRANSIT, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED
    ]  # fmt: skip
    assert {e.tracking for e in events} == {"9400111206213000000001"}
    out = events[2]
    assert out.at == datetime(2026, 12, 3, 15, 10, tzinfo=UTC)  # 07:10 at -08:00
    assert out.where == "OAKLAND, CA 94612 US" and out.description == "Out for Delivery"
    assert events[0].where == "" and events[3].source == "easypost-webhook"


def test_exceptions_carry_their_kind_from_the_status_detail() -> None:
    tracker = payload("tracker")
    tracker["tracking_details"] = [
        {**tracker["tracking_details"][1], "status": "return_to_sender", "status_detail": "return",
         "message": "Return to Sender Processed"},
        {**tracker["tracking_details"][1], "status": "in_transit", "status_detail": "damaged",
         "message": "Damaged", "datetime": "2026-12-02T09:00:00Z"},
        {**tracker["tracking_details"][1], "status": "failure",
         "status_detail": "address_correction", "message": "Addressee unknown",
         "datetime": "2026-12-02T10:00:00Z"},
    ]  # fmt: skip
    events = webhook_events(json.dumps([event(tracker)]), "hooks.json")
    assert [(e.status, e.exception) for e in events] == [
        (S.RETURNED_TO_SENDER, ExceptionKind.RETURNED_TO_SENDER),
        (S.EXCEPTION, ExceptionKind.DAMAGED),
        (S.EXCEPTION, ExceptionKind.ADDRESS_PROBLEM),
    ]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("{not json", "hook.json is not JSON"),
        (json.dumps({"object": "Shipment"}), "is not an EasyPost Event"),
        (json.dumps(event({}, "batch.updated")), "'batch.updated' event"),
        (json.dumps(event({"object": "Tracker"})), "has no tracking_code"),
        (json.dumps(event({**payload("tracker"), "tracking_details": [
            {"status": "teleported", "datetime": "2026-12-01T00:00:00Z"}]})),
         "tracking_details #1: unknown status 'teleported'"),
        (json.dumps(event({**payload("tracker"), "tracking_details": [
            {"status": "delivered", "datetime": "yesterday"}]})), "'yesterday' is not a date"),
    ],
)  # fmt: skip
def test_garbage_payloads_are_refused_saying_what_is_wrong(body: str, says: str) -> None:
    with pytest.raises(TrackingPayloadError, match=says.replace("(", r"\(")):
        webhook_events(body, "hook.json")


def test_polling_by_tracking_code_reads_the_tracker(server: EasyPostServer) -> None:
    server.add_tracker("9400111206213000000042")
    carrier = adapter(server)
    events = carrier.track("9400111206213000000042")
    assert events[-1].status is S.DELIVERED and events[-1].source == "easypost-poll"
    assert {e.tracking for e in events} == {"9400111206213000000042"}
    tracker_id = server.trackers["9400111206213000000042"]["id"]
    assert [e.key for e in carrier.tracker(tracker_id)] == [e.key for e in events]
    with pytest.raises(CarrierRejected, match="no tracker for 9400111206213000000099"):
        carrier.track("9400111206213000000099")
    assert server.count("GET", "/v2/trackers") == 2


CSV = """tracking,status,at,where,description
RR100000001SE,In transit,2026-12-02T08:00:00Z,Stockholm terminal,Sorted
RR100000001SE,DELIVERED,2026-12-03 14:05,Nacka,Left with neighbour
RR100000002SE,teleported,2026-12-03T09:00:00Z,,
,delivered,2026-12-03T09:00:00Z,,
RR100000003SE,damaged,last tuesday,,
RR100000004SE,address_problem,2026-12-03T10:00:00+01:00,Kista,No such street
"""


def test_a_tracking_csv_keeps_good_rows_and_names_each_bad_one() -> None:
    parsed = parse_tracking_csv(CSV, "nordpost", "scans.csv")
    assert [(row, e.status) for row, e in parsed.events] == [
        (2, S.IN_TRANSIT), (3, S.DELIVERED), (7, S.EXCEPTION)
    ]  # fmt: skip
    assert parsed.events[1][1].at == datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
    assert parsed.events[2][1].exception is ExceptionKind.ADDRESS_PROBLEM
    assert parsed.events[2][1].at == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert parsed.events[0][1].source == "csv:nordpost"
    assert [str(p) for p in parsed.problems] == [
        "row 4 (RR100000002SE): unknown status 'teleported'; use one of the words in "
        "docs/carriers.md (delivered, in transit, returned to sender ...)",
        "row 5: no tracking number",
        "row 6 (RR100000003SE): 'last tuesday' is not a date and time like 2026-12-03T14:05:00Z",
    ]


def test_a_csv_without_the_columns_is_refused_as_a_whole() -> None:
    with pytest.raises(TrackingFileError, match="lacks status, at"):
        parse_tracking_csv("tracking;when\nRR1SE;2026-12-01\n", "nordpost", "x.csv")
    with pytest.raises(TrackingFileError, match="is empty"):
        parse_tracking_csv("", "nordpost", "x.csv")
    with pytest.raises(TrackingFileError, match="unknown column 'weight'"):
        parse_tracking_csv("tracking,status,at,weight\n", "nordpost", "x.csv")


def test_the_documented_csv_example_reads_as_the_docs_say() -> None:
    import re
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs" / "carriers.md"
    (block,) = re.findall(r"```csv\n(.*?)```", docs.read_text(encoding="utf-8"), re.S)
    parsed = parse_tracking_csv(block, "nordpost", "docs/carriers.md")
    assert parsed.problems == ()
    assert [(e.status, e.exception) for _, e in parsed.events] == [
        (S.IN_TRANSIT, None), (S.DELIVERED, None), (S.EXCEPTION, ExceptionKind.ADDRESS_PROBLEM)
    ]  # fmt: skip
    assert parsed.events[1][1].at == datetime(2026, 12, 3, 13, 5, tzinfo=UTC)
