"""Role permissions and layered settings (CLI > env > config file > default)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wms_desk.domain.errors import PermissionDenied
from wms_desk.domain.roles import Permission, Role, can, require
from wms_desk.settings import ConfigError, load_settings

PACKER_FORBIDDEN = {
    Permission.CANCEL_ORDERS, Permission.EDIT_STOCK, Permission.MANAGE_USERS,
    Permission.CHANGE_SETTINGS, Permission.MANAGE_STATIONS, Permission.VIEW_QUEUE,
}


def test_packer_may_pick_and_pack_but_nothing_a_supervisor_does() -> None:
    assert can(Role.PACKER, Permission.PICK_AND_PACK)
    for permission in PACKER_FORBIDDEN:
        assert not can(Role.PACKER, permission)
        with pytest.raises(PermissionDenied, match="packer may not"):
            require(Role.PACKER, permission)


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


def test_a_bad_config_file_says_which_file_and_what_is_wrong(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("stationn = 'typo'\n")
    with pytest.raises(ConfigError, match="unknown settings: stationn"):
        load_settings(cli={}, environ={}, config_path=config)
    config.write_text("station = \n")
    with pytest.raises(ConfigError, match=str(config)):
        load_settings(cli={}, environ={}, config_path=config)
