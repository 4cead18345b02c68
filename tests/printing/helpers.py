"""Read back what we print: barcodes from rasterised PDF pages, and ZPL structure."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from typing import Any

import pypdfium2 as pdfium
import zxingcpp


def page_count(pdf: bytes) -> int:
    return len(pdfium.PdfDocument(pdf))


def decode_pages(pdf: bytes, scale: float = 3.0) -> list[list[tuple[str, str]]]:
    """Per page, every barcode zxing-cpp finds: (format name, text with GS kept as 0x1D)."""
    document = pdfium.PdfDocument(pdf)
    pages = []
    for page in document:
        image = page.render(scale=scale).to_pil()
        found = zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain)
        pages.append([(r.format.name, r.text) for r in found])
    return pages


def page_texts(pdf: bytes) -> list[str]:
    document = pdfium.PdfDocument(pdf)
    return [page.get_textpage().get_text_range() for page in document]


FIELD = re.compile(r"\^FD(.*?)\^FS", re.S)


def check_zpl(zpl: bytes) -> str:
    """Structural checks a printer would care about; returns the text for further asserts."""
    text = zpl.decode("utf-8")
    assert text.count("^XA") == text.count("^XZ") >= 1, "unbalanced ^XA/^XZ"
    assert "^CI28" in text
    for label in text.split("^XZ")[:-1]:
        width = int(re.search(r"\^PW(\d+)", label).group(1))
        length = int(re.search(r"\^LL(\d+)", label).group(1))
        for x, y in re.findall(r"\^FO(\d+),(\d+)", label):
            assert 0 <= int(x) < width and 0 <= int(y) < length, f"field at {x},{y} off label"
        for block in re.findall(r"\^FB(\d+)", label):
            assert int(block) <= width
        # Every field: ^FH before ^FD, and nothing inside that could start a command.
        for command in re.split(r"(?=\^FO)", label)[1:]:
            if "^FD" in command:
                assert "^FH_^FD" in command, f"field without ^FH: {command!r}"
        for data in FIELD.findall(label):
            assert "^" not in data and "~" not in data, f"unescaped prefix in {data!r}"
            assert not any(ord(ch) < 0x20 for ch in data), f"control byte in {data!r}"
    return text


def unescape(field: str) -> str:
    """Undo ^FH_ hex escapes (what the printer prints)."""
    data = re.sub(r"_([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), field)
    return data


def run_together(target: Callable[[Any], None], args: Sequence[Any], timeout: float = 60) -> None:
    """Start one thread per argument at the same moment (a barrier), wait for all."""
    start = threading.Barrier(len(args))

    def run(arg: Any) -> None:
        start.wait()
        target(arg)

    threads = [threading.Thread(target=run, args=(arg,)) for arg in args]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a thread did not finish"
