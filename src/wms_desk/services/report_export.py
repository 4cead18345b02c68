"""A report written out: JSON with stable keys, formula-safe CSV, or PDF (docs/reports.md)."""

from __future__ import annotations

import io
import json
from typing import Any, TextIO

from wms_desk.domain.report_format import csv_cell, filter_text, json_value
from wms_desk.domain.reports import Report, ReportFormat
from wms_desk.services.csv_export import write_csv

JSON_VERSION = 1


def report_json(report: Report) -> dict[str, Any]:
    """The report as plain JSON values; the keys are a contract (docs/reports.md)."""
    f = report.filters
    chart = report.chart
    return {
        "version": JSON_VERSION,
        "report": report.name.value,
        "title": report.title,
        "generated_at": report.generated_at.isoformat(),
        "filters": {
            "from": f.start.isoformat() if f.start else None,
            "to": f.end.isoformat() if f.end else None,
            "channel": f.channel,
            "carrier": f.carrier,
            "station": f.station,
            "packer": f.packer,
            "timezone": f.timezone,
        },
        "figures": {fig.key: json_value(fig.value) for fig in report.figures},
        "tables": {
            t.key: {
                "title": t.title,
                "columns": [
                    {"key": c.key, "title": c.title, "kind": c.kind.value} for c in t.columns
                ],
                "rows": [
                    {c.key: json_value(v) for c, v in zip(t.columns, row, strict=True)}
                    for row in t.rows
                ],
            }
            for t in report.tables
        },
        "chart": None
        if chart is None
        else {
            "kind": chart.kind.value,
            "title": chart.title,
            "x_label": chart.x_label,
            "y_label": chart.y_label,
            "series": [
                {"name": s.name, "points": [{"label": lb, "value": str(v)} for lb, v in s.points]}
                for s in chart.series
            ],
        },
        "notes": list(report.notes),
    }


def write_report_csv(report: Report, stream: TextIO) -> None:
    """Sections one after another: the heading, the figures, then each table with its header.

    Every cell goes through the exports' formula neutraliser (a channel or SKU called
    "=HYPERLINK(...)" stays text in a spreadsheet).
    """
    write_csv(stream, ("report", report.title), [("filters", filter_text(report))])
    for note in report.notes:
        write_csv(stream, ("note", note), [])
    stream.write("\r\n")
    write_csv(
        stream,
        ("figure", "label", "value"),
        ((fig.key, fig.label, csv_cell(fig.value)) for fig in report.figures),
    )
    for table in report.tables:
        stream.write("\r\n")
        write_csv(stream, (table.title,), [])
        write_csv(
            stream,
            [c.key for c in table.columns],
            ([csv_cell(v) for v in row] for row in table.rows),
        )


def render(report: Report, fmt: ReportFormat) -> bytes:
    """The report in `fmt` as bytes ready for a file (CSV with a BOM so Excel reads accents)."""
    if fmt is ReportFormat.JSON:
        return (json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n").encode()
    if fmt is ReportFormat.CSV:
        text = io.StringIO(newline="")
        write_report_csv(report, text)
        return text.getvalue().encode("utf-8-sig")
    from wms_desk.printing.report_pdf import report_pdf

    return report_pdf(report)
