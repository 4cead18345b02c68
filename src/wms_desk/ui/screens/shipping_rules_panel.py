"""Settings > Shipping rules: how a shipment's service is chosen, for all channels or one.

The rules are a domain value (domain/service_selection.ShippingRules); this panel edits one scope's
document in two small tables and saves it through the service, which names any unknown carrier
or channel instead of saving rules nobody would use.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wms_desk.domain.service_selection import Exclusion, ServiceMapping, ShippingRules, Strategy
from wms_desk.services.shipping.rules import RulesChoices, get_rules, rules_choices, save_rules
from wms_desk.ui.context import UiContext
from wms_desk.ui.widgets.named import named

STRATEGY_LABELS = {
    Strategy.CHEAPEST: "Cheapest",
    Strategy.FASTEST: "Fastest",
    Strategy.CHEAPEST_ON_TIME: "Cheapest that still arrives by the ship-by date",
}
ALL_CHANNELS = "All channels"
MAPPING_COLUMNS = ("Channel's service name", "Carrier", "Service code")
EXCLUSION_COLUMNS = ("Carrier", "Service", "Over g", "Side over mm", "Countries")
EXCLUSION_TIPS = (
    "The carrier account; blank: every carrier",
    "The carrier's service code; blank: every service",
    "Excluded when the shipment is heavier than this many grams",
    "Excluded when a package's longest side is over this many millimetres",
    "Two-letter destination codes it must not go to, separated by commas (CA, MX)",
)


class RuleInputError(ValueError):
    """A cell the supervisor typed cannot be read; the message names the row and the column."""


def _table(columns: tuple[str, ...], name: str) -> QTableWidget:
    table = named(QTableWidget(0, len(columns)), name)
    table.setHorizontalHeaderLabels(columns)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setVisible(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setMinimumHeight(110)
    return table


def _cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text().strip() if item is not None else ""


def _put_row(table: QTableWidget, values: tuple[str, ...]) -> None:
    row = table.rowCount()
    table.insertRow(row)
    for column, value in enumerate(values):
        table.setItem(row, column, QTableWidgetItem(value))


def _number(table: QTableWidget, row: int, column: int, what: str) -> Decimal | None:
    text = _cell(table, row, column)
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value <= 0:
        raise RuleInputError(f"Exclusion row {row + 1}: {what} {text!r} is not a number above 0.")
    return value


class ShippingRulesPanel(QWidget):
    saved = Signal(object)  # ShippingRules

    def __init__(self, ui: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = ui
        self.choices = RulesChoices((), (), ())
        self.scope = QComboBox()
        self.scope.addItem(ALL_CHANNELS, "")
        self.scope.currentIndexChanged.connect(self._load_scope)
        self.strategy = QComboBox()
        for strategy, label in STRATEGY_LABELS.items():
            self.strategy.addItem(label, strategy.value)
        self.preferred = QComboBox()
        self.preferred.addItem("(none)", "")
        for combo in (self.scope, self.strategy, self.preferred):
            combo.setMaximumWidth(440)
        head = QFormLayout()
        head.addRow("Rules for", self.scope)
        head.addRow("Choose", self.strategy)
        head.addRow("Preferred carrier", self.preferred)

        self.mappings = _table(MAPPING_COLUMNS, "RuleMappings")
        self.exclusions = _table(EXCLUSION_COLUMNS, "RuleExclusions")
        for column, tip in enumerate(EXCLUSION_TIPS):
            header = self.exclusions.horizontalHeaderItem(column)
            if header is not None:
                header.setToolTip(tip)
        groups = QHBoxLayout()
        groups.addWidget(self._group("Service mappings", self.mappings, self._add_mapping), 1)
        groups.addWidget(self._group("Never offer", self.exclusions, self._add_exclusion), 1)

        self.save_button = QPushButton("Save rules")
        self.save_button.clicked.connect(self.save)
        self.message = named(QLabel(wordWrap=True), "RulesMessage")
        hint = QLabel(
            "A channel without rules of its own uses the rules for all channels. A mapping sends "
            "an order whose channel service is, say, “Express” to that carrier service; "
            "exclusions keep a service off the rate shop for heavy, long or far parcels (a "
            "blank carrier or service means any).",
            wordWrap=True,
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(groups, 1)
        layout.addWidget(hint)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        ui.tasks.run(rules_choices, ui.services, on_done=self._choices, on_error=self._failed)

    def _group(self, title: str, table: QTableWidget, add: object) -> QGroupBox:
        box = QGroupBox(title)
        add_button = QPushButton("Add")
        remove_button = QPushButton("Remove")
        add_button.clicked.connect(add)
        remove_button.clicked.connect(lambda: self._remove(table))
        row = QHBoxLayout()
        row.addWidget(add_button)
        row.addWidget(remove_button)
        row.addStretch(1)
        column = QVBoxLayout(box)
        column.addWidget(table, 1)
        column.addLayout(row)
        return box

    # -- loading -----------------------------------------------------------------------------------
    def _choices(self, choices: RulesChoices) -> None:
        self.choices = choices
        self.scope.blockSignals(True)
        for channel in choices.channels:
            own = " (own rules)" if channel in choices.with_own_rules else ""
            self.scope.addItem(channel + own, channel)
        self.scope.blockSignals(False)
        for carrier in choices.carriers:
            self.preferred.addItem(carrier, carrier)
        self._load_scope()

    def _load_scope(self) -> None:
        channel = self.scope.currentData() or ""
        self.ui.tasks.run(
            get_rules, self.ui.services, channel, on_done=self.show_rules, on_error=self._failed
        )

    def show_rules(self, rules: ShippingRules) -> None:
        self.strategy.setCurrentIndex(max(0, self.strategy.findData(rules.strategy.value)))
        self.preferred.setCurrentIndex(max(0, self.preferred.findData(rules.preferred_carrier)))
        self.mappings.setRowCount(0)
        for m in rules.mappings:
            _put_row(self.mappings, (m.channel_service, m.carrier, m.service))
        self.exclusions.setRowCount(0)
        for e in rules.exclusions:
            _put_row(
                self.exclusions,
                (
                    e.carrier,
                    e.service,
                    "" if e.max_weight_g is None else str(e.max_weight_g),
                    "" if e.max_longest_mm is None else str(e.max_longest_mm),
                    ", ".join(e.countries),
                ),
            )

    # -- editing -----------------------------------------------------------------------------------
    def _add_mapping(self) -> None:
        first = self.choices.carriers[0] if self.choices.carriers else ""
        _put_row(self.mappings, ("", first, ""))
        self.mappings.setCurrentCell(self.mappings.rowCount() - 1, 0)

    def _add_exclusion(self) -> None:
        _put_row(self.exclusions, ("", "", "", "", ""))
        self.exclusions.setCurrentCell(self.exclusions.rowCount() - 1, 0)

    def _remove(self, table: QTableWidget) -> None:
        rows = sorted({index.row() for index in table.selectedIndexes()}, reverse=True)
        for row in rows:
            table.removeRow(row)
        if rows:
            self.message.setText(f"Removed {len(rows)} row(s); Save rules to keep the change.")

    def rules(self) -> ShippingRules:
        """What the tables say, or RuleInputError naming the cell that cannot be read."""
        typed = [
            [_cell(self.mappings, r, c) for c in range(3)] for r in range(self.mappings.rowCount())
        ]
        mappings = tuple(ServiceMapping(*row) for row in typed if any(row))
        exclusions = []
        for r in range(self.exclusions.rowCount()):
            cells = [_cell(self.exclusions, r, c) for c in range(5)]
            if not any(cells):
                continue
            countries = tuple(c.strip().upper() for c in cells[4].split(",") if c.strip())
            if any(len(c) != 2 or not c.isalpha() for c in countries):
                raise RuleInputError(
                    f"Exclusion row {r + 1}: countries are two-letter codes separated by commas "
                    f"(e.g. CA, MX), not {cells[4]!r}."
                )
            exclusions.append(
                Exclusion(
                    cells[0],
                    cells[1],
                    _number(self.exclusions, r, 2, "the weight"),
                    _number(self.exclusions, r, 3, "the side length"),
                    countries,
                )
            )
        return ShippingRules(
            Strategy(self.strategy.currentData()),
            mappings,
            tuple(exclusions),
            self.preferred.currentData() or "",
        )

    def save(self) -> None:
        try:
            rules = self.rules()
        except RuleInputError as exc:
            self.message.setText(f"{exc} Nothing was saved.")
            return
        channel = self.scope.currentData() or ""
        self.save_button.setEnabled(False)
        self.ui.tasks.run(
            save_rules,
            self.ui.services,
            rules,
            channel,
            on_done=lambda saved: self._saved(saved, channel),
            on_error=self._failed,
        )

    def _saved(self, rules: ShippingRules, channel: str) -> None:
        self.save_button.setEnabled(True)
        scope = f"channel {channel}" if channel else "all channels"
        self.message.setText(
            f"Saved the shipping rules for {scope}: {STRATEGY_LABELS[rules.strategy].lower()}, "
            f"{len(rules.mappings)} mapping(s), {len(rules.exclusions)} exclusion(s)."
        )
        self.saved.emit(rules)

    def _failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.message.setText(str(error))
