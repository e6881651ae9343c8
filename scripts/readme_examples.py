"""Write the README's examples from real runs of the shipped models, between its markers: the
pad's JSON lines (a crossed 7, a clear, "20" written digit by digit, a correction) and
digits-predict's answers for three pictures and a line of strokes.

    SDL_VIDEODRIVER=dummy .venv/bin/python scripts/readme_examples.py
"""

import contextlib
import io
import itertools
import json
import os
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pygame  # noqa: E402
from PIL import Image  # noqa: E402

from runtime import pad, predict  # noqa: E402
from runtime.canvas import Canvas  # noqa: E402
from runtime.engine import Engine  # noqa: E402
from runtime.profile import Profile  # noqa: E402

SEVEN = [[(0.1, 0.05), (0.8, 0.05), (0.35, 1.0)], [(0.3, 0.5), (0.8, 0.5)]]
TWO = [
    [(0.2, 0.25), (0.35, 0.05), (0.65, 0.05), (0.8, 0.25), (0.6, 0.55), (0.15, 1.0), (0.85, 1.0)]
]
ZERO = [[(0.5 + 0.32 * np.cos(t), 0.5 + 0.48 * np.sin(t)) for t in np.linspace(-1.57, 4.71, 24)]]
SIX = [
    [
        (0.7, 0.0),
        (0.3, 0.45),
        *((0.5 + 0.3 * np.cos(t), 0.72 + 0.28 * np.sin(t)) for t in np.linspace(3.14, 9.42, 24)),
    ]
]
LETTER_H = [[(0.1, 0.0), (0.1, 1.0)], [(0.8, 0.0), (0.8, 1.0)], [(0.1, 0.5), (0.8, 0.5)]]


def placed(digits, left: float, top: float, size: float, gap: float = 1.1):
    """Unit-box strokes side by side, in pixels."""
    return [
        [(round(left + (i * gap + x * 0.7) * size), round(top + y * size)) for x, y in stroke]
        for i, strokes in enumerate(digits)
        for stroke in strokes
    ]


def mouse(kind: int, position) -> pygame.event.Event:
    if kind == pygame.MOUSEMOTION:
        return pygame.event.Event(kind, pos=position, rel=(0, 0), buttons=(1, 0, 0))
    return pygame.event.Event(kind, pos=position, button=pygame.BUTTON_LEFT)


def pad_lines() -> list[str]:
    """What the pad prints for a crossed 7, a clear, then "20" and a correction of its 0."""
    engine, lines = Engine(), []
    layout = pad.layout(pad.WINDOW_SIZE)
    left, top = layout.canvas.left + 150, layout.canvas.top + 50
    events = []
    for group in ([SEVEN], None, [TWO, ZERO], "correction"):
        if group is None:
            events.append(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_c, mod=0))
            continue
        if group == "correction":
            events.append(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_8, mod=0))
            continue
        for stroke in placed(group, left, top, 180):
            steps = [
                stroke[0],
                *(p for a, b in itertools.pairwise(stroke) for p in _between(a, b)),
            ]
            events += [mouse(pygame.MOUSEBUTTONDOWN, steps[0])]
            events += [mouse(pygame.MOUSEMOTION, p) for p in steps[1:]]
            events += [mouse(pygame.MOUSEBUTTONUP, steps[-1])]
    events.append(pygame.event.Event(pygame.QUIT))
    with tempfile.TemporaryDirectory() as folder:
        pad.run(
            engine,
            emit=lambda event: lines.append(json.dumps(event)),
            script=events,
            profile=Profile(engine.model_id),
            profile_path=Path(folder) / "profile.npz",
        )
    return lines


def _between(a, b, step: int = 12):
    count = max(1, round(np.hypot(b[0] - a[0], b[1] - a[1]) / step))
    return [
        (round(a[0] + (b[0] - a[0]) * k / count), round(a[1] + (b[1] - a[1]) * k / count))
        for k in range(1, count + 1)
    ]


def predict_lines() -> list[str]:
    """digits-predict on three pictures drawn with the pad's canvas, and on a line of strokes."""
    shown = []
    with tempfile.TemporaryDirectory() as folder:
        for name, digits, size in (
            ("seven.png", [SEVEN], (280, 280)),
            ("year.png", [TWO, ZERO, TWO, SIX], (620, 200)),
            ("letter.png", [LETTER_H], (280, 280)),
        ):
            canvas = Canvas(size)
            canvas.replay(placed(digits, 30, 25, min(size) * 0.7, 1.15))
            Image.fromarray(255 - canvas.ink()).save(Path(folder) / name)
        names = ["seven.png", "year.png", "letter.png"]
        cwd = os.getcwd()
        os.chdir(folder)
        try:
            shown.append("$ digits-predict seven.png year.png letter.png")
            shown += _run(predict.main, names)
        finally:
            os.chdir(cwd)
    line = '{"strokes": [[[0, 0], [0, 100]], [[40, 0], [100, 0], [60, 100]]]}'
    shown.append(f"$ echo '{line}' | digits-predict --strokes -")
    sys.stdin = io.StringIO(line + "\n")
    shown += _run(predict.main, ["--strokes", "-"])
    return shown


def _run(main, argv) -> list[str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(argv)
    return out.getvalue().splitlines()


def _with(readme: str, name: str, lines: list[str]) -> str:
    start, end = f"<!-- {name}: start -->", f"<!-- {name}: end -->"
    block = "```\n" + "\n".join(lines) + "\n```"
    return re.sub(
        re.escape(start) + ".*?" + re.escape(end), f"{start}\n{block}\n{end}", readme, flags=re.S
    )


def main() -> None:
    path = ROOT / "README.md"
    readme = _with(path.read_text(encoding="utf-8"), "pad example", pad_lines())
    readme = _with(readme, "predict example", predict_lines())
    path.write_text(readme, encoding="utf-8")


if __name__ == "__main__":
    main()
