"""The intake CLI contract: one JSON object, exit codes 0/1/2, orders list, progress on stderr."""

from __future__ import annotations

import io
import json

import pytest

from tests.channels.intake import DATA, write
from wms_desk.cli.import_commands import TerminalProgress
from wms_desk.cli.main import main

KEYS = ["created", "updated", "unchanged", "cancelled", "rejected", "errors"]


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def db(sqlite_db_url: str, capsys) -> str:
    assert (
        _run(capsys, "--db", sqlite_db_url, "products", "import", str(DATA / "products.csv"))[0]
        == 0
    )
    code, out, _ = _run(capsys, "--db", sqlite_db_url, "stock", "import", str(DATA / "stock.csv"))
    assert code == 0 and json.loads(out)["created"] == 6
    return sqlite_db_url


def _page_with_bad_order(tmp_path) -> str:
    """The Shopify sample page plus #1008, whose quantity is 10^20 (issue 9 #2)."""
    payload = json.loads((DATA / "shopify_orders.json").read_text(encoding="utf-8"))
    bad = json.loads(json.dumps(payload["orders"][2]))
    bad.update(id=450789499, name="#1008")
    bad["line_items"][0]["quantity"] = 10**20
    payload["orders"].append(bad)
    return str(write(tmp_path, "shopify_orders.json", json.dumps(payload)))


def test_import_prints_one_json_object_and_exits_by_rejections(db: str, capsys, tmp_path) -> None:
    code, out, err = _run(capsys, "--db", db, "import", _page_with_bad_order(tmp_path))
    result = json.loads(out)
    assert code == 1 and list(result) == KEYS and out.count("\n") == 1
    assert err == "7 of 7 orders done\n"  # progress goes to stderr, never into the JSON
    assert (result["created"], result["cancelled"], result["rejected"]) == (6, 1, 1)
    assert result["errors"] == [
        {"ref": "shopify_orders.json order #1008 (item 8)",
         "message": "line 1 (SKU IPOD2008GREEN): quantity 100000000000000000000 is too "
                    "large (at most 2147483647)"}
    ]  # fmt: skip
    code, out, _ = _run(
        capsys, "--db", db, "import", str(DATA / "woocommerce_orders.json"),
        "--format", "woocommerce-json", "--channel", "web-shop",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["created"] == 5


def test_dry_run_and_strict(db: str, capsys, tmp_path) -> None:
    code, out, _ = _run(capsys, "--db", db, "import", str(DATA / "shopify_export.csv"), "--dry-run")
    assert code == 0 and json.loads(out)["created"] == 5
    code, out, _ = _run(capsys, "--db", db, "orders", "list", "--json")
    assert json.loads(out) == []
    code, out, _ = _run(capsys, "--db", db, "import", _page_with_bad_order(tmp_path), "--strict")
    assert code == 1 and json.loads(out)["rejected"] == 8 and json.loads(out)["created"] == 0


def test_usage_errors_exit_2(db: str, capsys, tmp_path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", db, "import", str(DATA / "shopify_orders.json"), "--format", "xml"])
    assert exit_info.value.code == 2
    code, _, err = _run(capsys, "--db", db, "import", str(tmp_path / "missing.json"))
    assert code == 2 and "no such file" in err
    code, _, err = _run(
        capsys, "--db", db, "import", str(DATA / "generic_orders.csv"), "--format", "csv"
    )
    assert code == 2 and "--profile" in err
    code, _, err = _run(
        capsys, "--db", db, "import", str(DATA / "generic_orders.csv"), "--profile", "nope"
    )
    assert code == 2 and "no CSV profile named 'nope'" in err


def test_bad_file_is_a_rejection_not_a_crash(db: str, capsys, tmp_path) -> None:
    code, out, _ = _run(capsys, "--db", db, "import", str(write(tmp_path, "e.json", b"")))
    assert code == 1 and json.loads(out)["errors"][0] == {
        "ref": "e.json", "message": "e.json: the file is empty"
    }  # fmt: skip


def test_orders_list(db: str, capsys) -> None:
    _run(capsys, "--db", db, "import", str(DATA / "shopify_export.csv"))
    code, out, _ = _run(capsys, "--db", db, "orders", "list", "--json", "--search", "müller")
    rows = json.loads(out)
    assert code == 0 and [r["number"] for r in rows] == ["#2003"]
    assert {"number", "channel", "external_id", "status", "customer", "ship_by", "lines"} <= set(
        rows[0]
    )
    assert rows[0]["lines"] == 2 and rows[0]["channel"] == "shopify"
    _, out, _ = _run(capsys, "--db", db, "orders", "list", "--json", "--status", "cancelled")
    assert [r["number"] for r in json.loads(out)] == ["#2002"]
    _, out, _ = _run(
        capsys, "--db", db, "orders", "list", "--search", "IPOD2008BLACK", "--limit", "1"
    )
    assert out.count("\n") == 1 and out.startswith("#2006")


def test_progress_on_a_pipe_is_a_few_plain_lines() -> None:
    stream = io.StringIO()
    progress = TerminalProgress("orders", stream)
    for done in range(500, 20_001, 500):
        progress(done, 20_000)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "500 of 20000 orders done" and lines[-1] == "20000 of 20000 orders done"
    assert len(lines) == 5


def test_progress_on_a_terminal_redraws_in_place() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Tty()
    progress = TerminalProgress("orders", stream)
    progress(1, 2)
    progress(2, 2)
    assert stream.getvalue() == (
        "\r[###############...............] 1/2 orders"
        "\r[##############################] 2/2 orders\n"
    )


def test_channel_drop_folder_set_and_watch(db: str, capsys, tmp_path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    code, out, _ = _run(
        capsys, "--db", db, "channels", "set", "woo", "--kind", "woocommerce",
        "--drop-folder", str(inbox),
    )  # fmt: skip
    assert code == 0 and json.loads(out)["drop_folder"] == str(inbox.resolve())
    (inbox / "a.json").write_bytes((DATA / "woocommerce_orders.json").read_bytes())
    code, out, _ = _run(
        capsys, "--db", db, "channels", "watch", "--polls", "2", "--interval", "0"
    )  # fmt: skip
    assert code == 0 and json.loads(out) == {
        "file": "a.json", "ok": True, "moved_to": str(inbox.resolve() / "done" / "a.json")
    }  # fmt: skip


def test_profile_saved_on_the_command_line_imports_a_csv(db: str, capsys) -> None:
    maps = ["external_id=Order Ref", "sku=Item", "qty=Qty", "customer_name=Customer",
            "ship_street1=Street", "ship_city=Town", "ship_postal_code=Postcode",
            "ship_country=Country", "cancelled=Cancelled"]  # fmt: skip
    argv = ["--db", db, "profiles", "save", "market"]
    for item in maps:
        argv += ["--map", item]
    code, out, _ = _run(capsys, *argv, "--date-format", "%Y-%m-%d %H:%M")
    assert code == 0 and json.loads(out)["options"] == {"date_format": "%Y-%m-%d %H:%M"}
    code, out, _ = _run(
        capsys, "--db", db, "import", str(DATA / "generic_orders.csv"), "--profile", "market",
        "--channel", "marketplace",
    )  # fmt: skip
    assert code == 0 and (json.loads(out)["created"], json.loads(out)["cancelled"]) == (3, 1)
    code, _, err = _run(capsys, "--db", db, "profiles", "save", "x", "--map", "color=Red")
    assert code == 2 and "FIELD=COLUMN" in err
    code, out, _ = _run(capsys, "--db", db, "profiles", "list")
    assert [p["name"] for p in json.loads(out)] == ["market"]
