"""The big weight widget: digits as the scale sent them, and a colour per state."""

from __future__ import annotations

from decimal import Decimal

import pytest

from wms_desk.devices.scales.base import Reading, WeightStatus
from wms_desk.ui.widgets.weight_display import STATE_STYLES, WeightDisplay


@pytest.fixture
def display(qtbot) -> WeightDisplay:
    widget = WeightDisplay()
    qtbot.addWidget(widget)
    return widget


def test_stable_then_motion_then_overload(display: WeightDisplay) -> None:
    assert (display.weight_text(), display.state) == ("—", "none")
    display.show_reading(Reading(WeightStatus.STABLE, "0001.250", "kg", Decimal("1250.000")))
    assert (display.weight_text(), display.state) == ("1.250 kg", "stable")
    assert STATE_STYLES["stable"][0] in display.styleSheet()
    display.show_reading(Reading(WeightStatus.MOTION, "0001.3", "kg", Decimal("1300.0")))
    assert (display.weight_text(), display.state) == ("1.3 kg", "motion")
    assert display.caption.text() == STATE_STYLES["motion"][2]
    display.show_reading(Reading(WeightStatus.OVERLOAD))
    assert (display.weight_text(), display.state) == ("—", "overload")


def test_offline_never_shows_an_old_weight(display: WeightDisplay) -> None:
    display.show_reading(Reading(WeightStatus.STABLE, "12.34", "lb", Decimal("5597.3298458")))
    display.on_device_state("scanner", "disconnected")  # another device: no effect
    assert display.state == "stable"
    display.on_device_state("scale", "offline")
    assert (display.weight_text(), display.state) == ("—", "offline")
    display.show_reading(Reading(WeightStatus.STABLE, "-0.000", "kg", Decimal(0)))
    assert display.weight_text() == "0.000 kg"
    display.show_reading(Reading(WeightStatus.DISCONNECTED))
    assert (display.weight_text(), display.state) == ("—", "offline")
    assert STATE_STYLES["offline"][0] in display.styleSheet()
