"""A report as a PDF: heading, figures, the chart drawn as vectors, then every table.

The chart is a reportlab.graphics drawing (bars or lines, not a picture), with its title and axis
labels as real text, so the PDF stays sharp when printed and its words can be searched.
"""

from __future__ import annotations

import io
from typing import Any

from wms_desk.domain.report_format import display, filter_text
from wms_desk.domain.reports import Chart, ChartKind, Report, Table, ValueKind
from wms_desk.printing.fonts import SANS, SANS_BOLD, ensure_fonts

CHART_W, CHART_H = 500.0, 260.0
MOST_LABELS = 16  # category labels shown under a chart; the rest are left blank
MOST_ROWS = 1000  # rows of one table on paper; the CSV has them all


def report_pdf(report: Report) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    ensure_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=report.title,
        author="wms-desk",
        leftMargin=40,
        rightMargin=40,
        topMargin=40,
        bottomMargin=40,
        invariant=1,
    )
    h1 = ParagraphStyle("h1", fontName=SANS_BOLD, fontSize=16, leading=20, spaceAfter=4)
    h2 = ParagraphStyle("h2", fontName=SANS_BOLD, fontSize=11, leading=14, spaceBefore=10)
    body = ParagraphStyle("body", fontName=SANS, fontSize=9, leading=12, textColor=colors.black)
    story: list[Any] = [
        Paragraph(_esc(report.title), h1),
        Paragraph(_esc(filter_text(report)), body),
        Paragraph(_esc(f"Made {report.generated_at:%Y-%m-%d %H:%M} UTC"), body),
        Spacer(1, 8),
    ]
    story += [Paragraph(_esc(note), body) for note in report.notes]
    if report.figures:
        story.append(
            _grid(
                [["Figure", "Value"]]
                + [[f.label, display(f.value, f.kind)] for f in report.figures],
                [300, 150],
            )
        )
    if report.chart is not None and any(s.points for s in report.chart.series):
        story += [Spacer(1, 12), chart_drawing(report.chart)]
    for table in report.tables:
        story.append(Paragraph(_esc(table.title), h2))
        story += [_table(table, body)]
    doc.build(story)
    return buffer.getvalue()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _table(table: Table, body: Any) -> Any:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    if not table.rows:
        return Paragraph("Nothing in this range.", body)
    cell = ParagraphStyle("cell", fontName=SANS, fontSize=8, leading=10)
    rows: list[list[Any]] = [[c.title for c in table.columns]]
    for row in table.rows[:MOST_ROWS]:
        # Text wraps inside its column (a long product name must not run into the next one).
        rows.append(
            [
                Paragraph(_esc(display(v, c.kind)), cell)
                if c.kind is ValueKind.TEXT
                else display(v, c.kind)
                for v, c in zip(row, table.columns, strict=True)
            ]
        )
    width = 515.0 / len(table.columns)
    return _grid(
        rows,
        [width] * len(table.columns),
        numeric=[c.kind is not ValueKind.TEXT for c in table.columns],
    )


def _grid(rows: list[list[Any]], widths: list[float], numeric: list[bool] | None = None) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table as PdfTable
    from reportlab.platypus import TableStyle

    grid = PdfTable(rows, colWidths=widths, repeatRows=1)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), SANS),
        ("FONTNAME", (0, 0), (-1, 0), SANS_BOLD),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f0f0f0")]),
    ]
    for i, right in enumerate(numeric or []):
        if right:
            style.append(("ALIGN", (i, 0), (i, -1), "RIGHT"))
    grid.setStyle(TableStyle(style))
    return grid


SERIES_COLOURS = ("#1f5fa8", "#e08a1e", "#3a9a4a", "#a83a3a")


def chart_drawing(chart: Chart) -> Any:
    """The chart as vectors: bars (bar, histogram) or lines, titled, both axes labelled."""
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing, Group, Rect, String
    from reportlab.lib import colors

    drawing = Drawing(CHART_W, CHART_H)
    plot: Any = HorizontalLineChart() if chart.kind is ChartKind.LINE else VerticalBarChart()
    plot.x, plot.y, plot.width, plot.height = 60, 60, CHART_W - 80, CHART_H - 100
    categories = [label for label, _ in chart.series[0].points]
    plot.data = [[float(v) for _, v in s.points] for s in chart.series]
    step = max(1, -(-len(categories) // MOST_LABELS))
    plot.categoryAxis.categoryNames = [c if i % step == 0 else "" for i, c in enumerate(categories)]
    plot.categoryAxis.labels.fontName = SANS
    plot.categoryAxis.labels.fontSize = 7
    plot.categoryAxis.labels.angle = 30 if len(categories) > 6 else 0
    plot.categoryAxis.labels.boxAnchor = "ne" if len(categories) > 6 else "n"
    plot.valueAxis.labels.fontName = SANS
    plot.valueAxis.labels.fontSize = 7
    plot.valueAxis.valueMin = 0
    top = max((max(row) for row in plot.data if row), default=0.0)
    if top <= 0:
        plot.valueAxis.valueMax = 1
    elif top <= 5 and all(float(v).is_integer() for row in plot.data for v in row):
        plot.valueAxis.valueStep = 1  # small counts: no half orders on the axis
    for i in range(len(chart.series)):
        colour = colors.HexColor(SERIES_COLOURS[i % len(SERIES_COLOURS)])
        if chart.kind is ChartKind.LINE:
            plot.lines[i].strokeColor = colour
        else:
            plot.bars[i].fillColor = colour
    drawing.add(plot)
    drawing.add(
        String(
            CHART_W / 2,
            CHART_H - 16,
            chart.title,
            fontName=SANS_BOLD,
            fontSize=11,
            textAnchor="middle",
        )
    )
    drawing.add(
        String(CHART_W / 2, 6, chart.x_label, fontName=SANS, fontSize=9, textAnchor="middle")
    )
    y_label = String(0, 0, chart.y_label, fontName=SANS, fontSize=9, textAnchor="middle")
    rotated = Group(y_label)
    rotated.translate(14, 60 + plot.height / 2)
    rotated.rotate(90)
    drawing.add(rotated)
    if len(chart.series) > 1:
        for i, s in enumerate(chart.series):
            x = 60 + i * 130
            colour = colors.HexColor(SERIES_COLOURS[i % len(SERIES_COLOURS)])
            drawing.add(Rect(x, CHART_H - 34, 8, 8, fillColor=colour, strokeColor=None))
            drawing.add(String(x + 12, CHART_H - 33, s.name, fontName=SANS, fontSize=8))
    return drawing
