"""The site's SMTP settings (one per database, in app_settings); the password never stored."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from wms_desk.carriers.secrets import ApiKeyMissing, ApiKeySource
from wms_desk.db.models import AppSetting
from wms_desk.domain.emails import is_address
from wms_desk.domain.roles import Permission
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.uow import UnitOfWork, read_only, unit_of_work
from wms_desk.services.uow_reads import setting_value

SMTP_KEY = "email.smtp"
PASSWORD_ENV = "WMS_DESK_SMTP_PASSWORD"


class Security(StrEnum):
    NONE = "none"
    STARTTLS = "starttls"
    SSL = "ssl"


DEFAULT_PORTS = {Security.NONE: 25, Security.STARTTLS: 587, Security.SSL: 465}


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how the site sends mail. `send_shipment_emails` None means the default: on
    when SMTP is set up (shops that let their platform e-mail simply leave SMTP empty)."""

    host: str = ""
    port: int = 587
    security: Security = Security.STARTTLS
    username: str = ""
    from_address: str = ""
    reply_to: str = ""
    timeout: float = 30.0
    password_file: str = ""
    shop_name: str = ""
    send_shipment_emails: bool | None = None

    @property
    def configured(self) -> bool:
        return bool(self.host and self.from_address)

    @property
    def shipment_emails_on(self) -> bool:
        if self.send_shipment_emails is None:
            return self.configured
        return self.send_shipment_emails and self.configured

    @property
    def sender_name(self) -> str:
        return self.shop_name or self.from_address

    def password_source(self) -> ApiKeySource:
        key_file = Path(self.password_file).expanduser() if self.password_file else None
        return ApiKeySource(PASSWORD_ENV, key_file, "SMTP", "password", "e-mail settings")

    def password(self) -> str:
        """The password for `username` (env var first, then the 0600 file); '' without a user."""
        if not self.username:
            return ""
        return self.password_source().read()

    def password_state(self) -> str:
        """What the settings screen says about the password, without showing it."""
        never = "never stored in the database"
        if not self.username:
            return "No sign-in: no user name is set."
        if os.environ.get(PASSWORD_ENV, "").strip():
            return f"Password: from the environment variable {PASSWORD_ENV} ({never})."
        try:
            self.password_source().read()
        except ApiKeyMissing as exc:
            return f"{exc} It is {never}."
        return f"Password: from the file {self.password_file} ({never})."

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "security": self.security.value}

    def describe(self) -> str:
        if not self.configured:
            return "E-mail is not set up (no SMTP host or from address)."
        user = f" as {self.username}" if self.username else ""
        return f"{self.host}:{self.port} ({self.security.value}){user}, from {self.from_address}"


def _from_value(value: dict[str, Any]) -> SmtpSettings:
    base = SmtpSettings()
    known = {k: v for k, v in value.items() if k in base.__dataclass_fields__}
    if "security" in known:
        known["security"] = Security(known["security"])
    return replace(base, **known)


def load(session: Session) -> SmtpSettings:
    value = setting_value(session, SMTP_KEY)  # read once per unit of work (services/uow_reads)
    return _from_value(value) if value is not None else SmtpSettings()


@read_only
def get_settings(session: Session) -> SmtpSettings:
    return load(session)


def check(settings: SmtpSettings) -> SmtpSettings:
    """Refuse what cannot work, saying what to enter instead."""
    host = settings.host.strip()
    if any(c.isspace() for c in host) or "/" in host:
        raise ValidationFailed(
            f"The SMTP host {host!r} is not a host name; enter one such as smtp.example.com."
        )
    if not 0 < settings.port < 65536:
        raise ValidationFailed(f"The SMTP port {settings.port} is not 1-65535 (587 is usual).")
    if not 1 <= settings.timeout <= 300:
        raise ValidationFailed("The SMTP timeout must be between 1 and 300 seconds.")
    for label, address in (("from", settings.from_address), ("reply-to", settings.reply_to)):
        if address and not is_address(address):
            raise ValidationFailed(
                f"The {label} address {address!r} is not an e-mail address; enter one such as "
                "shop@example.com."
            )
    if host and not settings.from_address:
        raise ValidationFailed("Enter the from address the customers' e-mails are sent from.")
    return replace(settings, host=host, from_address=settings.from_address.strip())


@unit_of_work(Permission.CHANGE_SETTINGS)
def save_settings(uow: UnitOfWork, **changes: Any) -> SmtpSettings:
    """Change some settings (the others stay); audited. The password is not one of them."""
    if "password" in changes:
        raise ValidationFailed(
            f"The SMTP password is never stored in the database: set {PASSWORD_ENV} or name a "
            "password file (chmod 600) in password_file."
        )
    current = load(uow.session)
    unknown = sorted(set(changes) - set(current.__dataclass_fields__))
    if unknown:
        raise ValidationFailed(f"There is no e-mail setting named {unknown[0]}.")
    if "security" in changes:
        try:
            changes["security"] = Security(str(changes["security"]).lower())
        except ValueError:
            raise ValidationFailed(
                f"Security must be none, starttls or ssl, not {changes['security']!r}."
            ) from None
        if "port" not in changes and current.port in DEFAULT_PORTS.values():
            changes["port"] = DEFAULT_PORTS[changes["security"]]
    updated = check(replace(current, **changes))
    row = uow.session.get(AppSetting, SMTP_KEY)
    before = row.value if row is not None else None
    if row is None:
        uow.session.add(AppSetting(key=SMTP_KEY, value=updated.as_json()))
    else:
        row.value = updated.as_json()
    uow.audit("email.settings", "setting", SMTP_KEY, before, updated.as_json())
    return updated
