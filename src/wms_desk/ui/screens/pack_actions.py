"""The pack screen's by-hand paths: typed weight, confirm by hand, short a line, approve a weight.

Where the packer may not do it, a supervisor signs off in the dialog (username and password)
and the service runs as that supervisor, so the audit trail names who approved it.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from wms_desk.domain.roles import Permission
from wms_desk.domain.scan import new_event_id
from wms_desk.services import auth, packing
from wms_desk.services.context import ServiceContext
from wms_desk.services.packing.session import ScanVerdict
from wms_desk.services.stations import StationInfo
from wms_desk.settings import Settings
from wms_desk.ui.screens.pack_dialogs import Approval, PackDialog

if TYPE_CHECKING:
    from wms_desk.ui.screens.pack_screen import PackScreen


def complete_with_settings(settings: Settings) -> Callable[..., ScanVerdict]:
    """COMPLETE with this run's settings (the ship-from address printed on labels and slips)."""

    def complete(ctx: ServiceContext, order_id: int, event_id: str) -> ScanVerdict:
        return packing.complete(ctx, order_id, event_id, settings)

    return complete


def as_supervisor(
    ctx: ServiceContext, approval: Approval, action: Callable[..., ScanVerdict], *args: Any
) -> ScanVerdict:
    """Run `action` as the supervisor who typed their password (or as the user, if they may)."""
    if approval.username:
        station = StationInfo(ctx.actor.station_id or 0, ctx.actor.station_name)
        supervisor = auth.sign_in_with_password(ctx, approval.username, approval.password, station)
        ctx = ctx.as_actor(supervisor)
    return action(ctx, *args)


def _dialog(screen: PackScreen, title: str, prompt: str, **parts: Any) -> PackDialog:
    dialog = PackDialog(title, prompt, screen, **parts)
    dialog.setObjectName(f"PackDialog_{title.split()[0]}")
    # Back to the station window when it closes, so the F-keys and the wedge work there again.
    dialog.finished.connect(lambda _result: screen.window().activateWindow())
    screen.last_dialog = dialog
    return dialog


def type_weight(screen: PackScreen) -> None:
    session = screen.session
    assert session is not None
    if screen.has_scale:
        screen.refused("type a weight", ValueError("This station has a scale: weigh the box."))
        return
    dialog = _dialog(
        screen,
        "Type weight",
        f"No scale is bound at this station. Weigh box {session.current_seq} of order "
        f"{session.order_number} elsewhere and type its weight in grams (audited).",
        weight=True,
    )

    def accepted() -> None:
        grams = dialog.approval().grams or Decimal(0)
        screen.call(
            _typed_weight,
            screen.answered,
            "record the typed weight",
            screen.ui.services,
            session.order_id,
            grams,
        )

    dialog.accepted.connect(accepted)
    dialog.open()


def _typed_weight(ctx: ServiceContext, order_id: int, grams: Decimal) -> ScanVerdict:
    return packing.record_weight(ctx, order_id, grams, new_event_id(), typed=True)


def _needs_supervisor(screen: PackScreen) -> bool:
    return not screen.ui.actor.can(Permission.OVERRIDE_PACKING)


def confirm_by_hand(screen: PackScreen) -> None:
    session = screen.session
    assert session is not None
    lines = tuple(line for line in session.lines if not line.done)
    # Packers this station allows confirm items without a barcode themselves (supervisor
    # fields left empty); otherwise a supervisor signs off here. The service decides.
    dialog = _dialog(
        screen,
        "Confirm by hand",
        f"Count items of order {session.order_number} without scanning them (audited). "
        "Only for items that have no barcode, or with a supervisor's password.",
        credentials=_needs_supervisor(screen),
        credentials_optional=True,
        lines=lines,
        qty=True,
    )

    def accepted() -> None:
        a = dialog.approval()
        screen.call(
            as_supervisor,
            screen.answered,
            "confirm by hand",
            screen.ui.services,
            a,
            packing.confirm_by_hand,
            session.order_id,
            a.line_id,
            a.qty,
            new_event_id(),
        )

    dialog.accepted.connect(accepted)
    dialog.open()


def short_line(screen: PackScreen) -> None:
    session = screen.session
    assert session is not None
    dialog = _dialog(
        screen,
        "Short line",
        f"Let a line of order {session.order_number} go short so the order can complete "
        "without it. A supervisor decides, with a reason (audited).",
        credentials=_needs_supervisor(screen),
        lines=tuple(line for line in session.lines if not line.done),
        qty=True,
        reason=True,
    )

    def accepted() -> None:
        a = dialog.approval()
        screen.call(
            as_supervisor,
            screen.answered,
            "short the line",
            screen.ui.services,
            a,
            packing.short_line,
            session.order_id,
            a.line_id,
            a.qty,
            a.reason,
            new_event_id(),
        )

    dialog.accepted.connect(accepted)
    dialog.open()


def approve_weight(screen: PackScreen) -> None:
    session = screen.session
    assert session is not None
    blocked = [p for p in session.packages if p.weight_check == "block" and not p.weight_approved]
    if not blocked:
        return
    box = blocked[0]
    dialog = _dialog(
        screen,
        "Approve weight",
        f"Box {box.seq} of order {session.order_number} weighs {box.weight_g:.0f} g, expected "
        f"{box.expected_weight_g:.0f} g. A supervisor checks the box and approves it with a "
        "reason (audited), or the packer fixes the box and weighs it again.",
        credentials=_needs_supervisor(screen),
        reason=True,
    )

    def accepted() -> None:
        a = dialog.approval()
        screen.call(
            as_supervisor,
            screen.answered,
            "approve the weight",
            screen.ui.services,
            a,
            packing.approve_weight,
            session.order_id,
            box.seq,
            a.reason,
            new_event_id(),
        )

    dialog.accepted.connect(accepted)
    dialog.open()
