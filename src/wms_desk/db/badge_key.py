"""Where the key that protects badge codes lives: never in the database that holds the codes."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

ENV_KEY = "WMS_DESK_BADGE_KEY"
ENV_KEY_FILE = "WMS_DESK_BADGE_KEY_FILE"
KEY_FILE_NAME = "badge.key"
KEY_BYTES = 32
# The database keeps only a check value made with the key: a station with another key is told
# so, rather than every badge silently being "not known".
CHECK_SETTING = "badge_key_check"
LEGACY_SETTING = "badge_hmac_key"  # where revisions before 0003 kept the key itself
_CHECK_MESSAGE = b"wms-desk badge key check v1"


class BadgeKeyError(Exception):
    """The badge key cannot be read or made; the message names the place and what to do."""


@dataclass(frozen=True)
class KeySource:
    """Where this station takes the badge key from: the environment or a key file."""

    path: Path | None  # None when WMS_DESK_BADGE_KEY holds the key itself

    def describe(self) -> str:
        return f"the key file {self.path}" if self.path else f"the {ENV_KEY} variable"


def key_source(url: str | URL) -> KeySource:
    """WMS_DESK_BADGE_KEY, else WMS_DESK_BADGE_KEY_FILE, else badge.key in the data folder.

    The data folder is the embedded database file's folder, or for a shared database the
    station's data folder from its settings (`data_dir`, WMS_DESK_DATA_DIR).
    """
    if os.environ.get(ENV_KEY):
        return KeySource(None)
    if os.environ.get(ENV_KEY_FILE):
        return KeySource(Path(os.environ[ENV_KEY_FILE]).expanduser())
    parsed = make_url(str(url))
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return KeySource(Path(str(parsed.database)).resolve().parent / KEY_FILE_NAME)
    from wms_desk.settings import load_settings

    return KeySource(load_settings().data_path / KEY_FILE_NAME)


def _parse(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) < 16:
        raise BadgeKeyError(
            f"The badge key in {where} is not valid: it must be at least 32 hexadecimal digits. "
            "Copy it again from a station where badges work."
        )
    return key


def existing_key(source: KeySource) -> bytes | None:
    """The key if this station has one, None if its key file does not exist yet."""
    if source.path is None:
        return _parse(os.environ[ENV_KEY], source.describe())
    try:
        return _parse(source.path.read_text(encoding="ascii"), source.describe())
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise BadgeKeyError(
            f"Cannot read {source.describe()}: {exc}. Check its permissions."
        ) from exc


def write_key(source: KeySource, key: bytes) -> bool:
    """Create the key file (owner-only) holding key; False if another process made it first."""
    assert source.path is not None, "a key given in the environment is never written"
    try:
        source.path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting at once must not each write a different key.
        fd = os.open(source.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    except OSError as exc:
        raise BadgeKeyError(
            f"Cannot create {source.describe()}: {exc}. "
            f"Check that the folder is writable, or set {ENV_KEY_FILE}."
        ) from exc
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key.hex() + "\n")
    return True


def load_or_create_key(url: str | URL) -> bytes:
    """This station's badge key, made (random, 256 bits) the first time it is needed."""
    source = key_source(url)
    key = existing_key(source)
    if key is not None:
        return key
    write_key(source, secrets.token_bytes(KEY_BYTES))
    key = existing_key(source)
    assert key is not None
    return key


def key_check(key: bytes) -> str:
    """A value that tells one key from another without revealing it (HMAC of a fixed text)."""
    return hmac.new(key, _CHECK_MESSAGE, hashlib.sha256).hexdigest()
