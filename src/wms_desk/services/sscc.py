"""SSCCs: extension digit + GS1 company prefix + serial from a never-reused counter + check."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from wms_desk.db.models import Counter, Package
from wms_desk.printing.barcodes import gs1_check_digit
from wms_desk.services.errors import ValidationFailed
from wms_desk.services.uow import UnitOfWork, insert_ignoring_duplicates, unit_of_work


def check_prefix(prefix: str) -> str:
    prefix = prefix.strip()
    if not prefix.isdigit() or not 6 <= len(prefix) <= 12:
        raise ValidationFailed(
            f"The GS1 company prefix {prefix!r} must be 6 to 12 digits; set gs1_company_prefix."
        )
    return prefix


def counter_name(prefix: str) -> str:
    return f"sscc:{prefix}"


def increment(session: Session, name: str) -> int:
    """Next value of a named counter: an UPDATE takes the row lock, so no two callers share."""
    insert_ignoring_duplicates(session, Counter, {"name": name, "value": 0}, "name")
    result = session.execute(
        update(Counter)
        .where(Counter.name == name)
        .values(value=Counter.value + 1)
        .returning(Counter.value)
    )
    return int(result.scalar_one())


def next_sscc(session: Session, company_prefix: str, extension_digit: int = 0) -> str:
    """A new SSCC in the caller's transaction; the serial is used once even if it rolls back."""
    prefix = check_prefix(company_prefix)
    if not 0 <= extension_digit <= 9:
        raise ValidationFailed("The SSCC extension digit must be 0-9.")
    width = 16 - len(prefix)
    serial = increment(session, counter_name(prefix))
    if serial >= 10**width:
        raise ValidationFailed(
            f"All {10**width - 1} SSCC serials for prefix {prefix} are used; "
            "ask GS1 for another company prefix."
        )
    body = f"{extension_digit}{prefix}{serial:0{width}d}"
    return body + str(gs1_check_digit(body))


def assign_sscc(uow: UnitOfWork, package: Package, company_prefix: str) -> str:
    """The package's SSCC, allocated on first use: a reprint shows the same number."""
    if package.sscc:
        return package.sscc
    package.sscc = next_sscc(uow.session, company_prefix)
    uow.audit("package.sscc_assigned", "package", package.id, after={"sscc": package.sscc})
    return package.sscc


@unit_of_work()
def allocate_sscc(uow: UnitOfWork, company_prefix: str) -> str:
    """A fresh SSCC in its own transaction (for a pallet or a package not stored yet)."""
    sscc = next_sscc(uow.session, company_prefix)
    uow.audit("sscc.allocated", "sscc", sscc)
    return sscc
