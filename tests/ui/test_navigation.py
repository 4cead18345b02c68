"""The screen registry: every built screen has a factory, every planned one says what it holds."""

from __future__ import annotations

from wms_desk.ui.navigation import SCREENS

BUILT = {
    "dashboard",
    "reports",
    "queue",
    "pick",
    "pack",
    "ship",
    "returns",
    "desk",
    "inventory",
    "prints",
    "settings",
}


def test_built_screens_have_factories_and_the_rest_describe_themselves() -> None:
    for spec in SCREENS:
        assert all(isinstance(item, str) for item in spec.planned), spec.key
        if spec.key in BUILT:
            assert callable(spec.factory), spec.key
        else:
            assert spec.factory is None and len(spec.planned) >= 3, spec.key
