"""CSV channels learn their shipments from a file: one row per shipment, never written twice."""

from __future__ import annotations

import csv
import errno
import io
import os
import re
import threading
from datetime import UTC
from pathlib import Path

from wms_desk.channels.writeback import (
    FulfilmentRequest,
    WritebackRejected,
    WritebackResult,
    WritebackUnavailable,
)

COLUMNS = (
    "order_number",
    "external_id",
    "carrier",
    "service",
    "tracking_numbers",
    "shipped_at",
    "shipment_id",
)
_LOCK = threading.Lock()  # one writer per process; rows are appended whole with O_APPEND


def file_name(channel: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", channel).strip("_") or "channel"
    return f"{safe}-shipments.csv"


class ExportFileWriteback:
    """Appends to `<folder>/<channel>-shipments.csv`. The shipment id is in every row and is
    looked for before appending, so a retry after a crash between the write and the outbox's
    "sent" finds its row instead of adding a second."""

    def __init__(self, folder: Path, channel: str) -> None:
        self.folder = folder
        self.path = folder / file_name(channel)

    def _written(self, shipment_id: int) -> bool:
        try:
            with self.path.open(newline="", encoding="utf-8") as handle:
                return any(
                    row.get("shipment_id") == str(shipment_id) for row in csv.DictReader(handle)
                )
        except FileNotFoundError:
            return False

    def fulfil(self, request: FulfilmentRequest) -> WritebackResult:
        if not self.folder.is_dir():
            # Often a share that is offline for a while: retried, and shown until it is back.
            raise WritebackUnavailable(
                f"The export folder {self.folder} does not exist or is offline. Create or "
                "reconnect it, or set another with `wms-desk channels writeback NAME "
                "--export-folder DIR`."
            )
        reference = f"{self.path.name}:{request.shipment_id}"
        shipped = request.shipped_at.astimezone(UTC) if request.shipped_at.tzinfo else (
            request.shipped_at.replace(tzinfo=UTC)
        )  # fmt: skip
        row = (
            request.order_number,
            request.order_external_id,
            request.carrier,
            request.service,
            " ".join(request.tracking_numbers),
            shipped.isoformat(timespec="seconds"),
            str(request.shipment_id),
        )
        with _LOCK:
            if self._written(request.shipment_id):
                return WritebackResult(reference, created=False)
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\r\n")
            if not self.path.exists() or self.path.stat().st_size == 0:
                writer.writerow(COLUMNS)
            writer.writerow(row)
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
                try:
                    os.write(fd, text.getvalue().encode("utf-8"))
                    os.fsync(fd)
                finally:
                    os.close(fd)
            except OSError as exc:
                said = (
                    f"The shipment of order {request.order_number} could not be written to "
                    f"{self.path} ({exc.strerror})."
                )
                if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                    raise WritebackRejected(
                        f"{said} Check the folder's permissions, then retry."
                    ) from exc
                raise WritebackUnavailable(said) from exc
        return WritebackResult(reference, created=True)
