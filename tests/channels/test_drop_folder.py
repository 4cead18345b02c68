"""The drop-folder watcher: settled files only, moved to done/ or failed/ with a report."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from wms_desk.channels.drop_folder import DropFolder


def _handler(calls: list[str]):
    def handle(path: Path) -> tuple[bool, dict[str, object]]:
        calls.append(path.name)
        if path.read_text() == "boom":
            raise ValueError("unreadable")
        return path.read_text() == "good", {"rejected": 0 if path.read_text() == "good" else 1}

    return handle


def test_files_are_taken_once_settled_and_moved_with_a_report(tmp_path: Path) -> None:
    calls: list[str] = []
    folder = DropFolder(tmp_path, _handler(calls))
    (tmp_path / "a.json").write_text("good")
    (tmp_path / "b.csv").write_text("bad")
    (tmp_path / "notes.pdf").write_text("ignored")
    assert folder.poll() == [] and calls == []  # first sight: maybe still being written
    outcomes = folder.poll()
    assert calls == ["a.json", "b.csv"]
    assert [(o.moved_to.relative_to(tmp_path).as_posix(), o.ok) for o in outcomes] == [
        ("done/a.json", True),
        ("failed/b.csv", False),
    ]
    report = json.loads((tmp_path / "failed" / "b.csv.report.json").read_text())
    assert report["file"] == "b.csv" and report["ok"] is False and report["rejected"] == 1
    assert (tmp_path / "notes.pdf").exists() and folder.poll() == []


def test_a_growing_file_waits(tmp_path: Path) -> None:
    calls: list[str] = []
    folder = DropFolder(tmp_path, _handler(calls))
    path = tmp_path / "a.json"
    path.write_text("go")
    folder.poll()
    path.write_text("good")  # still being written: size changed
    assert folder.poll() == []
    assert [o.ok for o in folder.poll()] == [True] and calls == ["a.json"]


def test_handler_crash_goes_to_failed_and_same_name_twice_keeps_both(tmp_path: Path) -> None:
    folder = DropFolder(tmp_path, _handler([]))
    for content in ("boom", "boom"):
        (tmp_path / "x.csv").write_text(content)
        folder.poll()
        [outcome] = folder.poll()
        assert not outcome.ok
    failed = sorted(p.name for p in (tmp_path / "failed").iterdir())
    assert len(failed) == 4 and "x.csv" in failed
    report = json.loads((tmp_path / "failed" / "x.csv.report.json").read_text())
    assert report["error"] == "ValueError: unreadable"


def test_run_stops_when_told(tmp_path: Path) -> None:
    calls: list[str] = []
    folder = DropFolder(tmp_path, _handler(calls))
    (tmp_path / "a.json").write_text("good")
    stop = threading.Event()
    thread = threading.Thread(target=folder.run, args=(stop, 0.01))
    thread.start()
    try:
        for _ in range(500):
            if (tmp_path / "done" / "a.json").exists():
                break
            stop.wait(0.01)
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive() and calls == ["a.json"]
