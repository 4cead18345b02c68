"""`python -m tests.e2e.pack_worker URL ORDER CODE N`: packs as pat at station pack-01 through the
services (opens ORDER, scans CODE N times), prints READY and waits to be killed mid-order."""

from __future__ import annotations

import sys

from wms_desk.services import auth, packing
from wms_desk.services.context import ServiceContext, system_actor
from wms_desk.services.database import Database
from wms_desk.services.stations import ensure_station


def main(url: str, number: str, code: str, count: int) -> None:
    database = Database(url)
    station = ensure_station(database, "pack-01")
    actor = auth.actor_for(ServiceContext(database, system_actor()), "pat", station)
    ctx = ServiceContext(database, actor)
    session = packing.open_order(ctx, number)
    for _ in range(count):
        verdict = packing.verify_scan(ctx, session.order_id, code)
        if not verdict.accepted:
            raise SystemExit(f"scan refused: {verdict.message}")
    print("READY", flush=True)
    sys.stdin.read()  # until SIGKILL: the parent kills this process mid-order


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
