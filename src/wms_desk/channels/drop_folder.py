"""A watched drop folder: new files are handed to an importer, then moved to done/ or failed/."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# (file) -> (imported without rejections?, report written beside the file as JSON)
Handler = Callable[[Path], tuple[bool, Mapping[str, Any]]]
PATTERNS = ("*.json", "*.csv", "*.tsv", "*.txt")


@dataclass(frozen=True)
class DropOutcome:
    source: Path
    moved_to: Path
    report: Path
    ok: bool


class DropFolder:
    """Polls a folder; a file is taken once its size and time stop changing between two polls.

    Polling (not inotify) so it works the same on network shares and on every OS; the settle
    check keeps a file that an FTP client or a shop export is still writing from being read.
    """

    def __init__(self, folder: Path, handler: Handler, patterns: tuple[str, ...] = PATTERNS):
        self.folder = Path(folder)
        self.handler = handler
        self.patterns = patterns
        self.done = self.folder / "done"
        self.failed = self.folder / "failed"
        self._seen: dict[Path, tuple[int, float]] = {}

    def _candidates(self) -> list[Path]:
        found: set[Path] = set()
        for pattern in self.patterns:
            found.update(p for p in self.folder.glob(pattern) if p.is_file())
        return sorted(p for p in found if not p.name.startswith(".") and ".report" not in p.name)

    def poll(self) -> list[DropOutcome]:
        """One pass: import every settled file; returns what was moved."""
        if not self.folder.is_dir():
            return []
        outcomes = []
        current: dict[Path, tuple[int, float]] = {}
        for path in self._candidates():
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue  # taken away between listing and looking
            signature = (stat.st_size, stat.st_mtime)
            if self._seen.get(path) != signature:
                current[path] = signature  # new or still growing: look again next time
                continue
            outcomes.append(self._process(path))
        self._seen = current
        return outcomes

    def process_all(self) -> list[DropOutcome]:
        """Take every file there now, without the settle check: for a one-shot run (a CLI
        command) over files that are complete, such as webhook bodies already written."""
        if not self.folder.is_dir():
            return []
        return [self._process(path) for path in self._candidates()]

    def _process(self, path: Path) -> DropOutcome:
        started = datetime.now(UTC)
        try:
            ok, report = self.handler(path)
            report = dict(report)
        except Exception as exc:  # a broken file must not stop the watcher
            log.exception("drop folder import of %s failed", path)
            ok, report = False, {"error": f"{type(exc).__name__}: {exc}"}
        target_dir = self.done if ok else self.failed
        target_dir.mkdir(parents=True, exist_ok=True)
        target = _free_name(target_dir / path.name)
        path.replace(target)
        report_path = target.with_name(target.name + ".report.json")
        body = {"file": path.name, "ok": ok, "started": started.isoformat(), **report}
        report_path.write_text(json.dumps(body, indent=2, ensure_ascii=False), encoding="utf-8")
        return DropOutcome(path, target, report_path, ok)

    def run(self, stop: threading.Event, interval: float = 2.0) -> None:
        """Poll until `stop` is set (for a background thread)."""
        while not stop.is_set():
            try:
                self.poll()
            except OSError:
                log.warning("drop folder %s unreadable; retrying", self.folder, exc_info=True)
            stop.wait(interval)


def _free_name(path: Path) -> Path:
    """The same file name dropped twice keeps both: the later one gets a time stamp."""
    if not path.exists():
        return path
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return path.with_name(f"{path.stem}.{stamp}{path.suffix}")
