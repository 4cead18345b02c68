"""A void and a manifest close at the same moment: a label is never both void and on the form."""

from __future__ import annotations

import threading

from sqlalchemy import select

from tests.services.shipdata import import_nordpost, packed_order
from wms_desk.db.models import Shipment
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.shipping import labels, manifests, voids

ROUNDS = 6


def _race(ctx: ServiceContext, tracking: str) -> dict[str, object]:
    """Void `tracking` and close the manifest in two threads released together."""
    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def void() -> None:
        start.wait()
        try:
            results["void"] = voids.void_label(ctx, tracking, "race")
        except ValidationFailed as exc:
            results["void"] = exc

    def close() -> None:
        start.wait()
        try:
            results["manifest"] = manifests.close_manifest(ctx, "nordpost")
        except ValidationFailed as exc:
            results["manifest"] = exc

    threads = [threading.Thread(target=void), threading.Thread(target=close)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_void_and_manifest_racing_never_leave_a_void_label_on_a_manifest(
    system_ctx, database, tmp_path
) -> None:
    import_nordpost(system_ctx)
    printer = (tmp_path / "p").as_uri()
    for n in range(ROUNDS):
        order_id = packed_order(database, f"RACE-{n}", (900,))
        tracking = labels.ship_order(system_ctx, order_id, printer_url=printer).labels[0].tracking
        results = _race(system_ctx, tracking)
        # Another error type would leave its key missing: the KeyError fails the test loudly.
        voided = isinstance(results["void"], voids.VoidInfo)
        manifested = isinstance(results["manifest"], manifests.ManifestInfo)
        assert voided != manifested, results  # exactly one of them won
    with database.read_session() as session:
        bad = session.scalar(
            select(Shipment.id).where(
                Shipment.status == "voided", Shipment.manifest_id.is_not(None)
            )
        )
    assert bad is None
