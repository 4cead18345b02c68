"""The GS1 parser loads on first use; a scan interpreted while the station's warm-up thread is
loading it must still be read (biip's package imports itself in a circle that broke when two
threads imported it at once: "cannot import name 'GS1Message' from partially initialized
module")."""

from __future__ import annotations

import subprocess
import sys

# A fresh interpreter each time: in this one biip is long imported.
RACE = """
import threading
from wms_desk.domain import scan
go = threading.Event()
def warm():
    go.wait()
    scan.warm_up()
worker = threading.Thread(target=warm)
worker.start()
go.set()
codes = ("4006381333931", "]C10109501101530003", "00000000000000000017")
results = [scan.interpret(code) for code in codes]
worker.join()
print(";".join(r.error or r.kind.value for r in results))
"""


def test_scans_read_while_the_warm_up_loads_the_parser() -> None:
    for _ in range(3):
        run = subprocess.run(
            [sys.executable, "-c", RACE], capture_output=True, text=True, timeout=60, check=False
        )
        assert run.returncode == 0, run.stderr
        assert run.stderr == ""
        assert run.stdout.strip() == "product;product;sscc"
