"""The queue's filter bar: status chips with counts, drop-downs, and the free search box."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain import order_status
from wms_desk.domain.due import Due
from wms_desk.domain.order_status import in_order
from wms_desk.services.queue import COUNT_CAP, FilterChoices, QueueFilter
from wms_desk.ui.models.queue_model import status_label
from wms_desk.ui.widgets.flow_layout import FlowLayout

# The chips, left to right: an "Open" chip (everything still to ship), then each status: those
# not picked yet (held ones among them), the ones on the floor, the closed ones; then "All".
CHIP_ORDER = (
    "open",
    *in_order(order_status.NOT_YET_PICKED),
    *in_order(order_status.WORK_STARTED),
    *in_order(order_status.CLOSED),
    "all",
)
OPEN_SET = in_order(order_status.OPEN)
SEARCH_DELAY_MS = 300


def format_count(n: int) -> str:
    return f"{COUNT_CAP:,}+" if n > COUNT_CAP else f"{n:,}"


class QueueFilterBar(QWidget):
    """Emits `filter_changed` with a fresh QueueFilter whenever the supervisor changes one."""

    filter_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._counts: dict[str, int] = {}
        self._updating = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)

        # Chips and drop-downs wrap onto a new line on a narrow window instead of widening it.
        chip_strip = QWidget(self)
        chips = FlowLayout(chip_strip, spacing=4)
        self.chip_group = QButtonGroup(self)
        self.chip_group.setExclusive(True)
        self.chips: dict[str, QToolButton] = {}
        for key in CHIP_ORDER:
            chip = QToolButton(self)
            chip.setCheckable(True)
            chip.setObjectName(f"chip_{key}")
            chip.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.chip_group.addButton(chip)
            self.chips[key] = chip
            chips.addWidget(chip)
            chip.clicked.connect(self._emit)
        self.chips["open"].setChecked(True)
        outer.addWidget(chip_strip)

        self.search = QLineEdit(self)
        self.search.setObjectName("queue_search")
        self.search.setPlaceholderText("Search order number, customer, e-mail or SKU  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(260)
        self.search.setMinimumWidth(340)
        combo_strip = QWidget(self)
        row = FlowLayout(combo_strip, spacing=6)
        row.addWidget(self.search)
        self.channel = self._combo(row, "Channel")
        self.service = self._combo(row, "Service")
        self.priority = self._combo(
            row,
            "Priority",
            [("Raised", "raised"), ("Normal", "normal"), ("Lowered", "lowered")],
        )
        self.ship_by = self._combo(
            row,
            "Ship by",
            [(due.label, due.value) for due in Due],
        )
        self.tag = self._combo(row, "Tag")
        self.station = self._combo(row, "Station")
        self.packer = self._combo(row, "Packer")
        outer.addWidget(combo_strip)

        # Typing waits for a pause so each key press does not start a query.
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._emit)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self._emit_now)
        self.set_counts({})

    def _combo(
        self, row: FlowLayout, label: str, items: list[tuple[str, object]] | None = None
    ) -> QComboBox:
        caption = QLabel(label + ":", self)
        combo = QComboBox(self)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(7)
        combo.setObjectName(f"filter_{label.lower().replace(' ', '_')}")
        combo.addItem("Any", None)
        for text, value in items or []:
            combo.addItem(text, value)
        caption.setBuddy(combo)
        pair = QWidget(self)  # a caption never wraps away from its drop-down
        pair_layout = QHBoxLayout(pair)
        pair_layout.setContentsMargins(0, 0, 0, 0)
        pair_layout.setSpacing(4)
        pair_layout.addWidget(caption)
        pair_layout.addWidget(combo)
        row.addWidget(pair)
        combo.currentIndexChanged.connect(self._emit)
        return combo

    @staticmethod
    def _refill(combo: QComboBox, items: list[tuple[str, object]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("Any", None)
        for text, value in items:
            combo.addItem(text, value)
        found = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(found, 0))
        combo.blockSignals(False)

    def set_choices(self, choices: FilterChoices) -> None:
        self._refill(self.channel, [(name, cid) for cid, name in choices.channels])
        self._refill(self.service, [(s, s) for s in choices.services])
        self._refill(self.tag, [(t, t) for t in choices.tags])
        self._refill(self.station, [(name, sid) for sid, name in choices.stations])
        self._refill(self.packer, [(name, uid) for uid, name in choices.users])

    def set_counts(self, counts: dict[str, int]) -> None:
        self._counts = dict(counts)
        open_total = sum(counts.get(s, 0) for s in OPEN_SET)
        total = sum(counts.values())
        for key, chip in self.chips.items():
            if key == "open":
                n, title = open_total, "Open"
            elif key == "all":
                n, title = total, "All"
            else:
                n, title = counts.get(key, 0), status_label(key)
            chip.setText(f"{title}  {format_count(n)}" if counts else title)
            if key not in ("open", "all"):
                # Empty statuses fade but stay clickable: the supervisor may expect them.
                chip.setEnabled(True)
                chip.setProperty("empty", bool(counts) and n == 0)

    def chip(self) -> str:
        checked = self.chip_group.checkedButton()
        for key, chip in self.chips.items():
            if chip is checked:
                return key
        return "open"

    def select_chip(self, key: str) -> None:
        self.chips[key].setChecked(True)
        self._emit()

    def clear_quietly(self, chip: str = "all") -> None:
        """Every control back to "any" and `chip` checked, without asking for rows (the caller
        sets the model's filter itself: a dashboard link the bar has no control for)."""
        self._search_timer.stop()
        for widget in (self.search, self.channel, self.service, self.priority, self.ship_by,
                       self.tag, self.station, self.packer):  # fmt: skip
            widget.blockSignals(True)
        self.search.clear()
        for combo in (self.channel, self.service, self.priority, self.ship_by, self.tag,
                      self.station, self.packer):  # fmt: skip
            combo.setCurrentIndex(0)
        self.chips[chip].setChecked(True)
        for widget in (self.search, self.channel, self.service, self.priority, self.ship_by,
                       self.tag, self.station, self.packer):  # fmt: skip
            widget.blockSignals(False)

    def current_filter(self) -> QueueFilter:
        chip = self.chip()
        statuses: tuple[str, ...]
        if chip == "open":
            statuses = OPEN_SET
        elif chip == "all":
            statuses = ()
        else:
            statuses = (chip,)
        channel = self.channel.currentData()
        service = self.service.currentData()
        tag = self.tag.currentData()
        return QueueFilter(
            statuses=statuses,
            channel_ids=(channel,) if channel is not None else (),
            services=(service,) if service is not None else (),
            priority=self.priority.currentData() or "",
            ship_window=self.ship_by.currentData() or "",
            tags=(tag,) if tag is not None else (),
            station_id=self.station.currentData(),
            user_id=self.packer.currentData(),
            search=self.search.text().strip(),
        )

    def _emit_now(self) -> None:
        self._search_timer.stop()
        self._emit()

    def _emit(self, *_args: object) -> None:
        self.filter_changed.emit(self.current_filter())
