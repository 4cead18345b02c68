"""`carriers add-easypost`, shipping through EasyPost and `ship --tracking` from the CLI."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.carriers.easypost_server import EasyPostServer
from tests.services.shipdata import packed_order, ship_from_sweden
from tests.services.shipeasypost import KEY, KEY_ENV, serve
from wms_desk.cli.main import main
from wms_desk.services.database import Database

SHIP_KEYS = {"order", "package", "packages", "tracking", "carrier", "service", "price",
             "currency", "print_job"}  # fmt: skip


@pytest.fixture
def easypost(monkeypatch: pytest.MonkeyPatch) -> Iterator[EasyPostServer]:
    yield from serve(monkeypatch)


@pytest.fixture
def wms(db_url: str, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", db_url, "--station", "cli-test", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _orders(db_url: str, *specs: tuple[str, tuple[int, ...]]) -> None:
    database = Database(db_url)
    try:
        ship_from_sweden(database)  # the settings' default company address is in the US
        for number, weights in specs:
            packed_order(database, number, weights)
    finally:
        database.dispose()


def test_an_easypost_account_from_the_command_line(
    wms, db_url: str, easypost: EasyPostServer, tmp_path: Path
) -> None:
    code, out, err = wms("carriers", "add-easypost", "easypost", "--api-base",
                         easypost.base_url, "--key-env", KEY_ENV)  # fmt: skip
    assert code == 0, err
    assert "The key is not stored" in out and KEY not in out
    code, out, _ = wms("carriers", "list")
    assert "easypost" in out and easypost.base_url in out and f"${KEY_ENV}" in out
    code, out, _ = wms("carriers", "list", "--json")
    assert json.loads(out.splitlines()[0])["kind"] == "easypost"

    _orders(db_url, ("P-1", (900,)))
    code, out, err = wms("rates", "P-1", "--json")
    assert code == 0, err
    chosen = [json.loads(line) for line in out.splitlines() if json.loads(line)["chosen"]]
    assert [(c["carrier"], c["service"]) for c in chosen] == [("easypost", "USPS GroundAdvantage")]
    printer = (tmp_path / "printed").as_uri()
    code, out, err = wms("ship", "P-1", "--printer", printer, "--json")
    assert code == 0, err
    [label] = [json.loads(line) for line in out.splitlines()]
    assert set(label) == SHIP_KEYS and label["carrier"] == "easypost"
    bought = [s["tracking_code"] for s in easypost.shipments.values() if s["tracking_code"]]
    assert bought == [label["tracking"]]
    assert sum(easypost.labels_bought.values()) == 1

    pdf = tmp_path / "form.pdf"
    code, out, err = wms("manifest", "close", "--carrier", "easypost", "--out", str(pdf))
    assert code == 0, err
    assert (tmp_path / "form-carrier.pdf").read_bytes().startswith(b"%PDF")

    # A key file others can read is refused before anything is stored.
    key_file = tmp_path / "ep.key"
    key_file.write_text(KEY, encoding="utf-8")
    key_file.chmod(0o644)
    code, out, err = wms("carriers", "add-easypost", "ep2", "--key-file", str(key_file))
    assert code == 1 and "chmod 600" in err
    code, _, err = wms("carriers", "add-easypost", "ep2", "--key-env", "A", "--key-file", "B")
    assert code == 1 and "not both" in err


def test_easypost_down_from_the_command_line_exits_1_with_the_message(
    wms, db_url: str, easypost: EasyPostServer, tmp_path: Path
) -> None:
    wms("carriers", "add-easypost", "easypost", "--api-base", easypost.base_url,
        "--key-env", KEY_ENV, "--timeout", "0.3")  # fmt: skip
    _orders(db_url, ("P-2", (900,)))
    easypost.drop_buys = 3
    code, out, err = wms("ship", "P-2", "--printer", (tmp_path / "p").as_uri())
    assert code == 1 and out == ""
    assert "EasyPost did not answer; order P-2 stays packed; try again from the Ship screen" in err
    code, out, err = wms("ship", "P-2", "--printer", (tmp_path / "p").as_uri())
    assert code == 0, err
    assert sum(easypost.labels_bought.values()) == 1


def test_labels_made_elsewhere_from_the_command_line(wms, db_url: str) -> None:
    _orders(db_url, ("P-3", (900, 1400)), ("P-4", (900,)))
    code, out, err = wms(
        "ship", "P-3", "--tracking", "1Z999AA10123456784", "--tracking", "1Z999AA10123456785",
        "--carrier", "UPS", "--json",
    )  # fmt: skip
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert all(set(r) == SHIP_KEYS for r in rows)
    assert [(r["tracking"], r["package"], r["carrier"], r["print_job"]) for r in rows] == [
        ("1Z999AA10123456784", 1, "ups", None), ("1Z999AA10123456785", 2, "ups", None)
    ]  # fmt: skip
    assert "2 labels recorded (ups, made elsewhere)" in err

    code, out, err = wms("ship", "P-4", "--tracking", "1Z999AA10123456784")
    assert code == 1 and "already recorded for order P-3" in err
    code, out, err = wms("ship", "P-4", "--tracking", "ORD:P-4")
    assert code == 1 and "one of our own barcodes" in err
    code, out, err = wms("ship", "P-4", "--carrier", "UPS")
    assert code == 1 and "give --tracking with it" in err
    code, out, err = wms("ship", "P-4", "--tracking", "JJD0001234567")
    assert (code, out.strip()) == (0, "JJD0001234567")
    code, out, err = wms("orders", "show", "P-4", "--json")
    assert json.loads(out)["status"] == "shipped"
