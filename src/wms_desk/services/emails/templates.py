"""Editable e-mail templates (app_settings, defaults in domain/emails.py) and their preview."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from wms_desk.db.models import AppSetting
from wms_desk.domain.emails import (
    DEFAULT_TEMPLATES,
    PLACEHOLDERS,
    SAMPLE_ORDER_RECEIVED,
    SAMPLE_SHIPMENT,
    EmailKind,
    EmailTemplate,
    RenderedEmail,
    TemplateError,
    check_template,
    render,
)
from wms_desk.domain.roles import Permission
from wms_desk.services.emails.settings import load as load_settings
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.uow import UnitOfWork, read_only, unit_of_work

log = logging.getLogger(__name__)

EDITABLE = (EmailKind.SHIPMENT, EmailKind.ORDER_RECEIVED)


def template_key(kind: EmailKind) -> str:
    return f"email.template.{EmailKind(kind).value}"


@dataclass(frozen=True)
class TemplateInfo:
    kind: EmailKind
    subject: str
    body: str
    is_default: bool
    placeholders: tuple[str, ...]

    @property
    def template(self) -> EmailTemplate:
        return EmailTemplate(self.subject, self.body)


def load_template(session: Session, kind: EmailKind) -> EmailTemplate:
    row = session.get(AppSetting, template_key(kind))
    default = DEFAULT_TEMPLATES[EmailKind(kind)]
    if row is None or not row.value.get("subject"):
        return default
    stored = EmailTemplate(str(row.value["subject"]), str(row.value.get("body", "")))
    try:  # saved templates were checked; one edited by hand in the database may not be
        check_template(EmailKind(kind), stored)
    except TemplateError:
        log.warning("the stored %s e-mail template is broken; the default is used", kind)
        return default
    return stored


@read_only
def get_template(session: Session, kind: EmailKind) -> TemplateInfo:
    kind = EmailKind(kind)
    template = load_template(session, kind)
    return TemplateInfo(
        kind,
        template.subject,
        template.body,
        session.get(AppSetting, template_key(kind)) is None,
        PLACEHOLDERS[kind],
    )


def _checked(kind: EmailKind, template: EmailTemplate) -> EmailTemplate:
    try:
        check_template(kind, template)
    except TemplateError as exc:
        raise ValidationFailed(str(exc)) from exc
    return template


@unit_of_work(Permission.CHANGE_SETTINGS)
def save_template(uow: UnitOfWork, kind: EmailKind, subject: str, body: str) -> TemplateInfo:
    """A supervisor's wording, checked first (an unknown $placeholder is refused); audited."""
    kind = EmailKind(kind)
    if kind not in EDITABLE:
        raise ValidationFailed(f"The {kind.value} e-mail has no editable template.")
    template = _checked(kind, EmailTemplate(subject.strip(), body))
    key = template_key(kind)
    row = uow.session.get(AppSetting, key)
    before = dict(row.value) if row is not None else None
    value = {"subject": template.subject, "body": template.body}
    if row is None:
        uow.session.add(AppSetting(key=key, value=value))
    else:
        row.value = value
    uow.audit("email.template", "setting", key, before, value)
    return TemplateInfo(kind, template.subject, template.body, False, PLACEHOLDERS[kind])


@unit_of_work(Permission.CHANGE_SETTINGS)
def reset_template(uow: UnitOfWork, kind: EmailKind) -> TemplateInfo:
    kind = EmailKind(kind)
    key = template_key(kind)
    row = uow.session.get(AppSetting, key)
    if row is not None:
        uow.audit("email.template", "setting", key, dict(row.value), None)
        uow.session.delete(row)
    default = DEFAULT_TEMPLATES[kind]
    return TemplateInfo(kind, default.subject, default.body, True, PLACEHOLDERS[kind])


def sample_values(kind: EmailKind, shop_name: str) -> dict[str, str]:
    if kind is EmailKind.SHIPMENT:
        values = SAMPLE_SHIPMENT.values()
    elif kind is EmailKind.ORDER_RECEIVED:
        values = dict(SAMPLE_ORDER_RECEIVED)
    else:
        values = {}
    return {**values, "shop_name": shop_name or "Our Shop"}


@read_only
def preview(session: Session, kind: EmailKind, subject: str, body: str) -> RenderedEmail:
    """The e-mail as a customer would get it, for a sample order; a broken template says why."""
    kind = EmailKind(kind)
    template = _checked(kind, EmailTemplate(subject, body))
    return render(kind, template, sample_values(kind, load_settings(session).shop_name))
