"""The end-of-day summary: the day's headline figures by e-mail, through the SMTP outbox.

One message per site (this database), day and recipient: the key makes a second run for the
same day (a scheduler firing twice, someone pressing it again) queue nothing new. The figures
are the reports' own for that local day; the throughput report rides along as a PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from wms_desk.domain.emails import Attachment, is_address
from wms_desk.domain.report_format import display
from wms_desk.domain.reports import Report, ReportFilters, ReportFormat, ReportName
from wms_desk.domain.roles import Permission
from wms_desk.services.context import ServiceContext
from wms_desk.services.emails.settings import load as load_email_settings
from wms_desk.services.emails.triggers import queue_email
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.report_export import render
from wms_desk.services.reports import run_report
from wms_desk.services.uow import UnitOfWork, unit_of_work

# What a supervisor reads at the end of the day, in this order.
SUMMARY_REPORTS = (
    ReportName.STATUS,
    ReportName.THROUGHPUT,
    ReportName.FULFILMENT_TIME,
    ReportName.ACCURACY,
    ReportName.CARRIER_SPEND,
)
ATTACHED = ReportName.THROUGHPUT


@dataclass(frozen=True)
class QueuedSummary:
    day: date
    to: str
    key: str
    queued: bool  # False: this day's summary to this address was queued before

    @property
    def message(self) -> str:
        if not self.queued:
            return f"The summary for {self.day} to {self.to} was queued before; nothing new."
        return (
            f"The end-of-day summary for {self.day} is queued to {self.to}; "
            "the Outbox shows when it is sent."
        )


def summary_key(day: date, to: str) -> str:
    return f"report-summary:{day.isoformat()}:{to.strip().lower()}"


def summary_body(day: date, site: str, reports: list[Report]) -> str:
    """Plain text: one block of figures per report (pure, so it is tested as it reads)."""
    lines = [f"End-of-day summary for {site}, {day} ({reports[0].filters.timezone}).", ""]
    for report in reports:
        lines.append(report.title)
        lines += [f"  {f.label}: {display(f.value, f.kind)}" for f in report.figures]
        lines += [f"  {note}" for note in report.notes]
        lines.append("")
    lines.append(f"The attached PDF is the {ATTACHED.value} report for the day.")
    return "\n".join(lines) + "\n"


def queue_end_of_day_summary(
    ctx: ServiceContext, day: date, to: str, timezone: str = "UTC"
) -> QueuedSummary:
    """Run the day's reports (read-only), then queue the e-mail in its own short transaction."""
    ctx.actor.require(Permission.VIEW_REPORTS)
    address = to.strip()
    if not is_address(address):
        raise ValidationFailed(
            f"{to!r} is not an e-mail address; give the supervisor's, e.g. floor@example.com."
        )
    filters = ReportFilters(start=day, end=day, timezone=timezone)
    reports = [run_report(ctx, name, filters) for name in SUMMARY_REPORTS]
    pdf = render(next(r for r in reports if r.name is ATTACHED), ReportFormat.PDF)
    return _queue(ctx, day, address, reports, pdf)


@unit_of_work(Permission.VIEW_REPORTS)
def _queue(uow: UnitOfWork, day: date, to: str, reports: list[Report], pdf: bytes) -> QueuedSummary:
    settings = load_email_settings(uow.session)
    if not settings.configured:
        raise ValidationFailed(
            "E-mail is not set up: a supervisor enters the SMTP settings in Settings > E-mail."
        )
    site = settings.shop_name or "the warehouse"
    key = summary_key(day, to)
    queued = queue_email(
        uow,
        key,
        to,
        f"End-of-day summary {day} - {site}",
        summary_body(day, site, reports),
        attachments=(Attachment(f"{ATTACHED.value}-{day}.pdf", "application/pdf", pdf),),
    )
    if queued:
        uow.audit("report.summary_queued", "report", f"summary:{day}", after={"to": to, "key": key})
    return QueuedSummary(day, to, key, queued)
