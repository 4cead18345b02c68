"""Where a channel's shipments are written back: the shop URL and the name of its secret.

Kept in Channel.settings["writeback"]; the token itself never enters the database (an
environment variable or a 0600 file, read when a request is made: carriers/secrets.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from wms_desk.carriers.secrets import ApiKeyMissing, ApiKeySource
from wms_desk.channels.export_file import ExportFileWriteback
from wms_desk.channels.shopify_api import API_VERSION, ShopifyConfig, ShopifyWriteback
from wms_desk.channels.woocommerce_api import WooConfig, WooWriteback
from wms_desk.db.models import Channel
from wms_desk.domain.roles import Permission
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.import_setup import find_channel
from wms_desk.services.uow import UnitOfWork, unit_of_work

WRITEBACK = "writeback"  # the key in Channel.settings
LOCAL = re.compile(r"^http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$)")


class TargetKind(StrEnum):
    SHOPIFY = "shopify"
    WOOCOMMERCE = "woocommerce"
    EXPORT = "export"  # a CSV file per channel in a folder


@dataclass(frozen=True)
class WritebackTargetInfo:
    channel: str
    kind: TargetKind
    url: str = ""
    secret_env: str = ""
    secret_file: str = ""
    folder: str = ""
    api_version: str = ""

    def as_settings(self) -> dict[str, str]:
        return {
            k: v
            for k, v in (
                ("kind", self.kind.value),
                ("url", self.url),
                ("secret_env", self.secret_env),
                ("secret_file", self.secret_file),
                ("folder", self.folder),
                ("api_version", self.api_version),
            )
            if v
        }

    def secret(self) -> ApiKeySource:
        label = "Shopify access token" if self.kind is TargetKind.SHOPIFY else "WooCommerce key"
        return ApiKeySource(
            self.secret_env, Path(self.secret_file) if self.secret_file else None, label
        )


def default_secret_env(channel: str) -> str:
    """WMS_DESK_CHANNEL_<NAME>_TOKEN: the variable looked at when no other was named."""
    return "WMS_DESK_CHANNEL_" + (re.sub(r"[^A-Z0-9]+", "_", channel.upper()).strip("_")) + "_TOKEN"


def target_of(row: Channel) -> WritebackTargetInfo | None:
    raw: Mapping[str, Any] = (row.settings or {}).get(WRITEBACK) or {}
    if not raw.get("kind"):
        return None
    try:
        kind = TargetKind(raw["kind"])
    except ValueError:
        return None
    return WritebackTargetInfo(
        row.name,
        kind,
        str(raw.get("url") or ""),
        str(raw.get("secret_env") or ""),
        str(raw.get("secret_file") or ""),
        str(raw.get("folder") or ""),
        str(raw.get("api_version") or ""),
    )


def open_target(
    info: WritebackTargetInfo, timeout_s: float = 10.0
) -> ShopifyWriteback | WooWriteback | ExportFileWriteback:
    """The client for a target (closed by the caller when it has one)."""
    if info.kind is TargetKind.SHOPIFY:
        config = ShopifyConfig(info.url, info.secret(), info.api_version or API_VERSION, timeout_s)
        return ShopifyWriteback(config)
    if info.kind is TargetKind.WOOCOMMERCE:
        return WooWriteback(WooConfig(info.url, info.secret(), timeout_s))
    return ExportFileWriteback(Path(info.folder), info.channel)


def _channel(session: Session, name: str) -> Channel:
    row = find_channel(session, name)
    if row is None:
        raise NotFound(
            f"No channel {name!r}. Create it with `wms-desk channels set {name} --kind K`."
        )
    return row


@unit_of_work(Permission.CHANGE_SETTINGS)
def set_writeback(
    uow: UnitOfWork,
    channel: str,
    url: str = "",
    token_file: str = "",
    token_env: str = "",
    export_folder: str = "",
    api_version: str = "",
    off: bool = False,
) -> WritebackTargetInfo | None:
    """Point a channel's write-back at its shop's API (Shopify, WooCommerce) or at an export
    folder; `off` stops it. The secret is checked now, so a wrong path is found today, not at
    the first shipment."""
    row = _channel(uow.session, channel)
    before = dict(row.settings or {}).get(WRITEBACK)
    info: WritebackTargetInfo | None = None
    if not off:
        info = _target(row, url.strip(), token_file, token_env.strip(), export_folder, api_version)
    settings = {k: v for k, v in (row.settings or {}).items() if k != WRITEBACK}
    if info is not None:
        settings[WRITEBACK] = info.as_settings()
    row.settings = settings
    uow.audit(
        "channel.writeback_set", "channel", row.id, {"writeback": before},
        {"writeback": settings.get(WRITEBACK)},
    )  # fmt: skip
    return info


def _target(
    row: Channel, url: str, token_file: str, token_env: str, folder: str, api_version: str
) -> WritebackTargetInfo:
    if folder:
        if url or token_file or token_env:
            raise ValidationFailed("Give either --export-folder or --url with its token, not both.")
        path = Path(folder).expanduser().resolve()
        if not path.is_dir():
            raise ValidationFailed(f"The export folder {path} does not exist; create it first.")
        return WritebackTargetInfo(row.name, TargetKind.EXPORT, folder=str(path))
    if row.kind not in (TargetKind.SHOPIFY.value, TargetKind.WOOCOMMERCE.value):
        raise ValidationFailed(
            f"Channel {row.name} is a {row.kind} channel: it has no shop API. Write its "
            "shipments to a file with --export-folder DIR."
        )
    if not re.match(r"^https?://[^/\s]+", url):
        raise ValidationFailed(
            f"Give the shop's address for {row.name}, e.g. --url https://my-shop.myshopify.com."
        )
    if url.startswith("http://") and not LOCAL.match(url):
        # The token goes in a header (Shopify) or as basic auth (WooCommerce): never in clear.
        raise ValidationFailed(f"Use https:// for {row.name}'s shop address, not {url}.")
    info = WritebackTargetInfo(
        row.name,
        TargetKind(row.kind),
        url.rstrip("/"),
        token_env or default_secret_env(row.name),
        str(Path(token_file).expanduser().resolve()) if token_file else "",
        api_version=(api_version or API_VERSION) if row.kind == TargetKind.SHOPIFY else "",
    )
    if token_file:
        try:
            info.secret().read()
        except ApiKeyMissing as exc:
            raise ValidationFailed(str(exc)) from exc
    return info
