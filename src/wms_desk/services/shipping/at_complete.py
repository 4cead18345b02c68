"""Pack COMPLETE with an online carrier: the labels are bought once packing has committed."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from wms_desk.printing.model import Address
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.shipping.online import online_accounts
from wms_desk.services.uow import UnitOfWork

log = logging.getLogger(__name__)


def buy_after_commit(uow: UnitOfWork, order_id: int, ship_from: Address) -> bool:
    """True when an online carrier is active: the purchase is then queued to run after this
    transaction (its network calls must not hold the packing transaction and its locks), and
    its outcome is added to the COMPLETE answer. False: rate cards only, bought here as before."""
    if not online_accounts(uow.session):
        return False

    def buy(ctx: ServiceContext, verdict: Any) -> Any:
        from wms_desk.services.shipping.purchase import ship_anywhere

        try:
            note = ship_anywhere(ctx, order_id, None, None, ship_from).message
        except (ValidationFailed, NotFound) as exc:
            # CarrierDown says "... stays packed; try again from the Ship screen" itself.
            text = str(exc)
            note = (
                text
                if "Ship screen" in text
                else f"No label bought: {text} Buy it from the Ship screen."
            )
        except Exception:  # the packing is committed: say so rather than lose the answer
            log.exception("buying the label after pack COMPLETE failed")
            note = "No label bought (an unexpected error, logged). Buy it from the Ship screen."
        message = getattr(verdict, "message", None)
        if not isinstance(message, str) or not dataclasses.is_dataclass(verdict):
            return verdict
        if isinstance(verdict, type):
            return verdict
        return dataclasses.replace(verdict, message=f"{message.rstrip()} {note}")

    uow.after_commit(buy)
    return True
