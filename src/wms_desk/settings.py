"""Every option declared once (type, default, help); CLI flag > env WMS_DESK_* > file > default."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "wms-desk"
ENV_PREFIX = "WMS_DESK_"


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Option:
    """One setting: its name is also the config key, and WMS_DESK_<NAME> is its env var."""

    name: str
    type: Callable[[Any], Any]
    default: Any
    help: str

    @property
    def env_var(self) -> str:
        return ENV_PREFIX + self.name.upper()


OPTIONS: tuple[Option, ...] = (
    Option(
        "db", str, None, "Database URL; empty means the embedded SQLite file in the data folder."
    ),
    Option("station", str, None, "This station's name; defaults to the computer's host name."),
    Option("demo", _bool, False, "Run on the demo database with simulated devices."),
    Option("data_dir", str, None, "Folder for the embedded database and demo data."),
    Option(
        "company_name", str, "Northwind Fulfilment", "Ship-from company name on labels and slips."
    ),
    Option(
        "company_address",
        str,
        "12 Dock Road|Springfield, IL 62701|US",
        "Ship-from address lines separated by '|'.",
    ),
    Option("gs1_company_prefix", str, "0614141", "GS1 company prefix used to build SSCCs."),
    Option("label_printer", str, None, "Label printer address (file://, tcp://, cups://, ...)."),
    Option("document_printer", str, None, "Document printer address for slips and pick lists."),
    Option("scanner_port", str, None, "Serial scanner address (pyserial URL)."),
    Option("scanner_suffix", str, None, "What ends a serial scan: cr, lf, crlf or tab."),
    Option("scale_port", str, None, "Scale address (pyserial URL)."),
    Option(
        "scale_protocol", str, None, "Scale protocol: mt-sics, nci, toledo-continuous, cas, regex."
    ),
    Option("sound_volume", float, 0.8, "Volume of the scan sounds, from 0 (silent) to 1."),
    Option(
        "poll_seconds", float, 5.0, "How often screens refresh on SQLite (no push notifications)."
    ),
    Option(
        "easypost_url",
        str,
        "https://api.easypost.com/v2",
        "EasyPost API address (tracking polls); a test server's for trials.",
    ),
    Option(
        "timezone",
        str,
        None,
        "The site's time zone (IANA name, e.g. Europe/Berlin): reports count its days and hours. "
        "Unset: this computer's own zone, the one every screen shows times in.",
    ),
)
OPTIONS_BY_NAME: dict[str, Option] = {o.name: o for o in OPTIONS}


@functools.cache
def machine_timezone() -> str:
    """This computer's IANA zone name (tzlocal reads it on Linux, macOS and Windows)."""
    try:
        import tzlocal

        return str(tzlocal.get_localzone_name() or "UTC")
    except Exception:  # an unnamed or broken local zone: count in UTC rather than fail
        return "UTC"


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class Settings:
    """Resolved settings; `source` tells, per option, where its value came from."""

    values: Mapping[str, Any]
    source: Mapping[str, str] = field(default_factory=dict)
    config_path: Path | None = None

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def station_name(self) -> str:
        return self.values.get("station") or _machine_name() or "station-1"

    @property
    def timezone(self) -> str:
        """The zone reports count days in: as set, else this machine's, so that a report of
        "today" and the dashboard's today are the same day without any setting."""
        return str(self.values.get("timezone") or machine_timezone())

    @property
    def data_path(self) -> Path:
        return Path(self.values["data_dir"]) if self.values.get("data_dir") else default_data_dir()

    @property
    def company_address_lines(self) -> list[str]:
        return [line.strip() for line in str(self.values["company_address"]).split("|")]

    def with_overrides(self, **overrides: Any) -> Settings:
        values = dict(self.values)
        source = dict(self.source)
        for name, value in overrides.items():
            values[name] = OPTIONS_BY_NAME[name].type(value) if value is not None else None
            source[name] = "override"
        return Settings(values, source, self.config_path)


def _machine_name() -> str:
    """The machine's name, as socket.gethostname() gives it, without importing socket (a few
    milliseconds of every start-up, for one name)."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    return os.environ.get("COMPUTERNAME", "")


class ConfigError(Exception):
    """The config file cannot be read; the message names the file and the problem."""


def read_config_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    import tomllib  # only when there is a file: a station without one starts without it

    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Cannot read the config file {path}: {exc}") from exc
    unknown = sorted(set(data) - set(OPTIONS_BY_NAME))
    if unknown:
        raise ConfigError(
            f"The config file {path} has unknown settings: {', '.join(unknown)}. "
            f"Known settings: {', '.join(OPTIONS_BY_NAME)}."
        )
    return data


def load_settings(
    cli: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    config_path: Path | None = None,
) -> Settings:
    """Resolve every option: CLI flag (not None) > environment > config file > default."""
    cli = cli or {}
    environ = os.environ if environ is None else environ
    path = (
        config_path
        or (Path(environ[ENV_PREFIX + "CONFIG"]) if environ.get(ENV_PREFIX + "CONFIG") else None)
        or default_config_path()
    )
    config = read_config_file(path)
    values: dict[str, Any] = {}
    source: dict[str, str] = {}
    for option in OPTIONS:
        if cli.get(option.name) is not None:
            raw, where = cli[option.name], "command line"
        elif environ.get(option.env_var):
            raw, where = environ[option.env_var], option.env_var
        elif option.name in config:
            raw, where = config[option.name], str(path)
        else:
            values[option.name], source[option.name] = option.default, "default"
            continue
        try:
            values[option.name] = option.type(raw)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"Setting '{option.name}' from {where} is not valid: {exc}") from exc
        source[option.name] = where
    return Settings(values, source, path)
