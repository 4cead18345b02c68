"""The return policy as the settings screen and the CLI read and change it."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from wms_desk.domain.returns import Reason, ReturnPolicy, ReturnRefused
from wms_desk.services.returns.common import load_policy
from wms_desk.services.returns.rma import set_return_policy
from wms_desk.services.uow import read_only

__all__ = ["get_return_policy", "parse_fee", "policy_doc", "set_return_policy"]

REASON_CHOICES = ", ".join(r.value for r in Reason)


@read_only
def get_return_policy(session: Session) -> ReturnPolicy:
    return load_policy(session)


def _reason(text: str) -> Reason:
    try:
        return Reason(text.strip().lower())
    except ValueError:
        raise ReturnRefused(f"{text!r} is not a return reason ({REASON_CHOICES}).") from None


def parse_fee(spec: str) -> tuple[Reason, Decimal]:
    """`no_longer_needed:15` -> (reason, 15 percent)."""
    reason, sep, pct = spec.partition(":")
    if not sep:
        raise ReturnRefused(f"{spec!r}: write a fee as REASON:PERCENT, e.g. no_longer_needed:15.")
    try:
        value = Decimal(pct.strip())
    except InvalidOperation:
        raise ReturnRefused(f"{spec!r}: {pct.strip()!r} is not a percentage.") from None
    return _reason(reason), value


def parse_reasons(text: str) -> frozenset[Reason]:
    """`damaged,wrong_item` (or an empty text for none)."""
    return frozenset(_reason(part) for part in text.split(",") if part.strip())


def policy_doc(policy: ReturnPolicy) -> dict[str, object]:
    """The JSON shape `wms-desk rma policy --json` prints (keys are a contract)."""
    return {
        "window_days": policy.window_days,
        "restocking_fee_pct": {r.value: str(policy.fee_pct(r)) for r in Reason},
        "refund_shipping_reasons": sorted(r.value for r in policy.refund_shipping_reasons),
    }
