"""What the Reports filter bar offers (channels, carriers, stations, packers); the site's zone."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from wms_desk.services.context import ServiceContext

_ZONEINFO = "zoneinfo/"


@dataclass(frozen=True)
class ReportChoices:
    channels: tuple[str, ...]
    carriers: tuple[str, ...]
    stations: tuple[str, ...]
    packers: tuple[str, ...]


def load_choices(ctx: ServiceContext) -> ReportChoices:
    """Runs on a worker: the names the report filters take, from the queue's choices and the
    carrier accounts (two short reads)."""
    from wms_desk.services.queue import filter_choices
    from wms_desk.services.shipping.accounts import list_carriers

    choices = filter_choices(ctx)
    return ReportChoices(
        tuple(name for _id, name in choices.channels),
        tuple(c.code for c in list_carriers(ctx)),
        tuple(name for _id, name in choices.stations),
        tuple(name for _id, name in choices.users),
    )


def local_zone() -> str:
    """The IANA name of this computer's time zone (reports count days and hours in it):
    $TZ, else where /etc/localtime points; UTC when neither says."""
    named = os.environ.get("TZ", "").lstrip(":")
    if named and "/" in named and not named.startswith("/"):
        return named
    try:
        target = str(Path("/etc/localtime").resolve())
    except OSError:
        return "UTC"
    index = target.find(_ZONEINFO)
    return target[index + len(_ZONEINFO) :] if index >= 0 else "UTC"
