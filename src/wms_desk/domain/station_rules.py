"""Per-station scan policy and work filters, as data; leases and their expiry."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from wms_desk.domain.weighing import Tolerance

LEASE_SECONDS = 120  # a claim lapses two minutes after the last heartbeat or scan


class Operation(StrEnum):
    PICK = "pick"
    PACK = "pack"


@dataclass(frozen=True)
class PickPolicy:
    require_bin_scan: bool = True
    scan_every_unit: bool = True  # False: one scan, then a quantity entry
    accept_case_barcodes: bool = True
    require_tote_scan: bool = False


@dataclass(frozen=True)
class PackPolicy:
    accept_case_barcodes: bool = True
    require_weight: bool = True
    print_slip: bool = True
    # Packers may confirm items without a barcode by hand at this station (else supervisors).
    packers_confirm_by_hand: bool = False
    hand_confirm_user_ids: tuple[int, ...] = ()
    tolerance: Tolerance = field(default_factory=Tolerance)


@dataclass(frozen=True)
class WorkFilter:
    """Which orders "Next order" may give this station."""

    services: tuple[str, ...] = ()
    single_item_only: bool = False
    zones: tuple[str, ...] = ()


@dataclass(frozen=True)
class StationRules:
    pick: PickPolicy = field(default_factory=PickPolicy)
    pack: PackPolicy = field(default_factory=PackPolicy)
    work: WorkFilter = field(default_factory=WorkFilter)

    def to_dict(self) -> dict[str, Any]:
        pack = {f.name: getattr(self.pack, f.name) for f in fields(self.pack)}
        pack["tolerance"] = {k: str(v) for k, v in vars(self.pack.tolerance).items()}
        pack["hand_confirm_user_ids"] = list(self.pack.hand_confirm_user_ids)
        return {
            "pick": {f.name: getattr(self.pick, f.name) for f in fields(self.pick)},
            "pack": pack,
            "work": {
                "services": list(self.work.services),
                "single_item_only": self.work.single_item_only,
                "zones": list(self.work.zones),
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> StationRules:
        """Unknown keys are ignored and missing ones take defaults, so old rows stay readable."""
        data = data or {}
        pick = {k: bool(v) for k, v in dict(data.get("pick") or {}).items() if k in _PICK}
        raw_pack = dict(data.get("pack") or {})
        tol = {
            k: Decimal(str(v))
            for k, v in dict(raw_pack.get("tolerance") or {}).items()
            if k in _TOL
        }
        pack: dict[str, Any] = {k: bool(v) for k, v in raw_pack.items() if k in _PACK_FLAGS}
        pack["hand_confirm_user_ids"] = tuple(
            int(i) for i in raw_pack.get("hand_confirm_user_ids") or ()
        )
        pack["tolerance"] = Tolerance(**tol)
        work = dict(data.get("work") or {})
        return cls(
            PickPolicy(**pick),
            PackPolicy(**pack),
            WorkFilter(
                tuple(str(s) for s in work.get("services") or ()),
                bool(work.get("single_item_only", False)),
                tuple(str(z) for z in work.get("zones") or ()),
            ),
        )


_PICK = {f.name for f in fields(PickPolicy)}
_PACK_FLAGS = {"accept_case_barcodes", "require_weight", "print_slip", "packers_confirm_by_hand"}
_TOL = {f.name for f in fields(Tolerance)}


def lease_until(now: datetime, seconds: int = LEASE_SECONDS) -> datetime:
    return now + timedelta(seconds=seconds)


# A scan renews its order's lease only once this much of it has run down. A packer scans every
# few seconds; renewing on each scan was an UPDATE of the order (and a change event to every
# station) per scan for a lease that still had nearly two minutes to run.
RENEW_AFTER_SECONDS = 15


def lease_wants_renewal(until: datetime | None, now: datetime) -> bool:
    return until is None or until - now < timedelta(seconds=LEASE_SECONDS - RENEW_AFTER_SECONDS)


def lease_is_live(until: datetime | None, now: datetime) -> bool:
    return until is not None and until > now
