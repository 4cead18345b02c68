"""`file:///folder`: one file per job, named by job id, written atomically."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from wms_desk.printing.transports import PrinterUnreachable, extension


@dataclass(frozen=True)
class FileTransport:
    folder: Path

    def send(self, payload: bytes, job_id: str, fmt: str, title: str) -> None:
        if not self.folder.is_dir():
            raise PrinterUnreachable(f"The print folder {self.folder} does not exist.")
        target = self.folder / f"{job_id}.{extension(fmt)}"
        temporary = target.with_name(f".{target.name}.part")
        # Written aside and renamed: a watcher never sees half a job, so a failure here
        # means nothing was "printed" and the job can be retried safely.
        try:
            with temporary.open("wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except OSError as exc:
            temporary.unlink(missing_ok=True)
            raise PrinterUnreachable(f"Cannot write {target}: {exc.strerror or exc}") from exc


def transport(url: str) -> FileTransport:
    parts = urlsplit(url)
    return FileTransport(Path(unquote(parts.netloc + parts.path)))
