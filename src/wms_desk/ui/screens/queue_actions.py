"""The queue's actions: hold, release, cancel, prioritise, assign, wave, print, export.

Each runs its service off the GUI thread and then says what it did, naming the orders, in the
status line and a toast (queue_outcomes). A mixin of QueueScreen: it uses the screen's model,
selection, prompts and status line.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QToolBar, QWidget

from wms_desk.services import queue as queue_service
from wms_desk.services.queue import FilterChoices
from wms_desk.ui.context import UiContext
from wms_desk.ui.models.queue_model import QueueModel, guarded
from wms_desk.ui.screens.queue_outcomes import Act, Outcome, describe, named
from wms_desk.ui.screens.queue_prompts import QueuePrompts
from wms_desk.ui.widgets.toast import Toast

# Type checkers see the widget the mixin lands on; at run time it is a plain class.
if TYPE_CHECKING:
    # The services behind the actions (orders, waves, allocation) load with the first action
    # taken, not with the queue screen, whose first build is on the way to a signed-in station.
    from wms_desk.services import allocation, waves

    _Base = QWidget
else:
    _Base = object


class QueueActions(_Base):
    """Toolbar actions with shortcuts, and what each one does."""

    _ui: UiContext
    model: QueueModel
    prompts: QueuePrompts
    toolbar: QToolBar
    toast: Toast
    choices: FilterChoices
    action_finished: SignalInstance
    slip_previewed: SignalInstance

    def selected_ids(self) -> list[int]:
        raise NotImplementedError

    def refresh(self) -> None:
        raise NotImplementedError

    def _update_status(self, message: str = "") -> None:
        raise NotImplementedError

    def _show_error(self, message: str) -> None:
        raise NotImplementedError

    # --- building ------------------------------------------------------------------------
    def _action(
        self, name: str, text: str, slot: Callable[[], None], shortcut: str | None = None
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.setToolTip(f"{text} ({shortcut})")
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        self.toolbar.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.act_refresh = self._action("act_refresh", "Refresh", self.refresh, "F5")
        self.toolbar.addSeparator()
        self.act_hold = self._action("act_hold", "Hold…", self.hold_selected, "H")
        self.act_release = self._action("act_release", "Release", self.release_selected, "R")
        self.act_priority = self._action("act_priority", "Priority…", self.prioritise, "P")
        self.act_assign = self._action("act_assign", "Assign…", self.assign_selected, "A")
        self.act_cancel = self._action("act_cancel", "Cancel…", self.cancel_selected, "Delete")
        self.toolbar.addSeparator()
        self.act_wave = self._action("act_wave", "Wave from selection", self.wave_selected, "W")
        self.act_wave_rule = self._action("act_wave_rule", "Wave by rule…", self.wave_by_rule)
        self.act_reallocate = self._action(
            "act_reallocate", "Re-allocate backorders", self.reallocate, "Ctrl+Shift+A"
        )
        self.act_print = self._action(
            "act_print", "Print slips", lambda: self.print_selected("slips"), "Ctrl+P"
        )
        self.act_print_picks = self._action(
            "act_print_picks",
            "Print pick lists",
            lambda: self.print_selected("pick_lists"),
            "Ctrl+Shift+P",
        )
        self.act_preview = self._action(
            "act_preview", "Preview slip…", self.preview_slip, "Ctrl+Alt+P"
        )
        self.act_export = self._action("act_export", "Export CSV…", self.export_csv, "Ctrl+E")

    # --- running -------------------------------------------------------------------------
    def _numbers(self, ids: Sequence[int]) -> list[str]:
        """The order numbers on screen for `ids` (an id no longer shown reads as '#id')."""
        numbers = []
        for order_id in ids:
            row = self.model.row_of(order_id)
            data = self.model.row_data(row) if row is not None else None
            numbers.append(data.number if data else f"#{order_id}")
        return numbers

    def announce(self, outcome: Outcome) -> None:
        """Tell the supervisor what happened: the status line and a toast."""
        self._update_status(outcome.message)
        self.toast.show_message(outcome.headline, outcome.detail)
        self.action_finished.emit(outcome.message)

    def _run_action(
        self, verb: str, outcome: Callable[[Any], Outcome], fn: Callable[..., Any], *args: Any
    ) -> None:
        def done(result: Any) -> None:
            self.announce(outcome(result))
            self.refresh()

        def failed(error: BaseException) -> None:
            message = f"{verb} failed: {error}"
            self._update_status(message)
            self.prompts.error(verb, str(error))
            self.action_finished.emit(message)

        self._ui.tasks.run(
            fn,
            self._ui.services,
            *args,
            on_done=guarded(self, done),
            on_error=guarded(self, failed),
        )

    @staticmethod
    def _in_view_order(
        ids: Sequence[int], changed: Sequence[int], numbers: Sequence[str]
    ) -> list[str]:
        """The changed orders' numbers in the order the supervisor sees them selected."""
        place = {order_id: n for n, order_id in enumerate(ids)}
        pairs = sorted(
            zip(changed, numbers, strict=True), key=lambda p: place.get(p[0], len(place))
        )
        return [number for _id, number in pairs]

    def _summaries(
        self, act: Act, ids: Sequence[int], note: str = "", target: str = ""
    ) -> Callable[[Any], Outcome]:
        """For services that answer with the orders they changed (OrderSummary each)."""

        def outcome(result: Any) -> Outcome:
            numbers = self._in_view_order(ids, [s.id for s in result], [s.number for s in result])
            return describe(act, numbers, note, target)

        return outcome

    # --- the actions ---------------------------------------------------------------------
    def hold_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        reason = self.prompts.reason("Hold orders", f"Why hold {len(ids)} order(s)?")
        if reason:
            from wms_desk.services import orders as order_service

            outcome = self._summaries(Act.HOLD, ids, reason)
            self._run_action("Hold", outcome, order_service.hold_orders, ids, reason)

    def release_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            from wms_desk.services import orders as order_service

            reason = self.prompts.reason("Release orders", "Note for the history (optional):")
            outcome = self._summaries(Act.RELEASE, ids)
            self._run_action("Release", outcome, order_service.release_orders, ids, reason or "")

    def prioritise(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        row = self.model.row_data(self.model.row_of(ids[0]) or 0)
        value = self.prompts.priority(row.priority if row else 0)
        if value is not None:
            from wms_desk.services import orders as order_service

            shown = f"{value:+d}" if value else "0 (normal)"
            outcome = self._summaries(Act.PRIORITY, ids, target=shown)
            self._run_action("Priority", outcome, order_service.set_priority, ids, value)

    def assign_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        choice = self.prompts.assignment(self.choices)
        if choice is None:
            return
        from wms_desk.services import waves

        def outcome(result: waves.AssignmentResult) -> Outcome:
            who = " / ".join(p for p in (result.station, result.packer) if p)
            numbers = self._in_view_order(ids, result.order_ids, result.numbers)
            return describe(Act.ASSIGN, numbers, target=who)

        self._run_action(
            "Assign", outcome, waves.assign_orders, ids, choice.station_id, choice.user_id
        )

    def cancel_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        numbers = self._numbers(ids)
        shown = ", ".join(numbers[:5]) + (" …" if len(numbers) > 5 else "")
        if not self.prompts.confirm(
            "Cancel orders",
            f"Cancel {len(ids)} order(s): {shown}?\nReserved stock goes back to the bins.",
        ):
            return
        reason = self.prompts.reason("Cancel orders", "Why are they cancelled?")
        if reason:
            from wms_desk.services import orders as order_service

            outcome = self._summaries(Act.CANCEL, ids, reason)
            self._run_action("Cancel", outcome, order_service.cancel_orders, ids, reason)

    def _wave_outcome(self, ids: Sequence[int]) -> Callable[[waves.WaveSummary], Outcome]:
        def outcome(result: waves.WaveSummary) -> Outcome:
            numbers = self._in_view_order(ids, result.order_ids, result.numbers)
            return describe(Act.WAVE, numbers, target=result.name)

        return outcome

    def wave_selected(self) -> None:
        ids = self.selected_ids()
        if ids:
            from wms_desk.services import waves

            self._run_action("Wave", self._wave_outcome(ids), waves.create_wave, ids)

    def wave_by_rule(self) -> None:
        rule = self.prompts.wave_rule(self.choices)
        if rule is not None:
            from wms_desk.services import waves

            self._run_action(
                "Wave",
                self._wave_outcome(()),
                waves.create_wave_by_rule,
                rule.service,
                rule.max_orders,
                rule.single_item,
            )

    def reallocate(self) -> None:
        """Try every backordered order against the stock there is now (stock counted or moved
        outside the app, or a supervisor who wants to see it happen)."""
        from wms_desk.services import allocation

        self._run_action("Re-allocation", _reallocation_outcome, allocation.reallocate_backorders)

    def print_selected(self, kind: str) -> None:
        """Queue slips or pick lists on this station's document printer (the print queue
        sends them; a dead printer shows there, not here)."""
        ids = self.selected_ids()
        if ids:
            self._print(ids, kind)

    def _print(self, ids: list[int], kind: str) -> None:
        act = Act.SLIPS if kind == "slips" else Act.PICK_LISTS
        numbers = self._numbers(ids)

        def outcome(jobs: list[str]) -> Outcome:
            return describe(act, numbers, count=len(jobs))

        settings = self._ui.settings
        self._run_action("Print", outcome, queue_service.print_documents, ids, kind, settings)

    def preview_slip(self) -> None:
        """Render the current order's slip off the GUI thread, show it, queue it on Print."""
        ids = self.selected_ids()
        if not ids:
            return
        order_id = ids[0]
        from wms_desk.services import documents

        company = documents.company_address(self._ui.settings)

        def show(pdf: bytes) -> None:
            self.slip_previewed.emit(pdf)
            if self.confirm_preview(pdf, "Packing slip"):
                self._print([order_id], "slips")

        self._ui.tasks.run(
            documents.packing_slip_pdf_for, self._ui.services, order_id, company,
            on_done=guarded(self, show),
            on_error=guarded(self, lambda error: self._show_error(str(error))),
        )  # fmt: skip

    def confirm_preview(self, pdf: bytes, title: str) -> bool:
        from wms_desk.ui.print_preview import confirm_with_preview

        return confirm_with_preview(pdf, title, self)

    def export_csv(self) -> None:
        path = self.prompts.export_path()
        if path is None:
            return
        ids = self.selected_ids()
        request = self.model.request
        # Several selected orders: just those; otherwise everything the filter shows.
        chosen = ids if len(ids) > 1 else None

        def export(ctx: Any) -> int:
            return queue_service.export_csv(ctx, request, path, chosen)

        def outcome(written: int) -> Outcome:
            return describe(
                Act.EXPORT, self._numbers(chosen or []), target=path.name, count=written
            )

        self._run_action("Export", outcome, export)


def _reallocation_outcome(result: allocation.Reallocation) -> Outcome:
    waiting = f"{result.still_backordered} still wait for stock"
    if not result.allocated:
        message = f"No backordered order could be allocated; {waiting}."
        return Outcome(message, "Nothing to allocate", message)
    numbers = named([order.number for order in result.allocated])
    count = len(result.allocated)
    message = (
        f"{count} backordered order{'s' if count != 1 else ''} allocated — {numbers}; {waiting}."
    )
    return Outcome(message, f"{count} allocated", message)
