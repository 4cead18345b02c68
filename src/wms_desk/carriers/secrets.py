"""API keys for carrier accounts: read from the environment or a key file, never the database."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from wms_desk.carriers.base import CarrierError


class ApiKeyMissing(CarrierError):
    """No usable API key: the message says where it was looked for and how to set it."""


@dataclass(frozen=True)
class ApiKeySource:
    """Where a carrier's key lives. The database stores this (an env var name, a file path),
    never the key: the key is read when a request is made and kept only in memory."""

    env_var: str
    key_file: Path | None = None
    label: str = "carrier"
    # The SMTP password reuses this: "The SMTP password is not set ... in the e-mail settings".
    what: str = "API key"
    settings: str = "station settings"

    def read(self) -> str:
        value = os.environ.get(self.env_var, "").strip()
        if value:
            return value
        if self.key_file is not None:
            return self._read_file(self.key_file)
        raise ApiKeyMissing(
            f"The {self.label} {self.what} is not set. Set the environment variable "
            f"{self.env_var}, or name a file holding it in the {self.settings}."
        )

    def _read_file(self, path: Path) -> str:
        try:
            info = path.stat()
            if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
                # Same rule as ssh keys: a key others can read is a leaked key.
                raise ApiKeyMissing(
                    f"The {self.label} {self.what} file {path} can be read by other users. Run "
                    f"'chmod 600 {path}' and try again."
                )
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ApiKeyMissing(
                f"The {self.label} {self.what} file {path} cannot be read ({exc.strerror}). Check "
                f"the path in the {self.settings}, or set {self.env_var}."
            ) from exc
        if not value:
            raise ApiKeyMissing(f"The {self.label} {self.what} file {path} is empty.")
        return value
