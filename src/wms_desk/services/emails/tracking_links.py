"""A carrier account's tracking-link pattern, for labels whose carrier gives no link itself
(labels made elsewhere and recorded by hand; a rate card without `tracking_url`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wms_desk.db.models import CarrierAccount
from wms_desk.domain.roles import Permission
from wms_desk.domain.tracking_numbers import tracking_link
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.shipping.accounts import find_account, manual_account
from wms_desk.services.uow import UnitOfWork, unit_of_work

SETTING = "tracking_url"  # in CarrierAccount.settings


def check_pattern(pattern: str) -> str:
    pattern = pattern.strip()
    if pattern and (not pattern.startswith(("https://", "http://")) or "{tracking}" not in pattern):
        raise ValidationFailed(
            f"{pattern!r} is not a tracking link: give an http(s) link with {{tracking}} where "
            "the number goes, such as https://carrier.example/track?id={tracking}."
        )
    return pattern


@unit_of_work(Permission.CHANGE_SETTINGS)
def set_tracking_link(uow: UnitOfWork, carrier: str, pattern: str) -> str:
    """Set (or with '' remove) the link the shipment e-mail gives for this carrier's labels.
    A carrier not known yet is made a manual one (labels made elsewhere), as recording does."""
    pattern = check_pattern(pattern)
    try:
        account = find_account(uow.session, carrier)
    except NotFound:
        account = manual_account(uow, carrier)
    before = dict(account.settings or {})
    settings = {k: v for k, v in before.items() if k != SETTING}
    if pattern:
        settings[SETTING] = pattern
    account.settings = settings
    uow.audit("carrier.tracking_link", "carrier", account.code, before, settings)
    if not pattern:
        return f"The shipment e-mail gives no tracking link for {account.name or account.code}."
    example = tracking_link(pattern, "TRACKING123")
    return f"Shipment e-mails link {account.name or account.code} labels as {example}."


def link_for(session: Session, carrier_code: str, tracking: str) -> str:
    """The account's pattern filled in, or '' when it has none."""
    settings = session.scalar(
        select(CarrierAccount.settings).where(CarrierAccount.code == carrier_code)
    )
    return tracking_link(str((settings or {}).get(SETTING) or ""), tracking)
