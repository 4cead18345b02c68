"""`wms-desk shipping-rules show | set`: what a supervisor's script can read and change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.carriers.conftest import documented_toml
from tests.services.shipdata import import_nordpost
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.demo_shipping import DEMO_CARRIER, DEMO_RATE_CARD
from wms_desk.services.shipping.accounts import import_rate_card
from wms_desk.services.stations import ensure_station


@pytest.fixture
def nordpost(database: Database) -> None:
    info = ensure_station(database, "cli-test")
    import_nordpost(ServiceContext(database, system_actor(info.id, info.name)))


def test_set_from_toml_then_show_as_json(wms, nordpost, tmp_path: Path) -> None:
    doc = tmp_path / "rules.toml"
    doc.write_text(
        'strategy = "fastest"\npreferred_carrier = "nordpost"\n'
        '[[mappings]]\nchannel_service = "Express"\ncarrier = "nordpost"\nservice = "EXP"\n'
        '[[exclusions]]\ncarrier = "nordpost"\nservice = "EXP"\nmax_weight_g = "5000"\n'
        'countries = ["ca"]\n',
        encoding="utf-8",
    )
    code, out, err = wms("shipping-rules", "set", str(doc))
    assert (code, err) == (0, "")
    assert out.strip() == (
        "Shipping rules saved for all channels: fastest, 1 service mapping(s), 1 exclusion(s)."
    )
    code, out, _ = wms("shipping-rules", "show", "--json")
    assert code == 0
    assert json.loads(out) == {
        "strategy": "fastest",
        "preferred_carrier": "nordpost",
        "mappings": [{"channel_service": "Express", "carrier": "nordpost", "service": "EXP"}],
        "exclusions": [
            {
                "carrier": "nordpost",
                "service": "EXP",
                "max_weight_g": "5000",
                "max_longest_mm": None,
                "countries": ["CA"],
            }
        ],
    }
    code, out, _ = wms("shipping-rules", "show")
    assert "never nordpost:EXP over 5000 g; to CA" in out


def test_bad_documents_and_unknown_names_change_nothing(wms, nordpost, tmp_path: Path) -> None:
    broken = tmp_path / "rules.json"
    broken.write_text('{"strategy": "fastest",', encoding="utf-8")
    code, _, err = wms("shipping-rules", "set", str(broken))
    assert code == 1 and "is not valid JSON" in err and "Nothing was changed" in err

    broken.write_text('{"strategy": "slowest"}', encoding="utf-8")
    code, _, err = wms("shipping-rules", "set", str(broken))
    assert code == 1 and "Strategy 'slowest' is not one of cheapest, fastest" in err

    broken.write_text('{"preferred_carrier": "fedx"}', encoding="utf-8")
    code, _, err = wms("shipping-rules", "set", str(broken))
    assert code == 1 and "carrier fedx, which is not set up (carriers: nordpost)" in err

    broken.write_text('{"strategy": "fastest"}', encoding="utf-8")
    code, _, err = wms("shipping-rules", "set", str(broken), "--channel", "shopfy")
    assert code == 1 and "No channel 'shopfy'" in err

    code, out, _ = wms("shipping-rules", "show", "--json")
    assert json.loads(out)["strategy"] == "cheapest"  # still the defaults


def test_the_documented_rules_example_is_accepted(wms, database, tmp_path: Path) -> None:
    info = ensure_station(database, "cli-test")
    import_rate_card(
        ServiceContext(database, system_actor(info.id, info.name)),
        "demo",
        DEMO_CARRIER,
        DEMO_RATE_CARD,
    )
    doc = tmp_path / "rules.toml"
    doc.write_text(documented_toml("[[exclusions]]"), encoding="utf-8")
    code, out, err = wms("shipping-rules", "set", str(doc))
    assert (code, err) == (0, ""), err
    assert "cheapest_on_time, 1 service mapping(s), 1 exclusion(s)" in out
