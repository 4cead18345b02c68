"""Pack screen parts: the shipped sounds, the lines model, and that the station screens fit a
1366x768 display (the end-to-end flows are in tests/e2e/test_pack_station.py)."""

from __future__ import annotations

import wave
from decimal import Decimal

import pytest
from PySide6.QtCore import QSize

from wms_desk.services.packing.session import Barcode, SessionLine
from wms_desk.ui.feedback import FeedbackLine, ScanFeedback, Sounds, Tone
from wms_desk.ui.screens.pack_lines import VERIFIED, PackLinesModel
from wms_desk.ui.theme import resources_dir


@pytest.mark.parametrize("tone", list(Tone))
def test_each_tone_has_a_short_valid_wav(tone: Tone) -> None:
    path = resources_dir() / "sounds" / f"{tone.value}.wav"
    with wave.open(str(path), "rb") as wav:
        assert wav.getnchannels() == 1 and wav.getsampwidth() == 2
        seconds = wav.getnframes() / wav.getframerate()
        frames = wav.readframes(wav.getnframes())
    assert 0.03 < seconds < 0.6  # short: heard hundreds of times a day
    assert max(abs(int.from_bytes(frames[i : i + 2], "little", signed=True))
               for i in range(0, len(frames), 2)) > 8000  # fmt: skip


def test_each_tone_plays_at_the_set_volume_and_zero_is_silent(qtbot) -> None:
    line = FeedbackLine()
    qtbot.addWidget(line)
    sounds = Sounds(volume=0.4)
    assert set(sounds.files) == set(Tone) and all(p.is_file() for p in sounds.files.values())
    feedback = ScanFeedback(line, sounds)
    for tone in Tone:
        feedback.show(tone, f"{tone.value} text")
    assert sounds.played == list(Tone)
    assert sounds.backend in ("qt", "beep") and sounds.volume == pytest.approx(0.4)
    sounds.volume = 3
    assert sounds.volume == 1.0
    sounds.volume = 0
    feedback.show(Tone.ERROR, "silent")
    assert sounds.played[-1] is Tone.ERROR  # recorded, though nothing is heard at volume 0


def _line(n: int, verified: int = 0) -> SessionLine:
    return SessionLine(
        n, n, f"SKU-{n}", f"Thing {n}", None, f"A-01-0{n}", 2, verified, 0, n == 2, False,
        (Barcode(f"40000000000{n}", 1),),
    )  # fmt: skip


def test_the_lines_model_passes_qtmodeltester_and_repaints_only_changed_rows(qtmodeltester) -> None:
    model = PackLinesModel()
    model.show((_line(1), _line(2), _line(3)))
    qtmodeltester.check(model, force_py=True)
    changed: list[int] = []
    model.dataChanged.connect(lambda top, _bottom: changed.append(top.row()))
    model.show((_line(1), _line(2, verified=2), _line(3)), last_line_id=2)
    assert changed == [1]
    assert model.index(1, VERIFIED).data() == "2 ✓"
    assert "[serial]" in model.index(1, 2).data()


def test_pack_and_pick_screens_fit_1366_by_768(qtbot) -> None:
    from wms_desk.services.packing.session import PackageView
    from wms_desk.ui.screens.pack_side import PackSide, package_text

    side = PackSide()
    qtbot.addWidget(side)
    hint = side.minimumSizeHint()
    # Beside the 190 px navigation and the lines table, within the window's body.
    assert hint.width() <= 430 and hint.height() <= 768 - 200, hint
    assert QSize(1366, 768).width() - 190 - 430 >= 600  # room left for the lines
    box = PackageView(1, 2, "S", (), 3, Decimal(1250), Decimal(1200), "warn", "scale", False)
    assert package_text(box, True).startswith("▶ Box 1 of 2 · S · 3 items · 1.250 kg")
