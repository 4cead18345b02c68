"""Every scan, serial or keyboard wedge, goes here once and is handed to whoever can use it.

Order of meaning (DESIGN: scans that mean the same everywhere are handled once):
1. Nobody signed in: the scan is a badge (ours carry BADGE:, other badges are raw codes).
2. A badge switches user; CMD:LOGOUT signs out — on every screen.
3. The screen in front gets it (`handle_scan`); it answers True when it used it.
4. A screen of this user's that opens this kind of code (an order barcode opens the queue's
   detail for a supervisor, the pack screen for a packer) is brought to the front and gets it.
5. Otherwise the code is looked up (a bare order number, a product barcode the symbology did
   not reveal) and, if that still leads nowhere, the user is told what was scanned and where it
   would work. Never silence.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from PySide6.QtCore import QObject, Signal

from wms_desk.domain.codes import ORDER_PREFIX, StationCommand
from wms_desk.domain.scan_kinds import ScanKind
from wms_desk.ui.feedback import ScanFeedback, Tone

if TYPE_CHECKING:
    from wms_desk.domain.scan import ScanResult
    from wms_desk.services.scan_lookup import CodeMatch
    from wms_desk.ui.workspace import Workspace

log = logging.getLogger(__name__)


@runtime_checkable
class ScanHandler(Protocol):
    """A screen that takes scans: True when it used the scan (and gave its own feedback)."""

    def handle_scan(self, scan: ScanResult) -> bool: ...


class RouterHost(Protocol):
    """What the router needs of the station app (app.gui.StationApp)."""

    @property
    def workspace(self) -> Workspace | None: ...

    def sign_in_with_badge(self, code: str) -> None: ...

    def sign_out(self) -> None: ...


class ScanRouter(QObject):
    """`route(scan)` for every scan; `routed(scan, where)` says where each went (tests, logs)."""

    routed = Signal(object, str)

    def __init__(self, host: RouterHost, feedback: ScanFeedback) -> None:
        super().__init__()
        self._host = host
        self.feedback = feedback

    def route(self, scan: ScanResult) -> None:
        try:
            where = self._route(scan)
        except Exception as exc:  # a screen's bug must not swallow the scan silently
            log.exception("scan routing failed for %r", scan.data)
            self.feedback.error(f"Could not handle the scan {scan.data!r}: {exc}")
            where = "failed"
        if where:
            self.routed.emit(scan, where)

    def _route(self, scan: ScanResult) -> str:
        workspace = self._host.workspace
        if workspace is None:
            # A badge: ours carry the prefix; other badge systems' codes are raw.
            self._host.sign_in_with_badge(scan.badge or scan.data)
            return "sign-in"
        if scan.kind is ScanKind.BADGE:
            if not scan.ok:
                self.feedback.error(f"That badge could not be read ({scan.error}). Scan it again.")
                return "unreadable"
            self._host.sign_in_with_badge(scan.badge or "")
            return "switch-user"
        if scan.command is StationCommand.LOGOUT:
            name = workspace.ui.actor.display_name
            self._host.sign_out()
            self.feedback.info(f"{name} signed out. Scan a badge to sign in.")
            return "logout"
        where = self._deliver(workspace, scan)
        if where:
            return where
        if scan.kind in (ScanKind.UNKNOWN, ScanKind.PRODUCT, ScanKind.ORDER):
            self._look_up(workspace, scan)
            return ""  # answered when the look-up returns
        self._unused(workspace, scan)
        return "unused"

    def _deliver(self, workspace: Workspace, scan: ScanResult) -> str:
        """To the screen in front, else to the screen this kind opens; "" if neither took it."""
        front = workspace.current_screen()
        if isinstance(front, ScanHandler) and front.handle_scan(scan):
            return f"screen:{workspace.current_screen_key()}"
        opener = workspace.screen_opening(scan.kind) if scan.ok else None
        if opener is not None and opener != workspace.current_screen_key():
            target = workspace.show_screen(opener)
            if isinstance(target, ScanHandler) and target.handle_scan(scan):
                return f"screen:{opener}"
        return ""

    # -- codes only the database can explain ----------------------------------------------------
    def _look_up(self, workspace: Workspace, scan: ScanResult) -> None:
        from wms_desk.services.scan_lookup import identify_code

        code = scan.order_ref or scan.data
        workspace.ui.tasks.run(
            identify_code,
            workspace.ui.services,
            code,
            scan.gtin,
            on_done=lambda match: self._looked_up(workspace, scan, match),
            on_error=lambda error: self._lookup_failed(scan, error),
        )

    def _looked_up(self, workspace: Workspace, scan: ScanResult, match: CodeMatch) -> None:
        if self._host.workspace is not workspace:
            return  # signed out meanwhile: the answer is for nobody
        retyped = self._as_found(scan, match)
        if retyped is not None:
            # A bare order number means what ORD:<number> means; a catalogue barcode that is
            # no GTIN is still that product's code.
            where = self._deliver(workspace, retyped)
            if where:
                self.routed.emit(retyped, where)
                return
            scan = retyped
        if scan.kind is ScanKind.ORDER and not match.orders:
            self.feedback.error(
                f"No order {match.code} in this database. Check the slip, or search the queue."
            )
        elif not match.found and scan.kind is ScanKind.UNKNOWN:
            self.feedback.error(
                f"Unknown code {scan.data!r}: not an order, product, bin, badge or station "
                "command here. Scan another code, or ask a supervisor."
            )
        else:
            self._unused(workspace, scan, match)
        self.routed.emit(scan, "unused")

    @staticmethod
    def _as_found(scan: ScanResult, match: CodeMatch) -> ScanResult | None:
        if scan.kind is ScanKind.UNKNOWN and match.product is not None:
            return replace(scan, kind=ScanKind.PRODUCT, error=None)
        if scan.kind is ScanKind.UNKNOWN and match.orders:
            return replace(scan, data=ORDER_PREFIX + match.code, kind=ScanKind.ORDER, error=None)
        return None

    def _lookup_failed(self, scan: ScanResult, error: BaseException) -> None:
        self.feedback.error(f"Could not look up {scan.describe()}: {error}")
        self.routed.emit(scan, "failed")

    # -- nothing here can use it ------------------------------------------------------------------
    def _unused(
        self, workspace: Workspace, scan: ScanResult, match: CodeMatch | None = None
    ) -> None:
        if not scan.ok and scan.kind is not ScanKind.UNKNOWN:
            self.feedback.error(f"That {scan.kind.label} could not be read: {scan.error}.")
            return
        what = scan.describe()
        if match is not None and match.product is not None:
            what = f"{match.product.name} ({match.product.sku})"
        elif match is not None and match.orders:
            channels = ", ".join(o.channel for o in match.orders)
            what = f"order {match.code} ({channels}, {match.orders[0].status.replace('_', ' ')})"
        here = workspace.current_title()
        where = workspace.titles_accepting(scan.kind)
        if where:
            todo = f"{scan.kind.label.capitalize()}s work on {' and '.join(where)}."
        else:
            todo = f"{workspace.ui.actor.role.value.capitalize()}s cannot use it at this station."
        self.feedback.show(Tone.WARNING, f"Scanned {what}. Nothing to do with it on {here}. {todo}")
