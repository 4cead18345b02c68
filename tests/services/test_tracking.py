"""Tracking to delivery on the configured backend: a delivered event marks the order delivered;
the same event twice (the same file ingested twice) changes nothing; an exception raises one
alert; an older event after delivery does not regress; garbage and unknown numbers are named."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.carriers.easypost_server import EasyPostServer, payload
from tests.services.shipdata import import_nordpost, packed_order, ship_from_sweden
from wms_desk.db.models import (
    Alert,
    AuditEvent,
    CarrierAccount,
    Order,
    Shipment,
    ShipmentEvent,
    ShipmentLabel,
)
from wms_desk.domain.errors import PermissionDenied
from wms_desk.domain.tracking import TrackingEvent, TrackingStatus
from wms_desk.services.database import Database
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.order_detail import order_detail_by_number
from wms_desk.services.shipping import labels
from wms_desk.services.shipping import tracking as trk

S = TrackingStatus


def ship(ctx, database: Database, number: str, weights: tuple[int, ...], printer: str) -> list[str]:
    order_id = packed_order(database, number, weights)
    return [lb.tracking for lb in labels.ship_order(ctx, order_id, printer_url=printer).labels]


@pytest.fixture
def shipped(system_ctx, database: Database, tmp_path: Path) -> dict[str, list[str]]:
    import_nordpost(system_ctx)
    ship_from_sweden(database)
    printer = (tmp_path / "labels").as_uri()
    return {
        "T-1": ship(system_ctx, database, "T-1", (900,), printer),
        "T-2": ship(system_ctx, database, "T-2", (900, 1400), printer),
    }


def webhook(tracking: str, details: list[dict]) -> str:
    tracker = {**payload("tracker"), "tracking_code": tracking, "tracking_details": details}
    return json.dumps({"object": "Event", "description": "tracker.updated", "result": tracker})


def detail(status: str, when: str, message: str = "", city: str = "NACKA", **extra) -> dict:
    location = {"object": "TrackingLocation", "city": city, "state": None, "country": "SE",
                "zip": "16440"}  # fmt: skip
    return {"object": "TrackingDetail", "status": status, "datetime": when, "message": message,
            "status_detail": extra.get("detail"), "tracking_location": location}  # fmt: skip


def counts(database: Database) -> tuple[int, ...]:
    with database.read_session() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (ShipmentEvent, Alert, AuditEvent)
        )


def test_delivered_marks_the_order_delivered_with_the_date(system_ctx, shipped) -> None:
    (code,) = shipped["T-1"]
    report = trk.record_events(system_ctx, [
        TrackingEvent(code, S.IN_TRANSIT, datetime(2026, 12, 2, 8, tzinfo=UTC), "Stockholm"),
        TrackingEvent(code, S.DELIVERED, datetime(2026, 12, 3, 12, 0, tzinfo=UTC), "Nacka"),
    ])  # fmt: skip
    assert (report.recorded, report.delivered, report.refused) == (2, ("T-1",), ())
    detail_ = order_detail_by_number(system_ctx, "T-1")
    assert detail_.delivered_at == datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    assert detail_.delivered.startswith("Delivered 3 Dec 2026")
    as_json = detail_.as_json()
    assert as_json["delivered_at"] == "2026-12-03T12:00:00+00:00"
    (shipment,) = as_json["shipments"]
    assert shipment["delivered_at"] == "2026-12-03T12:00:00+00:00"
    assert shipment["tracking_status"] == "delivered"
    assert shipment["events"] == [
        {"at": "2026-12-02T08:00:00+00:00", "status": "in_transit", "where": "Stockholm"},
        {"at": "2026-12-03T12:00:00+00:00", "status": "delivered", "where": "Nacka"},
    ]
    assert [e.action for e in detail_.timeline].count("order.delivered") == 1


def test_an_order_of_two_parcels_is_delivered_when_both_are(system_ctx, shipped) -> None:
    first, second = shipped["T-2"]
    at = datetime(2026, 12, 3, 10, tzinfo=UTC)
    assert trk.record_events(system_ctx, [TrackingEvent(first, S.DELIVERED, at)]).delivered == ()
    assert order_detail_by_number(system_ctx, "T-2").delivered_at is None
    later = datetime(2026, 12, 4, 9, tzinfo=UTC)
    report = trk.record_events(system_ctx, [TrackingEvent(second, S.DELIVERED, later)])
    assert report.delivered == ("T-2",)
    assert order_detail_by_number(system_ctx, "T-2").delivered_at == later


def test_the_same_file_ingested_twice_changes_nothing(
    system_ctx, database: Database, shipped, tmp_path: Path
) -> None:
    (code,) = shipped["T-1"]
    body = webhook(code, [detail("in_transit", "2026-12-02T08:00:00Z", "Sorted"),
                          detail("delivered", "2026-12-03T14:05:00Z", "Delivered")])  # fmt: skip
    drop = tmp_path / "hooks"
    drop.mkdir()
    (drop / "evt_1.json").write_text(body, encoding="utf-8")
    first = trk.ingest_folder(system_ctx, drop)
    assert first.ok and first.files[0].report is not None
    assert (first.files[0].report.recorded, first.files[0].report.delivered) == (2, ("T-1",))
    assert (drop / "done" / "evt_1.json").exists()
    before = counts(database)
    detail_before = order_detail_by_number(system_ctx, "T-1")

    shutil.copy(drop / "done" / "evt_1.json", drop / "evt_1.json")
    again = trk.ingest_folder(system_ctx, drop)
    report = again.files[0].report
    assert again.ok and report is not None
    assert (report.recorded, report.duplicates, report.delivered) == (0, 2, ())
    assert counts(database) == before
    assert order_detail_by_number(system_ctx, "T-1") == detail_before
    kept = sorted(p.name for p in (drop / "done").iterdir())
    assert len(kept) == 4 and sum(name.endswith(".report.json") for name in kept) == 2


def test_an_exception_raises_one_alert_for_the_supervisor(
    system_ctx, make_ctx, database: Database, shipped, tmp_path: Path
) -> None:
    (code,) = shipped["T-1"]
    path = tmp_path / "rts.json"
    path.write_text(webhook(code, [
        detail("in_transit", "2026-12-02T08:00:00Z", "Sorted"),
        detail("return_to_sender", "2026-12-05T11:00:00Z", "Return to Sender Processed",
               detail="return"),
    ]), encoding="utf-8")  # fmt: skip
    report = trk.import_tracking_file(system_ctx, path)
    assert (report.recorded, len(report.alerts)) == (2, 1)
    again = trk.import_tracking_file(system_ctx, path)
    assert (again.recorded, again.duplicates, again.alerts) == (0, 2, ())

    supervisor = make_ctx("supervisor")
    (alert,) = trk.list_alerts(supervisor)
    assert alert.kind == "tracking.returned_to_sender" and alert.order_number == "T-1"
    assert alert.tracking == code
    assert f"Order T-1, parcel {code}: returned to sender" in alert.message
    packer = make_ctx("packer")
    with pytest.raises(PermissionDenied):
        trk.acknowledge_alert(packer, alert.id)
    done = trk.acknowledge_alert(supervisor, alert.id)
    assert not done.already and "acknowledged" in done.message
    assert trk.acknowledge_alert(supervisor, alert.id).already
    assert trk.list_alerts(supervisor) == ()
    (closed,) = trk.list_alerts(supervisor, open_only=False)
    assert closed.acknowledged_by == supervisor.actor.username
    with pytest.raises(NotFound, match="There is no alert 999"):
        trk.acknowledge_alert(supervisor, 999)
    with database.read_session() as session:
        status = session.scalar(
            select(Shipment.tracking_status).join(Order).where(Order.number == "T-1")
        )
    assert status == "returned_to_sender"


def test_an_older_event_after_delivery_does_not_regress(system_ctx, database, shipped) -> None:
    (code,) = shipped["T-1"]
    delivered = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
    trk.record_events(system_ctx, [TrackingEvent(code, S.DELIVERED, delivered, "Nacka")])
    late = trk.record_events(system_ctx, [
        TrackingEvent(code, S.OUT_FOR_DELIVERY, datetime(2026, 12, 3, 7, tzinfo=UTC), "Nacka"),
        TrackingEvent(code, S.IN_TRANSIT, datetime(2026, 12, 4, 7, tzinfo=UTC), "Stray scan"),
    ])  # fmt: skip
    assert late.recorded == 2
    with database.read_session() as session:
        order = session.scalar(select(Order).where(Order.number == "T-1"))
        shipment = session.scalar(select(Shipment).where(Shipment.order_id == order.id))
        assert (shipment.tracking_status, shipment.delivered_at) == ("delivered", delivered)
        assert order.delivered_at == delivered
    events = order_detail_by_number(system_ctx, "T-1").as_json()["shipments"][0]["events"]
    assert [e["status"] for e in events] == ["out_for_delivery", "delivered", "in_transit"]


def test_garbage_and_unknown_numbers_get_clear_messages_and_nothing_is_lost(
    system_ctx, shipped, tmp_path: Path
) -> None:
    (code,) = shipped["T-1"]
    drop = tmp_path / "hooks"
    drop.mkdir()
    (drop / "garbage.json").write_text("{this is not json", encoding="utf-8")
    (drop / "mixed.json").write_text(webhook("RR999999995SE", [
        detail("delivered", "2026-12-03T14:05:00Z")]), encoding="utf-8")  # fmt: skip
    result = trk.ingest_folder(system_ctx, drop)
    assert not result.ok
    by_name = {f.name: f for f in result.files}
    assert "garbage.json is not JSON" in by_name["garbage.json"].error
    report = by_name["mixed.json"].report
    assert report is not None and report.recorded == 0
    assert "no label has tracking number RR999999995SE" in str(report.refused[0])
    for name in ("garbage.json", "mixed.json"):
        assert (drop / "failed" / name).exists()
        saved = json.loads((drop / "failed" / f"{name}.report.json").read_text())
        assert saved["ok"] is False
    csv_path = tmp_path / "scans.csv"
    csv_path.write_text(
        "tracking,status,at,where,description\n"
        f"{code},delivered,2026-12-03T14:05:00Z,Nacka,\n"
        "RR999999995SE,delivered,2026-12-03T14:05:00Z,,\n"
        f"{code},teleported,2026-12-03T15:00:00Z,,\n",
        encoding="utf-8",
    )
    csv_report = trk.import_tracking_csv(system_ctx, csv_path, "nordpost")
    assert csv_report.recorded == 1 and csv_report.delivered == ("T-1",)
    assert [r.where for r in csv_report.refused] == ["row 3", "row 4"]
    with pytest.raises(ValidationFailed, match="say whose labels it tracks with --carrier"):
        trk.import_tracking_file(system_ctx, csv_path)
    with pytest.raises(Exception, match="No carrier 'fedex'"):
        trk.import_tracking_csv(system_ctx, csv_path, "fedex")


def test_importing_tracking_needs_a_supervisor(make_ctx, shipped) -> None:
    with pytest.raises(PermissionDenied):
        trk.record_events(make_ctx("packer"), [])


def test_poll_asks_easypost_about_open_labels_only(
    system_ctx, database: Database, shipped, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WMS_DESK_TEST_EASYPOST_KEY", "EZTK_test_key")
    server = EasyPostServer("EZTK_test_key")
    try:
        code = "9400111206213000000007"
        with database.write_session() as session, session.begin():
            session.add(CarrierAccount(code="easypost", name="EasyPost", kind="easypost",
                                       key_source="WMS_DESK_TEST_EASYPOST_KEY"))  # fmt: skip
            shipment = session.scalar(select(Shipment).join(Order).where(Order.number == "T-1"))
            assert shipment is not None
            shipment.carrier = "easypost"
            label = session.scalars(
                select(ShipmentLabel).where(ShipmentLabel.shipment_id == shipment.id)
            ).one()
            label.tracking = code
        server.add_tracker(code)
        result = trk.poll(system_ctx, base_url=server.base_url)
        assert result.ok and result.checked == (code,)
        assert (result.report.recorded, result.report.delivered) == (4, ("T-1",))
        # Delivered now: the next poll does not ask again.
        assert trk.poll(system_ctx, base_url=server.base_url).checked == ()
        assert server.count("GET", "/v2/trackers") == 1
    finally:
        server.close()
