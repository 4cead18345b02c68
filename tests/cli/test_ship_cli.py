"""The shipping CLI: keys and exit codes are a contract (issue 11 item 9)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.carriers.conftest import documented_card_text
from tests.printing.helpers import decode_pages
from tests.services.shipdata import packed_order, ship_from_sweden
from wms_desk.services.database import Database

RATE_KEYS = {
    "carrier", "service", "price", "currency", "transit_days", "delivery_date", "chosen", "reason"
}  # fmt: skip


def test_import_rate_ship_void_and_close_from_the_command_line(
    wms, db_url: str, tmp_path: Path
) -> None:
    card = tmp_path / "nordpost.toml"
    card.write_text(documented_card_text(), encoding="utf-8")
    code, out, err = wms("carriers", "import-rates", str(card), "--carrier", "nordpost")
    assert code == 0, err
    code, out, _ = wms("carriers", "list", "--json")
    listed = json.loads(out.splitlines()[0])
    assert (listed["code"], listed["card"], listed["services"]) == (
        "nordpost", "NORDPOST-2026", ["STD", "EXP"]
    )  # fmt: skip

    database = Database(db_url)
    try:
        ship_from_sweden(database)  # the settings' default company address is in the US
        packed_order(database, "C-1", (900, 1400))
    finally:
        database.dispose()
    code, out, err = wms("rates", "C-1", "--json")
    assert code == 0, err
    options = [json.loads(line) for line in out.splitlines()]
    assert all(set(o) == RATE_KEYS for o in options)
    assert [o["service"] for o in options if o["chosen"]] == ["STD"]
    assert options[0]["reason"] == "cheapest" and options[0]["currency"] == "EUR"

    printer = (tmp_path / "printed").as_uri()
    code, out, err = wms("ship", "C-1", "--service", "EXP", "--printer", printer, "--json")
    assert code == 0, err
    packages = [json.loads(line) for line in out.splitlines()]
    assert [(p["package"], p["packages"], p["service"]) for p in packages] == [
        (1, 2, "EXP"), (2, 2, "EXP")
    ]  # fmt: skip
    tracking = [p["tracking"] for p in packages]

    code, out, err = wms("ship", "C-1", "--printer", printer)
    assert code == 1 and "only a packed order" in err

    code, out, err = wms("void", tracking[0], "--reason", "wrong service")
    assert code == 0, err
    code, out, err = wms("ship", "C-1", "--printer", printer)
    assert code == 0, err
    rebought = out.split()
    assert len(rebought) == 2 and not set(rebought) & set(tracking)

    pdf = tmp_path / "manifest.pdf"
    code, out, err = wms("manifest", "close", "--carrier", "nordpost", "--out", str(pdf))
    assert code == 0, err
    csv_text = pdf.with_suffix(".csv").read_text(encoding="utf-8")
    assert all(n in csv_text for n in rebought) and not any(n in csv_text for n in tracking)
    reference = csv_text.splitlines()[1].split(",")[0]
    assert ("Code128", reference) in decode_pages(pdf.read_bytes())[0]

    code, out, err = wms("orders", "show", "C-1", "--json")
    shipments = json.loads(out)["shipments"]
    assert [s["status"] for s in shipments] == ["voided", "voided", "manifested", "manifested"]
    assert {s["manifest"] for s in shipments[2:]} == {reference}
    assert set(shipments[0]) == {
        "carrier", "service", "tracking", "status", "price", "manifest",
        "tracking_status", "delivered_at", "events",  # tracking (issue 11 item 6)
    }  # fmt: skip

    code, out, err = wms("manifest", "close", "--carrier", "nordpost", "--out", str(pdf))
    assert code == 1 and "no Nordpost labels" in err
    code, out, err = wms("void", "RR999999999SE", "--reason", "x")
    assert code == 1 and "No label has tracking number" in err
