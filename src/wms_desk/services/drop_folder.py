"""Drop folders per channel: files dropped there are imported into that channel."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wms_desk.channels.drop_folder import DropFolder, DropOutcome
from wms_desk.domain.roles import Permission
from wms_desk.services.context import ServiceContext
from wms_desk.services.import_setup import ChannelInfo, list_channels
from wms_desk.services.imports import import_file


def folder_for(ctx: ServiceContext, channel: ChannelInfo) -> DropFolder | None:
    """The channel's watcher, if its settings name a `drop_folder` (and maybe format, profile)."""
    folder = channel.settings.get("drop_folder")
    if not folder:
        return None

    def handle(path: Path) -> tuple[bool, Mapping[str, Any]]:
        result = import_file(
            ctx, path, channel=channel.name,
            format=channel.settings.get("format") or None,
            profile=channel.settings.get("profile") or None,
        )  # fmt: skip
        return result.rejected == 0, {"channel": channel.name, **result.to_json()}

    return DropFolder(Path(folder), handle)


def drop_folders(ctx: ServiceContext) -> list[DropFolder]:
    ctx.actor.require(Permission.IMPORT_ORDERS)
    return [f for f in (folder_for(ctx, c) for c in list_channels(ctx)) if f is not None]


def poll_drop_folders(ctx: ServiceContext, folders: list[DropFolder]) -> list[DropOutcome]:
    """One pass over every folder (keep the list: a file is taken on the poll after it settles)."""
    ctx.actor.require(Permission.IMPORT_ORDERS)
    return [outcome for folder in folders for outcome in folder.poll()]
