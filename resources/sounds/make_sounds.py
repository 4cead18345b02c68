"""Writes the station's scan sounds (16-bit mono 22.05 kHz WAVs) beside this script: python it."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22050

# tone -> notes (frequency Hz, seconds); soft sine with a short fade so nothing clicks.
SOUNDS: dict[str, list[tuple[float, float]]] = {
    "success": [(1318.5, 0.07)],  # one short high blip: heard hundreds of times a day
    "error": [(220.0, 0.16), (0.0, 0.04), (196.0, 0.22)],  # two low buzzes: unmistakable
    "warning": [(659.3, 0.12), (0.0, 0.03), (659.3, 0.12)],
    "info": [(880.0, 0.06)],
    "complete": [(784.0, 0.09), (988.0, 0.09), (1318.5, 0.16)],  # a rising chord: order done
}


def _samples(notes: list[tuple[float, float]], error: bool) -> list[int]:
    out: list[int] = []
    for freq, seconds in notes:
        count = int(RATE * seconds)
        fade = min(count // 4, int(RATE * 0.012))
        for i in range(count):
            if freq == 0:
                out.append(0)
                continue
            t = i / RATE
            value = math.sin(2 * math.pi * freq * t)
            if error:  # a little third harmonic makes a buzz, not a beep
                value = 0.75 * value + 0.25 * math.sin(2 * math.pi * 3 * freq * t)
            envelope = min(1.0, i / fade if fade else 1.0, (count - i) / fade if fade else 1.0)
            out.append(int(value * envelope * 0.6 * 32767))
    return out


def write_all(folder: Path) -> list[Path]:
    paths = []
    for name, notes in SOUNDS.items():
        path = folder / f"{name}.wav"
        with wave.open(str(path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(RATE)
            samples = _samples(notes, name == "error")
            wav.writeframes(struct.pack(f"<{len(samples)}h", *samples))
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write_all(Path(__file__).resolve().parent):
        print(written)
