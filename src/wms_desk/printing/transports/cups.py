"""`cups://QUEUE`: hand the job to CUPS with `lp` (raw for ZPL, so CUPS does not filter it)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from wms_desk.printing.transports import OutcomeUnknown, PrinterUnreachable, query


@dataclass(frozen=True)
class CupsTransport:
    queue: str
    timeout: float = 30.0

    def send(self, payload: bytes, job_id: str, fmt: str, title: str) -> None:
        lp = shutil.which("lp")
        if lp is None:
            raise PrinterUnreachable("The `lp` command is missing; install the CUPS client.")
        command = [lp, "-d", self.queue, "-t", (title or job_id)[:100]]
        if fmt == "zpl":
            command += ["-o", "raw"]
        try:
            result = subprocess.run(
                command, input=payload, capture_output=True, timeout=self.timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            raise OutcomeUnknown(f"`lp` did not answer for queue {self.queue}") from exc
        except OSError as exc:
            raise PrinterUnreachable(f"Cannot run `lp`: {exc}") from exc
        if result.returncode != 0:
            # lp refused the job before queueing it: nothing will print.
            message = result.stderr.decode(errors="replace").strip() or f"exit {result.returncode}"
            raise PrinterUnreachable(f"CUPS refused the job for queue {self.queue}: {message}")


def transport(url: str) -> CupsTransport:
    parts = urlsplit(url)
    queue = unquote(parts.netloc or parts.path.lstrip("/"))
    if not queue:
        raise PrinterUnreachable(f"No queue name in printer address {url!r}")
    return CupsTransport(queue, float(query(url).get("timeout", 30)))
