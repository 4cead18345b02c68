"""A state shown by the style sheet (device indicators, dashboard tiles) follows every change."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel

from wms_desk.ui.feedback import _COLOURS, FeedbackLine, Tone
from wms_desk.ui.status_bar import StationStatusBar
from wms_desk.ui.theme import apply_theme
from wms_desk.ui.widgets.tile import NumberTile


@pytest.fixture
def themed(qapp):
    """The shipped style sheet, for this test only (the other UI tests run without it)."""
    before = qapp.styleSheet()
    apply_theme(qapp)
    yield qapp
    qapp.setStyleSheet(before)


def ink(label: QLabel) -> str:
    return label.palette().color(QPalette.ColorRole.WindowText).name()


def test_a_device_indicator_takes_the_colour_of_each_new_state(qtbot, themed) -> None:
    bar = StationStatusBar()
    qtbot.addWidget(bar)
    bar.show()
    bar.set_device_state("scanner", "connected")
    label = bar._devices["scanner"]
    assert ink(label) == "#166534"  # app.qss: #StatusOk
    bar.set_device_state("scanner", "error")
    assert ink(label) == "#b91c1c"  # #StatusBad
    bar.set_device_state("scanner", "offline")
    assert ink(label) == "#92400e"  # #StatusWarn
    bar.set_database("embedded", "/tmp/x.sqlite3", ok=False)
    assert ink(bar.database) == "#b91c1c"


def test_a_tile_greys_its_number_at_zero_and_colours_it_again_after(qtbot, themed) -> None:
    tile = NumberTile("Late", tone="bad")
    qtbot.addWidget(tile)
    tile.show()
    tile.set_count(3)
    assert ink(tile.number) == "#b91c1c"  # #DashTile[tone="bad"] #DashTileNumber
    tile.set_count(0)
    assert ink(tile.number) == "#9ca3af"  # #DashTile[empty="true"] #DashTileNumber
    tile.set_count(5)
    assert ink(tile.number) == "#b91c1c"


def test_the_feedback_line_flashes_each_tone_then_settles(qtbot, themed) -> None:
    line = FeedbackLine()
    qtbot.addWidget(line)
    line.resize(600, 60)

    def background() -> str:
        # Inside the margin, clear of the text and the rounded corners.
        return line.grab().toImage().pixelColor(6, line.height() // 2).name()

    for tone in (Tone.ERROR, Tone.SUCCESS, Tone.ERROR, Tone.WARNING):
        line.show_message(tone, f"{tone.value} text")
        flash, settled, settled_ink = _COLOURS[tone]
        assert line.isVisible() and line.text == f"{tone.value} text"
        assert background() == flash and ink(line.label) == "#ffffff"
        line._settled()
        assert background() == settled and ink(line.label) == settled_ink
