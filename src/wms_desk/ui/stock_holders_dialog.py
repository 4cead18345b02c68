"""Who holds the stock an order waits for: per line what is missing, and which orders hold it."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from wms_desk.services import allocation
from wms_desk.services.allocation import StockWait
from wms_desk.ui.context import UiContext
from wms_desk.ui.widgets.screen_fit import fit_to_screen

COLUMNS = (
    "Line / order",
    "Status",
    "Needed",
    "Reserved here",
    "On hand",
    "Free",
    "Missing",
    "Bin",
    "Held",
    "Ship by",
)


class StockHoldersDialog(QDialog):
    """Opens at once and fills in when the query returns (never blocks the GUI thread)."""

    loaded = Signal(object)

    def __init__(self, ui: UiContext, order_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Who holds the stock")
        fit_to_screen(self, QSize(900, 420))
        self.summary = QLabel("Looking up the stock…", wordWrap=True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(True)
        self.tree.setAlternatingRowColors(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        ui.tasks.run(
            allocation.stock_holders,
            ui.services,
            order_id,
            on_done=self.show_wait,
            on_error=lambda error: self.summary.setText(f"Could not look it up: {error}"),
        )

    def show_wait(self, wait: StockWait) -> None:
        self.tree.clear()
        short = [line for line in wait.lines if line.missing > 0]
        if short:
            self.summary.setText(
                f"Order {wait.number} ({wait.status.replace('_', ' ')}) waits for "
                f"{sum(line.missing for line in short)} unit(s) on {len(short)} line(s). "
                "Orders below hold that stock; hold or re-prioritise them to free it, "
                "or count the bins if the stock is really there."
            )
        else:
            self.summary.setText(
                f"Order {wait.number} ({wait.status.replace('_', ' ')}) is not short of stock."
            )
        for line in wait.lines:
            item = QTreeWidgetItem(
                [
                    f"{line.line_no}. {line.sku}",
                    "",
                    str(line.needed),
                    str(line.reserved),
                    str(line.on_hand),
                    str(line.free),
                    str(line.missing),
                    "",
                    "",
                    "",
                ]
            )
            if line.missing:
                for column in range(len(COLUMNS)):
                    item.setForeground(column, Qt.GlobalColor.darkRed)
            for holder in line.holders:
                ship_by = (
                    holder.ship_by.astimezone().strftime("%a %d %b %H:%M")
                    if (holder.ship_by)
                    else ""
                )
                QTreeWidgetItem(
                    item,
                    [
                        holder.number,
                        holder.status.replace("_", " "),
                        "",
                        "",
                        "",
                        "",
                        "",
                        holder.bin_code,
                        str(holder.qty),
                        ship_by,
                    ],
                )
            self.tree.addTopLevelItem(item)
            item.setExpanded(line.missing > 0)
        for column in range(len(COLUMNS)):
            self.tree.resizeColumnToContents(column)
        self.loaded.emit(wait)
