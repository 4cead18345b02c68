"""A long order on the Pack screen (whole station, scanner on a pty): the line just scanned is
scrolled into view and its count repainted, even when the catalogue has no pictures (the
picture column is hidden then); a scan changes that one row, it does not reset the table."""

from __future__ import annotations

from PySide6.QtCore import QRect

from tests.e2e import pack_station as fixtures
from tests.e2e.pack_station import open_order, scan, sign_in
from tests.services import packdata
from tests.services.packdata import Item
from wms_desk.domain.packing import ScanOutcome
from wms_desk.ui.screens.pack_lines import VERIFIED

pack_station = fixtures.pack_station
scale = fixtures.scale
scanner = fixtures.scanner


def _ean13(first12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return first12 + str((10 - total % 10) % 10)


def test_the_scanned_line_of_a_long_order_is_scrolled_into_view_and_only_its_row_changes(
    qtbot, pack_station
) -> None:
    items = [Item(f"LONG-{n:02d}", _ean13(f"21{n:010d}")) for n in range(40)]
    packdata.add_items(pack_station.database, *items)
    packdata.order(pack_station.database, "L40", [(item.sku, 1) for item in items])
    sign_in(qtbot, pack_station)
    screen = pack_station.screen
    pack_station.app.window.resize(1366, 768)
    open_order(qtbot, pack_station, "L40")
    assert screen.table.isColumnHidden(0)  # no pictures in this catalogue
    resets: list[int] = []
    changed: list[tuple[int, int]] = []
    screen.model.modelReset.connect(lambda: resets.append(1))
    screen.model.dataChanged.connect(lambda a, b, *_: changed.append((a.row(), b.row())))
    target = screen.model.row_of(screen.session.lines[35].line_id)
    assert target is not None
    viewport = QRect(0, 0, screen.table.viewport().width(), screen.table.viewport().height())
    cell = screen.table.visualRect(screen.model.index(target, VERIFIED))
    assert not viewport.intersects(cell)  # far below the fold before the scan
    verdict = scan(qtbot, pack_station, items[35].code)
    assert verdict.outcome is ScanOutcome.VERIFIED
    cell = screen.table.visualRect(screen.model.index(target, VERIFIED))
    assert viewport.contains(cell), (cell, viewport)  # the packer sees the count change
    assert screen.model.index(target, VERIFIED).data().startswith("1")
    assert resets == [] and changed == [(target, target)]
