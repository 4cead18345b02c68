"""A small QPainter bar chart of a domain Chart (PySide6-Essentials has no QtCharts)."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from wms_desk.domain.reports import Chart

# Series colours, readable on white and told apart by most colour-blind readers.
PALETTE = ("#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#6b7280")
_MARGIN = 8
_AXIS_W = 44
_LEGEND_H = 22


def nice_ceiling(value: Decimal) -> Decimal:
    """The axis top: the next 1, 2 or 5 times a power of ten at or above `value`."""
    if value <= 0:
        return Decimal(1)
    step = Decimal(1)
    while step * 10 <= value:
        step *= 10
    for factor in (1, 2, 5, 10):
        if step * factor >= value:
            return step * factor
    return step * 10  # pragma: no cover


def _number(value: Decimal) -> str:
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.1f}"


class BarChart(QWidget):
    """Grouped bars: one group per category, one bar per series. Click a bar: `bar_clicked`
    with (series index, point index); an empty chart says so instead of drawing nothing."""

    bar_clicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("BarChart")
        self.setMouseTracking(True)
        self.setMinimumSize(220, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._chart: Chart | None = None
        self._bars: list[tuple[QRectF, int, int]] = []
        self.empty_text = "Nothing to show yet."

    def sizeHint(self) -> QSize:
        return QSize(640, 260)

    @property
    def chart(self) -> Chart | None:
        return self._chart

    def set_chart(self, chart: Chart | None) -> None:
        self._chart = chart
        self.update()

    def bar_rect(self, series: int, point: int) -> QRectF | None:
        """Where a bar was last drawn (tests click it; tooltips name it)."""
        for rect, s, p in self._bars:
            if (s, p) == (series, point):
                return rect
        return None

    def _at(self, pos: QPoint) -> tuple[int, int] | None:
        for rect, s, p in self._bars:
            # A zero bar has no height: its whole column slot is the click target.
            hit = QRectF(rect.left(), rect.top() - 4, rect.width(), rect.height() + 8)
            if hit.contains(pos.toPointF()) or (
                rect.left() <= pos.x() <= rect.right() and rect.height() < 4
            ):
                return s, p
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        hit = self._at(event.position().toPoint())
        if hit is not None and event.button() == Qt.MouseButton.LeftButton:
            self.bar_clicked.emit(*hit)
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hit = self._at(event.position().toPoint())
        chart = self._chart
        if hit is None or chart is None:
            QToolTip.hideText()
            self.unsetCursor()
            return
        s, p = hit
        label, value = chart.series[s].points[p]
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        QToolTip.showText(
            event.globalPosition().toPoint(),
            f"{chart.series[s].name}, {label}: {_number(value)} — click to see them",
            self,
        )

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        self._bars = []
        chart = self._chart
        font = QFont(self.font())
        metrics = QFontMetrics(font)
        line = metrics.height()
        top = _MARGIN
        if chart is not None and chart.title:
            bold = QFont(font)
            bold.setBold(True)
            painter.setFont(bold)
            painter.setPen(QColor("#111827"))
            painter.drawText(QRect(_MARGIN, top, self.width() - 2 * _MARGIN, line), 0, chart.title)
            painter.setFont(font)
            top += line + 4
        points = [p for s in chart.series for p in s.points] if chart else []
        if chart is None or not points:
            painter.setPen(QColor("#6b7280"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.empty_text)
            painter.end()
            return
        self._draw_legend(painter, chart, top, line)
        top += _LEGEND_H
        # Headroom above the tallest bar for its value.
        plot = QRect(
            _MARGIN + _AXIS_W,
            top + 4 + line,
            self.width() - 2 * _MARGIN - _AXIS_W,
            self.height() - top - 4 - line - _MARGIN - line - 4,
        )
        peak = nice_ceiling(max((v for _l, v in points), default=Decimal(0)))
        self._draw_axis(painter, plot, peak, metrics)
        self._draw_bars(painter, chart, plot, peak, metrics)
        painter.end()

    def _draw_legend(self, painter: QPainter, chart: Chart, top: int, line: int) -> None:
        x = _MARGIN + _AXIS_W
        metrics = painter.fontMetrics()
        for n, series in enumerate(chart.series):
            painter.fillRect(QRect(x, top + 4, 12, 12), QColor(PALETTE[n % len(PALETTE)]))
            painter.setPen(QColor("#1f2937"))
            width = metrics.horizontalAdvance(series.name)
            painter.drawText(QRect(x + 16, top, width + 4, line + 4), 0, series.name)
            x += 16 + width + 18
        # What the axis counts, after the legend, unless the one series' name already says it.
        named_by_series = len(chart.series) == 1 and chart.series[0].name == chart.y_label
        if chart.y_label and not named_by_series:
            painter.setPen(QColor("#6b7280"))
            text = f"({chart.y_label})"
            width = metrics.horizontalAdvance(text)
            painter.drawText(QRect(x, top, width + 4, line + 4), 0, text)

    def _draw_axis(
        self, painter: QPainter, plot: QRect, peak: Decimal, metrics: QFontMetrics
    ) -> None:
        painter.setPen(QColor("#e5e7eb"))
        for step in range(5):
            value = peak * step / 4
            y = plot.bottom() - int(plot.height() * step / 4)
            painter.setPen(QColor("#e5e7eb"))
            painter.drawLine(plot.left(), y, plot.right(), y)
            painter.setPen(QColor("#6b7280"))
            text = _number(value)
            painter.drawText(
                QRect(_MARGIN, y - metrics.height() // 2, _AXIS_W - 6, metrics.height()),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                text,
            )

    def _draw_bars(
        self, painter: QPainter, chart: Chart, plot: QRect, peak: Decimal, metrics: QFontMetrics
    ) -> None:
        categories = max(len(s.points) for s in chart.series)
        group = plot.width() / categories
        bar = max(2.0, group * 0.8 / len(chart.series))
        # Category labels thin out so they never overlap.
        widest = max(
            metrics.horizontalAdvance(label) for s in chart.series for label, _ in s.points
        )
        every = max(1, int((widest + 8) // max(group, 1)) + 1)
        for p in range(categories):
            left = plot.left() + group * p + group * 0.1
            for s, series in enumerate(chart.series):
                if p >= len(series.points):
                    continue
                label, value = series.points[p]
                height = float(value / peak) * plot.height() if peak else 0.0
                rect = QRectF(left + bar * s, plot.bottom() - height, bar - 1, height)
                painter.fillRect(rect, QColor(PALETTE[s % len(PALETTE)]))
                self._bars.append((rect, s, p))
                if value > 0 and bar >= metrics.horizontalAdvance(_number(value)):
                    painter.setPen(QColor("#111827"))
                    painter.drawText(
                        QRectF(
                            rect.left() - 2,
                            rect.top() - metrics.height(),
                            bar + 4,
                            metrics.height(),
                        ),
                        int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom),
                        _number(value),
                    )
            if p % every == 0:
                label = chart.series[0].points[p][0] if p < len(chart.series[0].points) else ""
                painter.setPen(QColor("#374151"))
                centre = plot.left() + group * (p + 0.5)
                painter.drawText(
                    QRectF(
                        centre - widest / 2 - 4,
                        plot.bottom() + 4,
                        widest + 8,
                        metrics.height(),
                    ),
                    int(Qt.AlignmentFlag.AlignHCenter),
                    label,
                )
