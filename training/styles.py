"""Ways of writing digits that MNIST (US census forms) barely has, made from strokes that have none.

Millions of people cross their sevens, slash their zeros and start a one with a long up-stroke.
The pen data has some of these and MNIST almost none, so training adds them to real strokes: the
flag, slash or bar is one more stroke (or, for the flag, the start of the first), placed from the
digit's own bounding box with random proportions. Styles whose whole shape differs (an open 4,
a 9 with a straight tail) are drawn anew in the box of a real writer's digit, so they take its
size, proportions and, through the stroke augmentation, its slant.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

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


def vertical_slash_zero(strokes: Strokes, rng: np.random.Generator) -> Strokes:
    """A zero struck through from top to bottom ("ϕ"), the line leaning a little either way and
    overshooting the loop above and below."""
    low, high = _box(strokes)
    size = high - low
    middle = (low[0] + high[0]) / 2 + rng.uniform(-0.1, 0.1) * size[0]
    lean = rng.uniform(-0.2, 0.2) * size[0]
    overshoot = rng.uniform(0.05, 0.3, 2) * size[1]
    start = np.array([middle + lean, low[1] - overshoot[0]])
    end = np.array([middle - lean, high[1] + overshoot[1]])
    return [*strokes, _line(start, end, rng)]


def long_flag_one(strokes: Strokes, rng: np.random.Generator) -> Strokes:
    """A one whose up-stroke starts low and far to the left, steeper than a seven's bar: the
    one a seven without a bar is told from."""
    points = np.concatenate(strokes)
    height = float(np.ptp(points[:, 1])) or 1.0
    top = points[np.argmin(points[:, 1])]
    bottom = np.array([top[0] + rng.uniform(-0.1, 0.05) * height, top[1] + height])
    angle = math.radians(rng.uniform(25, 55))  # above the horizontal
    reach = rng.uniform(0.5, 0.8) * height
    flag_start = top + np.array([-math.cos(angle), math.sin(angle)]) * reach
    return [np.concatenate([_line(flag_start, top, rng), _line(top, bottom, rng)[1:]])]


def open_four(strokes: Strokes, rng: np.random.Generator) -> Strokes:
    """A four open at the top, in the box of a real four: an arm down the left and across,
    and a stem beside it that the arm does not meet above the crossing. Either two strokes,
    or ("Ч") one that runs down, across, up to the top of the stem and back down it."""
    low, high = _box(strokes)
    width, height = max(high[0] - low[0], 0.6 * (high[1] - low[1])), high[1] - low[1]
    across = low[1] + rng.uniform(0.45, 0.7) * height
    stem_x = low[0] + rng.uniform(0.6, 0.8) * width
    arm_top = np.array(
        [low[0] + rng.uniform(0.0, 0.25) * width, low[1] + rng.uniform(0, 0.1) * height]
    )
    corner = np.array([low[0] + rng.uniform(-0.05, 0.1) * width, across])
    arm_end = np.array(
        [low[0] + rng.uniform(0.95, 1.1) * width, across + rng.uniform(-0.05, 0.05) * height]
    )
    stem_top = np.array([stem_x, low[1] + rng.uniform(0.0, 0.3) * height])
    stem_bottom = np.array([stem_x + rng.uniform(-0.1, 0.05) * width, high[1]])
    if rng.random() < 0.5:
        arm = np.concatenate([_curve(arm_top, corner, rng), _line(corner, arm_end, rng)[1:]])
        return [arm, _line(stem_top, stem_bottom, rng)]
    meet = np.array([stem_x, across])
    down = _curve(arm_top, corner + np.array([0.15 * width, 0.0]), rng)
    path = [
        down,
        _line(down[-1], meet, rng),
        _line(meet, stem_top, rng),
        _line(stem_top, stem_bottom, rng),
    ]
    return [np.concatenate([path[0], *(part[1:] for part in path[1:])])]


def straight_tailed_nine(strokes: Strokes, rng: np.random.Generator) -> Strokes:
    """A nine in the box of a real nine: a small loop at the top, drawn from its right side
    anticlockwise, then a straight tail down from that side, which a seven's stroke resembles."""
    low, high = _box(strokes)
    width, height = max(high[0] - low[0], 0.4 * (high[1] - low[1])), high[1] - low[1]
    loop_h = rng.uniform(0.3, 0.5) * height
    centre = np.array([low[0] + 0.5 * width, low[1] + loop_h / 2])
    radius = np.array([0.5 * width, loop_h / 2]) * rng.uniform(0.8, 1.0, 2)
    start = rng.uniform(-0.3, 0.3)
    t = start - np.linspace(0, 2 * math.pi * rng.uniform(1.0, 1.1), 24)  # anticlockwise, y down
    loop = centre + radius * np.stack([np.cos(t), np.sin(t)], axis=1)
    foot = np.array([loop[-1, 0] - rng.uniform(0.0, 0.4) * width, high[1]])
    return [np.concatenate([loop, _line(loop[-1], foot, rng)[1:]]).astype(np.float32)]


@dataclass(frozen=True)
class Style:
    """A way of writing `digit`: `make` turns one plain writing of it into this style."""

    digit: int
    make: Callable[[Strokes, np.random.Generator], Strokes]

    @property
    def name(self) -> str:
        return self.make.__name__.replace("_", " ")


STYLES = (
    Style(0, slashed_zero),
    Style(0, vertical_slash_zero),
    Style(1, flagged_one),
    Style(1, long_flag_one),
    Style(4, open_four),
    Style(7, crossed_seven),
    Style(9, straight_tailed_nine),
)


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


def _curve(start: np.ndarray, end: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A hand-drawn stroke from start to end that bows out by up to a fifth of its length."""
    steps = np.linspace(0, 1, 8)[:, None]
    along = end - start
    normal = np.array([-along[1], along[0]])
    bow = rng.uniform(-0.2, 0.2) * np.sin(np.pi * steps)
    return (start + steps * along + bow * normal).astype(np.float32)


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
