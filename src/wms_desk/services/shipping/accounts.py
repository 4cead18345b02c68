"""Carrier accounts: importing a rate card, listing carriers, and a carrier with its counter."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from wms_desk.carriers.rate_card import RateCardCarrier
from wms_desk.carriers.rate_card_file import RateCardFileError, parse_rate_card
from wms_desk.db.models import CarrierAccount, TrackingCounter
from wms_desk.domain.rates import RateCard
from wms_desk.domain.roles import Permission
from wms_desk.domain.tracking_numbers import TrackingRange
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.uow import UnitOfWork, insert_ignoring_duplicates, read_only, unit_of_work


@dataclass(frozen=True)
class CarrierInfo:
    code: str
    name: str
    kind: str
    card_code: str
    currency: str
    services: tuple[str, ...]
    tracking_range: str
    next_serial: int | None
    active: bool


class DbSerialSource:
    """`SerialSource` on a counter row, in the caller's transaction: one UPDATE ... RETURNING
    claims `count` serials atomically, so concurrent stations never get the same number."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def take(self, card_code: str, tracking: TrackingRange, count: int) -> list[int]:
        insert_ignoring_duplicates(
            self.session,
            TrackingCounter,
            {"card_code": card_code, "next_serial": tracking.start},
            "card_code",
        )
        after = self.session.execute(
            text(
                "UPDATE tracking_counters SET next_serial = next_serial + :n "
                "WHERE card_code = :code RETURNING next_serial"
            ),
            {"n": count, "code": card_code},
        ).scalar_one()
        serials = list(range(int(after) - count, int(after)))
        tracking.format(serials[-1])  # raises TrackingRangeError when the range is used up
        return serials


_CARDS: dict[str, RateCard] = {}


def card_of(account: CarrierAccount) -> RateCard:
    """The parsed card (cached by its text: parsing TOML on every rate would be wasted work)."""
    key = hashlib.sha1(account.rate_card.encode(), usedforsecurity=False).hexdigest()
    card = _CARDS.get(key)
    if card is None:
        card = _CARDS[key] = parse_rate_card(account.rate_card, f"carrier {account.code}")
    return card


def carrier_for(session: Session, account: CarrierAccount) -> RateCardCarrier:
    if account.kind != "rate_card":
        raise ValidationFailed(
            f"Carrier {account.code} is a {account.kind} account; this version rates and buys "
            "through rate-card carriers only. Import a rate card for it, or ship it by hand."
        )
    return RateCardCarrier(card_of(account), DbSerialSource(session))


def find_account(session: Session, name: str) -> CarrierAccount:
    """By account code, name or rate-card code, ignoring case."""
    wanted = name.strip().lower()
    for account in session.scalars(select(CarrierAccount).order_by(CarrierAccount.id)):
        card_code = card_of(account).code.lower() if account.kind == "rate_card" else ""
        if wanted in (account.code.lower(), account.name.lower(), card_code):
            return account
    known = ", ".join(session.scalars(select(CarrierAccount.code))) or "none yet"
    raise NotFound(
        f"No carrier {name!r} (known: {known}). Import its rate card with "
        "`wms-desk carriers import-rates FILE --carrier NAME`."
    )


def active_accounts(session: Session) -> list[CarrierAccount]:
    return list(
        session.scalars(
            select(CarrierAccount)
            .where(CarrierAccount.active.is_(True), CarrierAccount.kind == "rate_card")
            .order_by(CarrierAccount.id)
        )
    )


def _info(session: Session, account: CarrierAccount) -> CarrierInfo:
    if account.kind != "rate_card":
        return CarrierInfo(account.code, account.name, account.kind, "", "", (), "", None, True)
    card = card_of(account)
    t = card.tracking
    counter = session.get(TrackingCounter, card.code)
    return CarrierInfo(
        account.code,
        account.name,
        account.kind,
        card.code,
        card.currency,
        tuple(s.code for s in card.services),
        f"{t.format(t.start)} .. {t.format(t.end)}" if t else "",
        counter.next_serial if counter else (t.start if t else None),
        account.active,
    )


@unit_of_work(Permission.CHANGE_SETTINGS)
def import_rate_card(uow: UnitOfWork, source: str, carrier: str, text_: str) -> CarrierInfo:
    """Create or replace carrier `carrier`'s rate card from TOML text (checked first)."""
    try:
        card = parse_rate_card(text_, source)
    except RateCardFileError as exc:
        raise ValidationFailed(str(exc)) from exc
    code = carrier.strip()
    if not code:
        raise ValidationFailed("Name the carrier the rate card is for (--carrier NAME).")
    session = uow.session
    account = session.scalar(
        select(CarrierAccount).where(func.lower(CarrierAccount.code) == code.lower())
    )
    before = None
    if account is None:
        account = CarrierAccount(code=code, name=card.carrier, kind="rate_card")
        session.add(account)
    else:
        before = {"card": card_of(account).code if account.rate_card else ""}
    account.rate_card = text_
    account.name = card.carrier
    account.kind = "rate_card"
    account.updated_at = uow.now
    session.flush()
    uow.audit("carrier.import_rates", "carrier", account.code, before, {"card": card.code})
    return _info(session, account)


def import_rate_card_file(ctx: ServiceContext, path: Path, carrier: str) -> CarrierInfo:
    try:
        content = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationFailed(f"Cannot read rate card {path}: {exc.strerror}.") from exc
    return import_rate_card(ctx, str(path), carrier, content)


@read_only
def list_carriers(session: Session) -> list[CarrierInfo]:
    accounts = session.scalars(select(CarrierAccount).order_by(CarrierAccount.code))
    return [_info(session, a) for a in accounts]
