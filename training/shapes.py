"""Things people draw on a digit pad that are not digits: shapes, doodles and scribbles.

Each generator draws one random instance as pen strokes ((n, 2) arrays of x, y, y down, about a
unit across). Shapes that a reader would take for a digit are avoided on purpose: a plain circle
is a 0, a near-vertical line a 1, a single "Z" a 2 or a 7; so lines here lie closer to
horizontal, zigzags have at least three turns, and a circle's tail leaves it sideways.
Training learns "not a digit" from them; the rejection evaluation draws fresh ones with another
seed and reports each kind apart.
"""

import itertools
import math
from collections.abc import Callable

import numpy as np

Strokes = list[np.ndarray]
Rng = np.random.Generator
MIN_WALK_WANDER = 5.0  # a random walk's length over its extent: below this it may look like a digit


def line(rng: Rng) -> Strokes:
    """A straight stroke within 35 degrees of horizontal (a minus, a dash, an underline)."""
    angle = math.radians(rng.uniform(-35, 35))
    half = np.array([math.cos(angle), math.sin(angle)]) * rng.uniform(0.4, 0.6)
    return [_wavy(_segment(-half, half), rng)]


def zigzag(rng: Rng) -> Strokes:
    """Up and down across the page, three to eight turns."""
    turns = int(rng.integers(3, 9))
    x = np.linspace(0, rng.uniform(0.8, 1.6), turns + 2)
    y = np.where(np.arange(turns + 2) % 2 == 0, 0.0, rng.uniform(0.3, 0.8)) + rng.normal(
        0, 0.05, turns + 2
    )
    return [_wavy(_through(np.stack([x, y], axis=1)), rng)]


def cross(rng: Rng) -> Strokes:
    """An x (two diagonals) or a + (a level bar and an upright), in two strokes."""
    size = rng.uniform(0.6, 1.0)
    if rng.random() < 0.6:
        first = _segment(np.array([-1.0, -1.0]) * size / 2, np.array([1.0, 1.0]) * size / 2)
        second = _segment(np.array([1.0, -1.0]) * size / 2, np.array([-1.0, 1.0]) * size / 2)
    else:
        first = _segment(np.array([-size / 2, 0.0]), np.array([size / 2, 0.0]))
        second = _segment(np.array([0.0, -size / 2]), np.array([0.0, size / 2]))
    return [_wavy(first, rng), _wavy(second, rng)]


def tick(rng: Rng) -> Strokes:
    """A check mark: a short stroke down to the right, then a long one up to the right."""
    bottom = np.array([0.0, 0.0])
    start = bottom + np.array([-rng.uniform(0.15, 0.35), -rng.uniform(0.15, 0.35)])
    end = bottom + np.array([rng.uniform(0.4, 0.8), -rng.uniform(0.5, 0.9)])
    return [_wavy(_through(np.stack([start, bottom, end])), rng)]


def circle_with_tail(rng: Rng) -> Strokes:
    """A loop with a tail leaving it sideways, like a balloon on its side or a tadpole."""
    loop = _ellipse(rng, turns=1.0)
    side = 1 if rng.random() < 0.5 else -1
    start = loop[np.argmax(side * loop[:, 0])]
    angle = math.radians(rng.uniform(-25, 25))
    end = start + side * np.array([math.cos(angle), math.sin(angle)]) * rng.uniform(0.4, 0.9)
    return [_wavy(loop, rng), _wavy(_segment(start, end), rng)]


def spiral(rng: Rng) -> Strokes:
    """Two to four turns winding outwards."""
    turns = rng.uniform(2, 4)
    t = np.linspace(0, turns * 2 * math.pi, int(40 * turns))
    radius = 0.05 + 0.45 * t / t[-1]
    direction = 1 if rng.random() < 0.5 else -1
    return [_wavy(np.stack([radius * np.cos(t), direction * radius * np.sin(t)], axis=1), rng)]


def smiley(rng: Rng) -> Strokes:
    """A face: a round outline, two eyes (dots or short dashes) and a smile."""
    face = _ellipse(rng, turns=1.05, squash=0.15)
    eyes = []
    for x in (-0.17, 0.17):
        eye = np.array([x, -0.12]) + rng.normal(0, 0.02, 2)
        dash = eye[None] if rng.random() < 0.5 else _segment(eye, eye + np.array([0.0, 0.08]))
        eyes.append(dash.astype(np.float32))
    t = np.linspace(math.radians(200), math.radians(340), 12)
    width = rng.uniform(0.18, 0.3)
    mouth = np.stack([width * np.cos(t), 0.12 - 0.8 * width * np.sin(t)], axis=1)
    return [_wavy(face, rng), *eyes, _wavy(mouth, rng)]


def blob(rng: Rng) -> Strokes:
    """A patch coloured in: a tight back-and-forth scribble."""
    rows = int(rng.integers(5, 12))
    width, height = rng.uniform(0.4, 1.0), rng.uniform(0.3, 0.8)
    y = np.linspace(0, height, rows)
    x = np.where(np.arange(rows) % 2 == 0, 0.0, width) + rng.normal(0, 0.05 * width, rows)
    zig = np.stack([x, y], axis=1)
    zig[:, 1] += np.where(np.arange(rows) % 2 == 0, 0, 0.5 * height / rows)
    return [_wavy(_through(zig), rng)]


def random_walk(rng: Rng) -> Strokes:
    """A meandering scribble with some momentum, long enough to wander over itself: a short
    walk can happen to trace a digit."""
    while True:
        steps = int(rng.integers(60, 150))
        heading = np.cumsum(rng.normal(0, 0.7, steps))
        points = np.cumsum(np.stack([np.cos(heading), np.sin(heading)], axis=1), axis=0)
        extent = max(float(np.ptp(points, axis=0).max()), 1e-6)
        if steps / extent >= MIN_WALK_WANDER:
            return [_wavy(points / extent, rng)]


def star(rng: Rng) -> Strokes:
    """A five-pointed star in one stroke."""
    t = -math.pi / 2 + np.arange(6) * 4 * math.pi / 5 + rng.normal(0, 0.05, 6)
    points = np.stack([np.cos(t), np.sin(t)], axis=1) * 0.5
    points[-1] = points[0]
    return [_wavy(_through(points), rng)]


SHAPES: dict[str, Callable[[Rng], Strokes]] = {
    "line": line,
    "zigzag": zigzag,
    "cross": cross,
    "tick": tick,
    "circle with tail": circle_with_tail,
    "spiral": spiral,
    "smiley": smiley,
    "filled blob": blob,
    "random walk": random_walk,
    "star": star,
}


def letters_in_a_row(letters: list[Strokes], rng: Rng) -> Strokes:
    """Several letters written side by side, as in a word: each scaled to one height."""
    row, left = [], 0.0
    for strokes in letters:
        points = np.concatenate(strokes)
        low, high = points.min(axis=0), points.max(axis=0)
        scale = 1.0 / max(float(high[1] - low[1]), float(high[0] - low[0]) / 2, 1e-6)
        for stroke in strokes:
            row.append(((stroke - low) * scale + (left, rng.normal(0, 0.05))).astype(np.float32))
        left += float(high[0] - low[0]) * scale + rng.uniform(0.1, 0.3)
    return row


def _segment(start: np.ndarray, end: np.ndarray, points: int = 8) -> np.ndarray:
    return start + np.linspace(0, 1, points)[:, None] * (end - start)


def _through(corners: np.ndarray, per_side: int = 6) -> np.ndarray:
    """A polyline through `corners`, with points along each side."""
    sides = [_segment(a, b, per_side)[:-1] for a, b in itertools.pairwise(corners)]
    return np.concatenate([*sides, corners[-1:]])


def _ellipse(rng: Rng, turns: float, squash: float = 0.35) -> np.ndarray:
    """A roughly round loop from a random starting angle, `turns` times round."""
    start = rng.uniform(0, 2 * math.pi)
    t = start + np.linspace(0, turns * 2 * math.pi, 40) * (1 if rng.random() < 0.5 else -1)
    rx, ry = 0.5, 0.5 * math.exp(rng.uniform(-squash, squash))
    return np.stack([rx * np.cos(t), ry * np.sin(t)], axis=1)


def _wavy(points: np.ndarray, rng: Rng, size: float = 0.02) -> np.ndarray:
    """A hand's slight unsteadiness along a stroke."""
    walk = np.cumsum(rng.normal(0, 1, points.shape), axis=0)
    walk -= walk.mean(axis=0)
    scale = np.abs(walk).max()
    wobble = walk / scale * size if scale > 0 else walk
    return (points + wobble).astype(np.float32)
