"""Role permissions and layered settings (CLI > env > config file > default)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wms_desk.domain.errors import PermissionDenied
from wms_desk.domain.roles import Permission, Role, can, require
from wms_desk.settings import ConfigError, load_settings

PACKER_FORBIDDEN = {
    Permission.CANCEL_ORDERS,
    Permission.EDIT_STOCK,
    Permission.MANAGE_USERS,
    Permission.CHANGE_SETTINGS,
    Permission.MANAGE_STATIONS,
    Permission.VIEW_QUEUE,
}


def test_packer_may_pick_and_pack_but_nothing_a_supervisor_does() -> None:
    assert can(Role.PACKER, Permission.PICK_AND_PACK)
    for permission in PACKER_FORBIDDEN:
        assert not can(Role.PACKER, permission)
        with pytest.raises(PermissionDenied, match="packer may not"):
            require(Role.PACKER, permission)


def test_refusals_say_what_was_tried_and_whom_to_ask() -> None:
    from wms_desk.domain.roles import ACTIONS

    assert set(ACTIONS) == set(Permission)
    with pytest.raises(PermissionDenied) as refused:
        require(Role.PACKER, Permission.VIEW_QUEUE)
    assert str(refused.value) == "A packer may not view the order queue; ask a supervisor."
    with pytest.raises(PermissionDenied) as refused:
        require(Role.SUPERVISOR, Permission.MANAGE_USERS)
    assert str(refused.value) == "A supervisor may not manage users; ask an admin."
    assert "_" not in str(refused.value)
    assert can(Role.PACKER, Permission.VIEW_STOCK)


def test_supervisor_runs_the_floor_but_only_admins_manage_users_and_stations() -> None:
    for permission in (Permission.CANCEL_ORDERS, Permission.EDIT_STOCK, Permission.CHANGE_SETTINGS):
        assert can(Role.SUPERVISOR, permission)
    for permission in (Permission.MANAGE_USERS, Permission.MANAGE_STATIONS):
        assert not can(Role.SUPERVISOR, permission)
        assert can(Role.ADMIN, permission)
    assert set(Permission) == {p for p in Permission if can(Role.ADMIN, p)}


def test_settings_layers_cli_over_env_over_file_over_default(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('station = "from-file"\ndb = "sqlite:///file.db"\npoll_seconds = 9\n')
    env = {"WMS_DESK_STATION": "from-env"}
    settings = load_settings(cli={"station": "from-cli"}, environ=env, config_path=config)
    assert settings.station == "from-cli"
    settings = load_settings(cli={}, environ=env, config_path=config)
    assert settings.station == "from-env" and settings.source["station"] == "WMS_DESK_STATION"
    assert settings.db == "sqlite:///file.db" and settings.source["db"] == str(config)
    assert settings.poll_seconds == 9.0
    assert load_settings(cli={}, environ={}, config_path=tmp_path / "none.toml").poll_seconds == 5.0


def test_the_site_zone_is_the_machines_own_unless_set(tmp_path: Path) -> None:
    """Reports count days in it; the screens show times in the machine's zone, so by default
    a report of today and the dashboard's today are the same day."""
    import tzlocal

    unset = load_settings(cli={}, environ={}, config_path=tmp_path / "none.toml")
    assert unset.timezone == tzlocal.get_localzone_name()
    berlin = load_settings(
        cli={}, environ={"WMS_DESK_TIMEZONE": "Europe/Berlin"}, config_path=tmp_path / "none.toml"
    )
    assert berlin.timezone == "Europe/Berlin"


def test_a_bad_config_file_says_which_file_and_what_is_wrong(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("stationn = 'typo'\n")
    with pytest.raises(ConfigError, match="unknown settings: stationn"):
        load_settings(cli={}, environ={}, config_path=config)
    config.write_text("station = \n")
    with pytest.raises(ConfigError, match=str(config)):
        load_settings(cli={}, environ={}, config_path=config)
