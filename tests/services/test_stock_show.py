"""`wms-desk stock show SKU [--json]`: per bin and total, by SKU or barcode; exit 1 if unknown."""

from __future__ import annotations

import json

import pytest

from tests.channels.intake import DATA, write
from tests.services.test_allocation import _woo
from wms_desk.cli.main import main

KEYS = ["sku", "bins", "on_hand", "reserved", "available"]
BIN_KEYS = ["bin", "on_hand", "reserved", "available"]


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def db(db_url: str, capsys, tmp_path) -> str:
    assert _run(capsys, "--db", db_url, "products", "import", str(DATA / "products.csv"))[0] == 0
    more = write(tmp_path, "more.csv", "bin,sku,qty\nA-09-09,WC-MUG-BLU,4\n")
    for path in (DATA / "stock.csv", more):
        assert _run(capsys, "--db", db_url, "stock", "import", str(path))[0] == 0
    orders = _woo(tmp_path, {"id": 960, "lines": [("WC-MUG-BLU", 3)]})
    assert _run(capsys, "--db", db_url, "import", str(orders))[0] == 0
    return db_url


def test_json_per_bin_and_total(db: str, capsys) -> None:
    code, out, err = _run(capsys, "--db", db, "stock", "show", "WC-MUG-BLU", "--json")
    assert (code, err) == (0, "")
    shown = json.loads(out)
    assert list(shown) == KEYS and all(list(b) == BIN_KEYS for b in shown["bins"])
    # B-02-01 came first in the stock file, so it is earlier on the route: it holds the order.
    assert shown == {
        "sku": "WC-MUG-BLU",
        "bins": [
            {"bin": "B-02-01", "on_hand": 10, "reserved": 3, "available": 7},
            {"bin": "A-09-09", "on_hand": 4, "reserved": 0, "available": 4},
        ],
        "on_hand": 14,
        "reserved": 3,
        "available": 11,
    }


def test_a_barcode_finds_the_product_and_text_has_a_total(db: str, capsys) -> None:
    code, out, _ = _run(capsys, "--db", db, "stock", "show", "4006381333955")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("WC-MUG-BLU")
    assert lines[-1].split() == ["TOTAL", "14", "3", "11"]
    # A scanner's GTIN-14 of the same EAN-13 finds it too.
    code, out, _ = _run(capsys, "--db", db, "stock", "show", "04006381333955", "--json")
    assert code == 0 and json.loads(out)["sku"] == "WC-MUG-BLU"


def test_a_product_without_stock_shows_zeroes(db: str, capsys) -> None:
    code, out, _ = _run(capsys, "--db", db, "stock", "show", "WC-EBOOK-01", "--json")
    assert code == 0
    assert json.loads(out) == {
        "sku": "WC-EBOOK-01", "bins": [], "on_hand": 0, "reserved": 0, "available": 0
    }  # fmt: skip


def test_an_unknown_sku_exits_1_with_a_clear_message(db: str, capsys) -> None:
    code, out, err = _run(capsys, "--db", db, "stock", "show", "NO-SUCH-SKU", "--json")
    assert (code, out) == (1, "")
    assert "No product has the SKU or barcode 'NO-SUCH-SKU'" in err


def test_the_stock_group_lists_import_and_show(capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["stock", "--help"])
    assert done.value.code == 0
    listed = capsys.readouterr().out
    assert "import" in listed and "show" in listed
