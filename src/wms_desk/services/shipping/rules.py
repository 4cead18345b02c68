"""Shipping rules a supervisor edits: one document per scope ("" = all channels, or a channel)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.db.models import CarrierAccount, Channel, ShippingRuleSet
from wms_desk.domain.roles import Permission
from wms_desk.domain.service_selection import ShippingRules
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.uow import UnitOfWork, read_only, unit_of_work


@dataclass(frozen=True)
class RulesChoices:
    """What a rules editor offers: the channels that can have their own rules, the carriers."""

    channels: tuple[str, ...]
    carriers: tuple[str, ...]
    with_own_rules: tuple[str, ...]  # scopes that have saved rules ("" = all channels)


def rules_for(session: Session, channel: str) -> ShippingRules:
    """The channel's own rules, else the rules for every channel, else the defaults."""
    # Both scopes in one read: most sites have no rules saved at all, and each miss was a query.
    rows = {
        scope: rules
        for scope, rules in session.execute(
            select(ShippingRuleSet.scope, ShippingRuleSet.rules).where(
                ShippingRuleSet.scope.in_({channel, ""})
            )
        )
    }
    for scope in (channel, ""):
        if scope in rows:
            return ShippingRules.from_doc(rows[scope])
    return ShippingRules()


@read_only
def get_rules(session: Session, channel: str = "") -> ShippingRules:
    return rules_for(session, channel)


@read_only
def rules_choices(session: Session) -> RulesChoices:
    return RulesChoices(
        tuple(session.scalars(select(Channel.name).order_by(Channel.name))),
        tuple(session.scalars(select(CarrierAccount.code).order_by(CarrierAccount.code))),
        tuple(session.scalars(select(ShippingRuleSet.scope).order_by(ShippingRuleSet.scope))),
    )


def _check(session: Session, rules: ShippingRules, channel: str) -> None:
    """A typo must not save rules nobody uses: name what is unknown and what is known."""
    if channel and session.scalar(select(Channel.id).where(Channel.name == channel)) is None:
        known = ", ".join(session.scalars(select(Channel.name).order_by(Channel.name)))
        raise NotFound(f"No channel {channel!r} (known: {known or 'none yet'}).")
    carriers = set(session.scalars(select(CarrierAccount.code)))
    named = {rules.preferred_carrier} | {m.carrier for m in rules.mappings}
    named |= {e.carrier for e in rules.exclusions}
    unknown = sorted(c for c in named - {""} if c not in carriers)
    if unknown:
        raise ValidationFailed(
            f"The rules name carrier {', '.join(unknown)}, which is not set up (carriers: "
            f"{', '.join(sorted(carriers)) or 'none yet'}). Nothing was saved."
        )
    for m in rules.mappings:
        if not m.channel_service.strip() or not m.service.strip():
            raise ValidationFailed(
                f"A service mapping to {m.carrier} needs both the channel's service name and "
                "the carrier's service code. Nothing was saved."
            )


@unit_of_work(Permission.CHANGE_SETTINGS)
def save_rules(uow: UnitOfWork, rules: ShippingRules, channel: str = "") -> ShippingRules:
    _check(uow.session, rules, channel)
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
