"""A channel's drop folder imports into that channel and files the result."""

from __future__ import annotations

import json
import shutil

from tests.channels.intake import DATA, orders, stocked
from wms_desk.services.context import ServiceContext
from wms_desk.services.drop_folder import drop_folders, poll_drop_folders
from wms_desk.services.import_setup import ensure_channel


def test_drop_folder_imports_into_its_channel(system_ctx: ServiceContext, tmp_path) -> None:
    stocked(system_ctx)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    ensure_channel(system_ctx, "woo-eu", "woocommerce", {"drop_folder": str(inbox)})
    ensure_channel(system_ctx, "no-folder", "manual")
    folders = drop_folders(system_ctx)
    assert len(folders) == 1
    shutil.copy(DATA / "woocommerce_orders.json", inbox / "orders.json")
    # A channel's error answer saved as a file: nothing to import, the file goes to failed/.
    (inbox / "shopify.json").write_text('{"errors": "Not Found"}', encoding="utf-8")
    assert poll_drop_folders(system_ctx, folders) == []
    outcomes = poll_drop_folders(system_ctx, folders)
    assert sorted((o.moved_to.parent.name, o.ok) for o in outcomes) == [
        ("done", True), ("failed", False),
    ]  # fmt: skip
    report = json.loads((inbox / "done" / "orders.json.report.json").read_text())
    assert (report["channel"], report["created"], report["cancelled"]) == ("woo-eu", 5, 1)
    assert orders(system_ctx)["727"].channel_id == orders(system_ctx)["723"].channel_id
    failed = json.loads((inbox / "failed" / "shopify.json.report.json").read_text())
    assert "Not Found" in failed["errors"][0]["message"]
