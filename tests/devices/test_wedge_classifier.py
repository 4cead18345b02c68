"""Wedge classification on synthetic timestamps: scans are swallowed whole, typing is given back."""

from __future__ import annotations

from wms_desk.devices.wedge import WedgeClassifier, WedgeConfig, WedgeStep
from wms_desk.domain.scan import GS


def type_keys(classifier: WedgeClassifier, text: str, gap_s: float, start: float = 0.0):
    """Feed each char at a fixed gap; returns (steps, scans, replayed chars, passed chars)."""
    steps: list[WedgeStep] = []
    for index, char in enumerate(text):
        steps.append(classifier.feed(char, start + index * gap_s, payload=char))
    scans = [step.scan for step in steps if step.scan is not None]
    replayed = "".join(char for step in steps for char in step.replay)
    passed = "".join(char for char, step in zip(text, steps, strict=True) if not step.consume)
    return steps, scans, replayed, passed


def test_a_fast_burst_ending_in_enter_is_one_swallowed_scan() -> None:
    classifier = WedgeClassifier()
    steps, scans, replayed, passed = type_keys(classifier, "5901234123457\r", gap_s=0.008)
    assert scans == ["5901234123457"]
    assert all(step.consume for step in steps)  # not one key reaches the focused widget
    assert replayed == "" and passed == ""
    assert not classifier.pending


def test_human_typing_is_given_back_in_order() -> None:
    classifier = WedgeClassifier()
    steps, scans, replayed, passed = type_keys(classifier, "abc12\r", gap_s=0.180)
    assert scans == []
    # Each held key comes back when the next one arrives too late to be a scanner's.
    assert replayed == "abc12"
    assert classifier.expire(10.0).replay == ()  # nothing left behind
    assert passed == "\r"
    assert steps[-1].replay == ("2",)  # the last key is released just before Enter passes


def test_a_held_key_is_released_when_the_hold_time_passes() -> None:
    classifier = WedgeClassifier(WedgeConfig(max_gap_ms=30))
    assert classifier.feed("x", 1.000, "x").consume
    assert classifier.deadline() == 1.060
    assert classifier.expire(1.059).replay == ()
    assert classifier.expire(1.060).replay == ("x",)


def test_too_short_bursts_are_typing_even_when_fast() -> None:
    classifier = WedgeClassifier(WedgeConfig(min_length=4))
    _steps, scans, replayed, passed = type_keys(classifier, "ab1\r", gap_s=0.005)
    assert scans == []
    assert replayed == "ab1" and passed == "\r"


def test_thresholds_are_configurable() -> None:
    relaxed = WedgeClassifier(WedgeConfig(max_gap_ms=80, min_length=3))
    assert type_keys(relaxed, "ABC\r", gap_s=0.060)[1] == ["ABC"]
    strict = WedgeClassifier(WedgeConfig(max_gap_ms=10))
    assert type_keys(strict, "ABCDEF\r", gap_s=0.015)[1] == []


def test_median_gap_tolerates_one_slow_key() -> None:
    classifier = WedgeClassifier()
    times = [0.0, 0.01, 0.02, 0.05, 0.06, 0.07]  # one 30 ms hiccup in the middle
    steps = [classifier.feed(char, at, char) for char, at in zip("ABCDE\r", times, strict=True)]
    assert steps[-1].scan == "ABCDE"


def test_typing_then_a_scan_right_after() -> None:
    classifier = WedgeClassifier()
    _steps, _scans, replayed, _passed = type_keys(classifier, "hi", gap_s=0.2)
    assert replayed == "h"
    _steps, scans, replayed, _passed = type_keys(classifier, "ORD:42\r", gap_s=0.01, start=1.0)
    assert replayed == "i"  # the last typed key is released before the scan starts
    assert scans == ["ORD:42"]


def test_fnc1_substitute_becomes_gs_but_the_aim_prefix_keeps_its_bracket() -> None:
    classifier = WedgeClassifier(WedgeConfig(fnc1="]"))
    scans = type_keys(classifier, "]C10109506000134352]10ABC]21X\r", gap_s=0.005)[1]
    assert scans == ["]C10109506000134352" + GS + "10ABC" + GS + "21X"]
    gs_keys = WedgeClassifier()
    assert type_keys(gs_keys, f"10AB{GS}21C\r", gap_s=0.005)[1] == [f"10AB{GS}21C"]


def test_tab_terminator_and_interrupting_keys() -> None:
    classifier = WedgeClassifier(WedgeConfig(suffix="tab"))
    assert type_keys(classifier, "A-01-03\t", gap_s=0.004)[1] == ["A-01-03"]
    classifier.feed("q", 5.0, "q")
    assert classifier.interrupt().replay == ("q",)  # an arrow key: give the q back first
    enter_only = WedgeClassifier(WedgeConfig(suffix="tab"))
    assert type_keys(enter_only, "ABCDE\r", gap_s=0.004)[1] == []  # Enter is text here


def test_binding_round_trip() -> None:
    binding = {"enabled": True, "suffix": "crlf", "fnc1": "~", "max_gap_ms": 25, "min_length": 6}
    config = WedgeConfig.from_binding(binding)
    assert config.fnc1 == "~" and config.hold_s == 0.05
    assert config.as_binding() == binding
    assert WedgeConfig.from_binding(None) == WedgeConfig()
