"""`file:///folder`: one file per job, named by document and order, written atomically."""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from wms_desk.printing.transports import PrinterUnreachable, extension

# The titles the services give jobs: `Label W1194 1/2`, `Label W1194 1/2 1Z999 (reprint)`,
# `CN22 W1194 1Z999`, `Packing slip W1194`, `Pick list B7`.
_TITLES = (
    (re.compile(r"^Label (?P<ref>.+?) (?P<seq>\d+)/\d+(?: .*)?$"), "label"),
    (re.compile(r"^CN22 (?P<ref>.+) \S+$"), "cn22"),
    (re.compile(r"^CN23 (?P<ref>.+) \S+$"), "cn23"),
    (re.compile(r"^Packing slip (?P<ref>.+)$"), "slip"),
    (re.compile(r"^Pick list (?P<ref>.+)$"), "picklist"),
)
_UNSAFE = re.compile(r"[^\w-]+")  # \w: letters and digits of any script, and `_`
MAX_STEM = 120  # well under every file system's 255 bytes, with `-n` and the extension
MAX_REF = 80


def safe_part(text: str) -> str:
    """Letters, digits (any script), `-` and `_` kept; every other run (`/`, `#`, `.`, spaces,
    emoji) becomes one `_`, none at the ends. `#1001` -> `1001`, `A/B` -> `A_B`."""
    return _UNSAFE.sub("_", unicodedata.normalize("NFC", text.strip())).strip("_")


def file_stem(title: str, job_id: str) -> str:
    """`label-W1194-1`, `slip-W1194`, `picklist-B7`; other jobs by their title, else the id."""
    for pattern, document in _TITLES:
        match = pattern.match(title.strip())
        if match:
            parts = [document, safe_part(match["ref"])[:MAX_REF] or "order"]
            if "seq" in pattern.groupindex:
                parts.append(match["seq"])
            return "-".join(parts)
    return (safe_part(title) or job_id)[:MAX_STEM]


@dataclass(frozen=True)
class FileTransport:
    folder: Path

    def send(self, payload: bytes, job_id: str, fmt: str, title: str) -> None:
        if not self.folder.is_dir():
            raise PrinterUnreachable(f"The print folder {self.folder} does not exist.")
        stem = file_stem(title, job_id)
        ext = extension(fmt)
        temporary = self.folder / f".{job_id}.{ext}.part"
        target = self.folder / f"{stem}.{ext}"
        # Written aside, then linked in under a name nobody has: a watcher never sees half a
        # job, an earlier print of the same document is never overwritten (`-2`, `-3`...), and
        # a failure here means nothing was "printed", so the job can be retried safely.
        try:
            with temporary.open("wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            n = 1
            while True:
                target = self.folder / (f"{stem}.{ext}" if n == 1 else f"{stem}-{n}.{ext}")
                try:
                    os.link(temporary, target)  # fails if the name exists: no overwrite race
                    break
                except FileExistsError:
                    n += 1
        except OSError as exc:
            raise PrinterUnreachable(f"Cannot write {target}: {exc.strerror or exc}") from exc
        finally:
            temporary.unlink(missing_ok=True)


def transport(url: str) -> FileTransport:
    parts = urlsplit(url)
    return FileTransport(Path(unquote(parts.netloc + parts.path)))
