"""The pack screen's right-hand side: live weight, the boxes (n of m) and the command buttons."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from wms_desk.services.packing.session import PackageView, PackSession
from wms_desk.ui.widgets.named import named
from wms_desk.ui.widgets.weight_display import WeightDisplay

# Command -> (button text, shortcut). F-keys: one press, no chord, shown on the button.
COMMAND_KEYS: dict[str, tuple[str, str]] = {
    "next": ("Next order", "F2"),
    "typed_weight": ("Type weight…", "F3"),
    "new_box": ("NEW BOX", "F5"),
    "reprint": ("REPRINT", "F6"),
    "cancel": ("CANCEL", "F7"),
    "complete": ("COMPLETE", "F8"),
    "by_hand": ("By hand…", "F9"),
    "short": ("Short…", "F10"),
    "approve": ("Approve…", "F11"),
}


def grams_text(grams: Decimal | None) -> str:
    if grams is None:
        return "—"
    return f"{grams / 1000:.3f} kg"


def package_text(package: PackageView, current: bool) -> str:
    carton = package.carton_code or "no carton yet"
    weight = grams_text(package.weight_g)
    check = {"warn": "  ⚠ check", "block": "  ⛔ needs a supervisor"}.get(package.weight_check, "")
    if package.weight_check == "block" and package.weight_approved:
        check = "  ✓ approved"
    marker = "▶ " if current else "  "
    return (
        f"{marker}Box {package.seq} of {package.count} · {carton} · {package.item_count} items · "
        f"{weight} (expected {grams_text(package.expected_weight_g)}){check}"
    )


class PackSide(QWidget):
    """Weight display, the expected weight, the list of boxes and the buttons (with keys)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PackSide")
        self.weight = WeightDisplay(point_size=40)
        named(self.weight.digits, "PackWeightDigits")
        named(self.weight.caption, "PackWeightCaption")
        self.expected = named(QLabel("Expected: —"), "ExpectedWeight")
        font = QFont()
        font.setPointSize(15)
        font.setBold(True)
        self.expected.setFont(font)
        self.carton = named(QLabel(""), "CartonLine")
        self.carton.setFont(font)
        self.carton.setWordWrap(True)
        self.boxes = named(QLabel(""), "BoxesList")
        self.boxes.setWordWrap(True)
        box_font = QFont()
        box_font.setPointSize(12)
        self.boxes.setFont(box_font)
        self.buttons: dict[str, QPushButton] = {}
        self.shortcuts: dict[str, QShortcut] = {}
        grid = QGridLayout()
        grid.setSpacing(6)
        button_font = QFont()
        button_font.setPointSize(13)
        button_font.setBold(True)
        for n, (key, (text, shortcut)) in enumerate(COMMAND_KEYS.items()):
            button = named(QPushButton(f"{text}  [{shortcut}]"), f"Pack_{key}")
            button.setFont(button_font)
            button.setMinimumHeight(44)
            self.buttons[key] = button
            grid.addWidget(button, n // 2, n % 2)
            shortcut_obj = QShortcut(QKeySequence(shortcut), self)
            shortcut_obj.activated.connect(button.click)
            self.shortcuts[key] = shortcut_obj
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.weight)
        layout.addWidget(self.expected)
        layout.addWidget(self.carton)
        layout.addWidget(self.boxes, 1)
        layout.addLayout(grid)

    def show_session(self, session: PackSession | None, has_scale: bool) -> None:
        open_ = session is not None and not session.completed
        for key, button in self.buttons.items():
            # REPRINT and COMPLETE still answer on a packed order ("already packed").
            after = key in ("reprint", "complete") and session is not None
            button.setEnabled(open_ or key == "next" or after)
        if session is None:
            self.expected.setText("Expected: —")
            self.carton.setText("")
            self.boxes.setText("")
            return
        current = next((p for p in session.packages if p.seq == session.current_seq), None)
        expected = current.expected_weight_g if current else None
        self.expected.setText(
            f"Box {session.current_seq}: expected {grams_text(expected)}"
            if current
            else f"Box {session.current_seq}: empty"
        )
        carton = current.carton_code if current and current.carton_code else ""
        suggestion = session.suggested_carton or ""
        if carton:
            self.carton.setText(f"Carton: {carton}  (scan a carton barcode to change it)")
        else:
            self.carton.setText(f"Suggested carton: {suggestion or 'none set up'}")
        self.boxes.setText(
            "\n".join(package_text(p, p.seq == session.current_seq) for p in session.packages)
        )
        blocked = any(p.weight_check == "block" and not p.weight_approved for p in session.packages)
        # COMPLETE stays pressable: if it cannot complete yet, the answer says why. Green (the
        # style sheet's [ready="true"]) when it can.
        complete = self.buttons["complete"]
        ready = bool(open_ and session.can_complete)
        if complete.property("ready") != ready:  # re-styling costs: only when it changes
            complete.setProperty("ready", ready)
            complete.style().unpolish(complete)
            complete.style().polish(complete)
        self.buttons["approve"].setEnabled(open_ and blocked)
        self.buttons["typed_weight"].setEnabled(open_ and not has_scale)
        self.buttons["by_hand"].setEnabled(open_ and any(not ln.done for ln in session.lines))
        self.buttons["short"].setEnabled(open_ and any(not ln.done for ln in session.lines))
