"""Ways of writing digits that MNIST (US census forms) barely has, made from strokes that have none.

Millions of people cross their sevens, slash their zeros and start a one with a long up-stroke.
The pen data has some of these and MNIST almost none, so training adds them to real strokes: the
flag, slash or bar is one more stroke (or, for the flag, the start of the first), placed from the
digit's own bounding box with random proportions.
"""

import math
from collections.abc import Callable

import numpy as np

Strokes = list[np.ndarray]


def slashed_zero(strokes: Strokes, rng: np.random.Generator) -> Strokes:
    """A zero with a slash from below its lower left to above its upper right (or, one time in
    five, the other diagonal), overshooting the loop by a little or not at all."""
    low, high = _box(strokes)
    size = high - low
    overshoot = rng.uniform(-0.05, 0.2, 2) * size
    start = np.array([low[0] - overshoot[0], high[1] + overshoot[1]])
    end = np.array([high[0] + overshoot[0], low[1] - overshoot[1]])
    if rng.random() < 0.2:
        start[0], end[0] = end[0], start[0]
    return [*strokes, _line(start, end, rng)]


def flagged_one(strokes: Strokes, rng: np.random.Generator) -> Strokes:
    """A continental one: a long up-stroke from the lower left to the top, then down the stem,
    in one movement of the pen; sometimes a foot along the bottom as well."""
    points = np.concatenate(strokes)
    height = float(np.ptp(points[:, 1])) or 1.0
    top = points[np.argmin(points[:, 1])]
    flag_start = top + np.array([-rng.uniform(0.2, 0.5), rng.uniform(0.15, 0.45)]) * height
    flag = _line(flag_start, top, rng)
    first = strokes[0]
    if np.linalg.norm(first[0] - top) < 0.15 * height:  # the stem starts at the top: join it
        flagged = [np.concatenate([flag, first[1:]]), *strokes[1:]]
    else:
        flagged = [flag, *strokes]
    if rng.random() < 0.3:
        bottom = points[np.argmax(points[:, 1])]
        half = rng.uniform(0.15, 0.35) * height
        foot = np.array([half, 0.0])
        flagged.append(_line(bottom - foot, bottom + foot, rng))
    return flagged


def crossed_seven(strokes: Strokes, rng: np.random.Generator) -> Strokes:
    """A seven with a short bar across its stem about halfway down."""
    low, high = _box(strokes)
    size = high - low
    level = low[1] + rng.uniform(0.45, 0.62) * size[1]
    crossings = [x for stroke in strokes for x in _crossings(stroke, level)]
    centre_x = crossings[-1] if crossings else (low[0] + high[0]) / 2
    half = rng.uniform(0.22, 0.4) * max(size[0], 0.5 * size[1])
    middle = np.array([centre_x + rng.uniform(-0.1, 0.1) * half, level])
    tilt = math.tan(math.radians(rng.uniform(-10, 10))) * half
    bar = np.array([half, -tilt])
    return [*strokes, _line(middle - bar, middle + bar, rng)]


STYLES: dict[int, Callable[[Strokes, np.random.Generator], Strokes]] = {
    0: slashed_zero,
    1: flagged_one,
    7: crossed_seven,
}


def _box(strokes: Strokes) -> tuple[np.ndarray, np.ndarray]:
    points = np.concatenate(strokes)
    return points.min(axis=0).astype(float), points.max(axis=0).astype(float)


def _line(start: np.ndarray, end: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A hand-drawn straight stroke: a few points, very slightly bowed."""
    steps = np.linspace(0, 1, 6)[:, None]
    points = start + steps * (end - start)
    along = end - start
    normal = np.array([-along[1], along[0]])
    bow = rng.uniform(-0.04, 0.04) * np.sin(np.pi * steps)
    return (points + bow * normal).astype(np.float32)


def _crossings(stroke: np.ndarray, level: float) -> list[float]:
    """The x positions where the polyline crosses the horizontal line y = level."""
    y = stroke[:, 1] - level
    found = []
    for i in np.flatnonzero(y[:-1] * y[1:] <= 0):
        if y[i] == y[i + 1]:
            continue
        t = y[i] / (y[i] - y[i + 1])
        found.append(float(stroke[i, 0] + t * (stroke[i + 1, 0] - stroke[i, 0])))
    return found
