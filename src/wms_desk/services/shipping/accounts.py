"""Carrier accounts: importing a rate card, listing carriers, and a carrier with its counter."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wms_desk.carriers.base import Carrier
from wms_desk.carriers.easypost import DEFAULT_URL, EasyPostCarrier, EasyPostConfig
from wms_desk.carriers.manual import ManualCarrier
from wms_desk.carriers.rate_card import RateCardCarrier
from wms_desk.carriers.rate_card_file import RateCardFileError, parse_rate_card
from wms_desk.carriers.secrets import ApiKeySource
from wms_desk.db.models import CarrierAccount, TrackingCounter
from wms_desk.domain.rates import RateCard
from wms_desk.domain.roles import Permission
from wms_desk.domain.tracking_numbers import TrackingRange
from wms_desk.services.context import ServiceContext
from wms_desk.services.errors import NotFound, ValidationFailed
from wms_desk.services.shipping.tracking_poll import DEFAULT_KEY_VARIABLE
from wms_desk.services.shipping.tracking_poll import key_source_of as tracking_key_source
from wms_desk.services.uow import UnitOfWork, read_only, unit_of_work
from wms_desk.services.uow_reads import carrier_accounts


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
    connection: str = ""  # an online account's API base and where its key is read from


class DbSerialSource:
    """`SerialSource` on a counter row, in the caller's transaction: one UPDATE ... RETURNING
    claims `count` serials atomically, so concurrent stations never get the same number."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def take(self, card_code: str, tracking: TrackingRange, count: int) -> list[int]:
        # One upsert (one round trip): the first use makes the row past the range's first
        # `count` serials, every later one moves it on under the row lock (either backend).
        after = self.session.execute(
            text(
                "INSERT INTO tracking_counters (card_code, next_serial) VALUES (:code, :first) "
                "ON CONFLICT (card_code) DO UPDATE "
                "SET next_serial = tracking_counters.next_serial + :n RETURNING next_serial"
            ),
            {"code": card_code, "first": tracking.start + count, "n": count},
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


def carrier_for(session: Session, account: CarrierAccount) -> Carrier:
    """The adapter for an account of any kind (rate card, EasyPost, manual)."""
    if account.kind == "rate_card":
        return RateCardCarrier(card_of(account), DbSerialSource(session))
    if account.kind == "easypost":
        return easypost_adapter(easypost_config(account))
    if account.kind == "manual":
        return ManualCarrier(account.code, account.name)
    raise ValidationFailed(f"Carrier {account.code} is of kind {account.kind}, unknown here.")


def rate_card_carrier(session: Session, account: CarrierAccount) -> RateCardCarrier:
    if account.kind != "rate_card":
        raise ValidationFailed(f"Carrier {account.code} has no rate card.")
    return RateCardCarrier(card_of(account), DbSerialSource(session))


KEY_ENV_DEFAULT = DEFAULT_KEY_VARIABLE


def key_source_of(text_: str, label: str) -> ApiKeySource:
    """The account's `key_source` (an environment variable name, or a key file path) as the
    source the adapter reads: the same reading tracking polls use."""
    return tracking_key_source(text_, label)


def easypost_config(account: CarrierAccount) -> EasyPostConfig:
    """Plain values (no session): built in a short read, used after it for the network calls."""
    settings = account.settings or {}
    defaults = EasyPostConfig(api_key=key_source_of(account.key_source, account.code))
    return EasyPostConfig(
        api_key=defaults.api_key,
        base_url=str(settings.get("api_base") or DEFAULT_URL),
        timeout_s=float(settings.get("timeout_s") or defaults.timeout_s),
        retries=int(settings.get("retries", defaults.retries)),
        backoff_s=float(settings.get("backoff_s", defaults.backoff_s)),
    )


_ADAPTERS: dict[EasyPostConfig, EasyPostCarrier] = {}


def easypost_adapter(config: EasyPostConfig) -> EasyPostCarrier:
    """One adapter (one pooled HTTP client) per account configuration, for the process."""
    adapter = _ADAPTERS.get(config)
    if adapter is None:
        adapter = _ADAPTERS.setdefault(config, EasyPostCarrier(config))
    return adapter


def close_online_adapters() -> None:
    """Close the pooled HTTP clients (at shutdown, and between tests)."""
    while _ADAPTERS:
        _, adapter = _ADAPTERS.popitem()
        adapter.close()


def find_account(session: Session, name: str) -> CarrierAccount:
    """By account code, name or rate-card code, ignoring case."""
    wanted = name.strip().lower()
    for account in carrier_accounts(session):
        card_code = card_of(account).code.lower() if account.kind == "rate_card" else ""
        if wanted in (account.code.lower(), account.name.lower(), card_code):
            return account
    known = ", ".join(session.scalars(select(CarrierAccount.code))) or "none yet"
    raise NotFound(
        f"No carrier {name!r} (known: {known}). Import its rate card with "
        "`wms-desk carriers import-rates FILE --carrier NAME`."
    )


def active_accounts(
    session: Session, kinds: tuple[str, ...] = ("rate_card",)
) -> list[CarrierAccount]:
    """Active accounts that rate (manual ones never do); rate cards only unless asked."""
    return [a for a in carrier_accounts(session) if a.active and a.kind in kinds]


def _info(session: Session, account: CarrierAccount) -> CarrierInfo:
    if account.kind == "easypost":
        config = easypost_config(account)
        key = config.api_key
        where = f"key file {key.key_file}" if key.key_file else f"key in ${key.env_var}"
        return CarrierInfo(account.code, account.name, account.kind, "", "USD", (), "", None,
                           account.active, f"{config.base_url} ({where})")  # fmt: skip
    if account.kind != "rate_card":
        return CarrierInfo(account.code, account.name, account.kind, "", "", (), "", None,
                           account.active)  # fmt: skip
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


@unit_of_work(Permission.CHANGE_SETTINGS)
def add_easypost(
    uow: UnitOfWork,
    code: str,
    api_base: str = "",
    key_env: str = "",
    key_file: str = "",
    timeout_s: float | None = None,
    retries: int | None = None,
) -> CarrierInfo:
    """Create or change an EasyPost account. Only where the key is goes in the database."""
    code = code.strip()
    if not code:
        raise ValidationFailed("Name the EasyPost account (e.g. `easypost`).")
    if key_env and key_file:
        raise ValidationFailed("Give the key's environment variable or its file, not both.")
    if api_base and not api_base.startswith(("https://", "http://")):
        raise ValidationFailed(f"{api_base!r} is not a web address like {DEFAULT_URL}.")
    if key_file:
        path = Path(key_file).expanduser().resolve()
        ApiKeySource("", path, "EasyPost").read()  # a missing or readable-by-all file is said now
        source = str(path)
    else:
        source = key_env.strip() or KEY_ENV_DEFAULT
        if "/" in source or "\\" in source or source.endswith(".key"):
            raise ValidationFailed(f"{source!r} is not an environment variable name.")
    settings: dict[str, object] = {"api_base": api_base.strip() or DEFAULT_URL}
    if timeout_s is not None:
        if timeout_s <= 0:
            raise ValidationFailed("The timeout must be a number of seconds above 0.")
        settings["timeout_s"] = timeout_s
    if retries is not None:
        settings["retries"] = max(0, retries)
    session = uow.session
    account = session.scalar(
        select(CarrierAccount).where(func.lower(CarrierAccount.code) == code.lower())
    )
    before = None
    if account is None:
        account = CarrierAccount(code=code, name="EasyPost", kind="easypost", rate_card="")
        session.add(account)
    elif account.kind != "easypost":
        raise ValidationFailed(
            f"Carrier {account.code} is a {account.kind} account; choose another name for the "
            "EasyPost account."
        )
    else:
        before = {"key_source": account.key_source, **(account.settings or {})}
    account.key_source = source
    account.settings = settings
    account.updated_at = uow.now
    session.flush()
    uow.audit("carrier.add_easypost", "carrier", account.code, before,
              {"key_source": source, **settings})  # fmt: skip
    return _info(session, account)


MANUAL_CODE = "manual"
MANUAL_NAME = "Other carrier (scanned)"


def manual_account(uow: UnitOfWork, name: str = "") -> CarrierAccount:
    """The manual account a label made elsewhere is recorded under: the built-in `manual`, or
    one named after the carrier the packer typed (made on first use, audited)."""
    session = uow.session
    wanted = name.strip() or MANUAL_CODE
    for account in session.scalars(select(CarrierAccount).order_by(CarrierAccount.id)):
        if wanted.lower() in (account.code.lower(), account.name.lower()):
            if account.kind != "manual":
                raise ValidationFailed(
                    f"{account.code} is a {account.kind} carrier that buys its labels here; "
                    "record a label made elsewhere under another carrier name."
                )
            return account
    code = "-".join(wanted.lower().split())[:64]
    name_ = MANUAL_NAME if code == MANUAL_CODE else wanted[:100]
    try:
        with session.begin_nested():
            account = CarrierAccount(code=code, name=name_, kind="manual", rate_card="")
            session.add(account)
            session.flush()
    except IntegrityError:  # another station made it at the same moment
        found = session.scalar(select(CarrierAccount).where(CarrierAccount.code == code))
        if found is None:
            raise
        return found
    uow.audit("carrier.add_manual", "carrier", code, None, {"name": name_})
    return account
