"""`wms-desk channels writeback NAME ...`: one JSON object; where the secret is, not the secret."""

from __future__ import annotations

import json

from wms_desk.cli.main import main


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_set_show_and_switch_off(capsys, sqlite_db_url: str, tmp_path) -> None:
    db = sqlite_db_url
    assert _run(capsys, "--db", db, "channels", "set", "shop", "--kind", "shopify")[0] == 0
    token = tmp_path / "shop.token"
    token.write_text("shpat_secret_value\n")
    token.chmod(0o600)
    code, out, err = _run(
        capsys, "--db", db, "channels", "writeback", "shop",
        "--url", "https://shop.myshopify.com/", "--token-file", str(token),
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "name": "shop",
        "writeback": {
            "kind": "shopify", "url": "https://shop.myshopify.com",
            "secret_env": "WMS_DESK_CHANNEL_SHOP_TOKEN", "secret_file": str(token),
            "api_version": "2024-07",
        },
    }  # fmt: skip
    # Import settings changed later keep the write-back target.
    folder = tmp_path / "drop"
    folder.mkdir()
    code, out, _ = _run(
        capsys, "--db", db, "channels", "set", "shop", "--kind", "shopify",
        "--drop-folder", str(folder),
    )  # fmt: skip
    assert code == 0 and json.loads(out)["writeback"]["kind"] == "shopify"
    assert "shpat_secret_value" not in out
    code, out, _ = _run(capsys, "--db", db, "channels", "writeback", "shop", "--off")
    assert (code, json.loads(out)) == (0, {"name": "shop", "writeback": None})


def test_refusals_say_what_to_do(capsys, sqlite_db_url: str, tmp_path) -> None:
    db = sqlite_db_url
    code, _, err = _run(capsys, "--db", db, "channels", "writeback", "nope", "--url", "https://x")
    assert code == 1 and "No channel 'nope'" in err and "channels set nope" in err
    _run(capsys, "--db", db, "channels", "set", "sheet", "--kind", "csv")
    code, _, err = _run(capsys, "--db", db, "channels", "writeback", "sheet", "--url", "https://x")
    assert code == 1 and "--export-folder" in err
    code, out, _ = _run(
        capsys, "--db", db, "channels", "writeback", "sheet", "--export-folder", str(tmp_path)
    )
    assert code == 0 and json.loads(out)["writeback"] == {
        "kind": "export",
        "folder": str(tmp_path.resolve()),
    }


def test_outbox_send_writes_back_and_says_what_the_shop_refused(
    capsys, db_url: str, system_ctx, database, monkeypatch, tmp_path
) -> None:
    from tests.channels.shop_servers import ShopifyShop
    from tests.services.shipdata import import_nordpost
    from tests.services.test_channel_writeback import SHOPIFY_LINES, shop_order
    from wms_desk.services.channel_targets import set_writeback
    from wms_desk.services.shipping import labels

    shop = ShopifyShop()
    try:
        import_nordpost(system_ctx)
        order = shop_order(database, "Shop", "shopify", str(shop.order_id), "#1001", SHOPIFY_LINES)
        set_writeback(system_ctx, "Shop", url=shop.url, token_env="TEST_CLI_SHOPIFY_TOKEN")
        labels.ship_order(system_ctx, order, printer_url=(tmp_path / "labels").as_uri())
        monkeypatch.setenv("TEST_CLI_SHOPIFY_TOKEN", "shpat_wrong")
        code, out, _ = _run(capsys, "--db", db_url, "outbox", "send")
        assert code == 1
        assert out.startswith("dead channel_fulfilment fulfilment:")
        assert "Order #1001 (Shop)" in out and "401" in out and "Invalid API key" in out
        message_id = json.loads(
            _run(capsys, "--db", db_url, "outbox", "list", "--status", "dead", "--json")[1]
        )["id"]
        assert _run(capsys, "--db", db_url, "outbox", "retry", message_id)[0] == 0
        monkeypatch.setenv("TEST_CLI_SHOPIFY_TOKEN", ShopifyShop.TOKEN)
        code, out, _ = _run(capsys, "--db", db_url, "outbox", "send")
        (made,) = shop.live_fulfilments()
        assert code == 0 and out.strip().endswith(f": {made['id']}")
    finally:
        shop.close()
