"""Shipping rules a supervisor edits: one document per scope ("" = all channels, or a channel)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from wms_desk.db.models import ShippingRuleSet
from wms_desk.domain.roles import Permission
from wms_desk.domain.service_selection import ShippingRules
from wms_desk.services.uow import UnitOfWork, read_only, unit_of_work


def rules_for(session: Session, channel: str) -> ShippingRules:
    """The channel's own rules, else the rules for every channel, else the defaults."""
    for scope in (channel, ""):
        row = session.get(ShippingRuleSet, scope)
        if row is not None:
            return ShippingRules.from_doc(row.rules)
    return ShippingRules()


@read_only
def get_rules(session: Session, channel: str = "") -> ShippingRules:
    return rules_for(session, channel)


@unit_of_work(Permission.CHANGE_SETTINGS)
def save_rules(uow: UnitOfWork, rules: ShippingRules, channel: str = "") -> ShippingRules:
    row = uow.session.get(ShippingRuleSet, channel)
    before = row.rules if row is not None else None
    if row is None:
        row = ShippingRuleSet(scope=channel)
        uow.session.add(row)
    row.rules = rules.as_doc()
    row.updated_by_id = uow.actor.user_id
    row.updated_at = uow.now
    uow.audit("shipping.rules", "shipping_rules", channel or "*", before, row.rules)
    return rules
