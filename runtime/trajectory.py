"""The stroke model's contract: pen strokes -> the fixed-length trajectory the stroke model reads.

An image loses what the pen knows: the order and direction of the strokes. The trajectory keeps
them, and loses what differs between devices: the drawing is centred and scaled by its longer
side, and the pen-down path is resampled to POINTS points, each stroke its share evenly spaced
along it, so a tablet's 100 ms samples, a mouse's pixel steps and a finger's dense trace give
the same points.
Each point carries FEATURES: its place, its step to the next point, the pen's direction, and
whether the pen was lifted to get there. Export writes CONTRACT into the stroke model's metadata
and the engine checks it at load.
"""

from collections.abc import Sequence

import numpy as np

POINTS = 64
FEATURES = ("x", "y", "dx", "dy", "cos", "sin", "pen_up")
INPUT_SHAPE = (POINTS, len(FEATURES))
CONTRACT = {
    "trajectory_points": str(POINTS),
    "trajectory_features": ",".join(FEATURES),
    "trajectory_normalisation": "centred, longer side 1, each stroke arc-length resampled",
}


def features(strokes: Sequence[np.ndarray]) -> np.ndarray:
    """The trajectory of `strokes` ((n, 2) arrays of x, y in any units, y down, in writing order)
    as a float32 [POINTS, len(FEATURES)] array, computed without a loop over points.

    Each stroke gets a share of the points in proportion to its length, at least two (its ends)
    while there are points enough, evenly spaced along it; no point is placed in the air between
    strokes, and the first point of every stroke after the first has pen_up 1.
    """
    points = np.concatenate([np.asarray(stroke, dtype=np.float64) for stroke in strokes])
    sizes = np.array([len(stroke) for stroke in strokes])
    owner = np.repeat(np.arange(len(strokes)), sizes)
    low, high = points.min(axis=0), points.max(axis=0)
    extent = float((high - low).max())
    points = (points - (low + high) / 2) / (extent if extent > 0 else 1.0)
    steps = np.linalg.norm(np.diff(points, axis=0), axis=1)
    jumps = owner[1:] != owner[:-1]
    steps[jumps] = 1.0  # any length: it only keeps one stroke's end apart from the next's start
    along = np.concatenate([[0.0], np.cumsum(steps)])
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    start, end = along[first], along[first + sizes - 1]
    share = _shares(end - start)
    stroke_of = np.repeat(np.arange(len(strokes)), share)
    position = np.arange(POINTS) - np.repeat(np.cumsum(share) - share, share)
    fraction = position / np.maximum(share[stroke_of] - 1, 1)
    targets = start[stroke_of] + fraction * (end - start)[stroke_of]
    if len(points) == 1:
        return _described(np.repeat(points, POINTS, axis=0), stroke_of, 1.0)
    segment = np.clip(np.searchsorted(along, targets, side="right") - 1, 0, len(points) - 2)
    length = np.maximum(along[segment + 1] - along[segment], 1e-12)
    offset = np.clip((targets - along[segment]) / length, 0.0, 1.0)[:, None]
    placed = points[segment] + offset * (points[segment + 1] - points[segment])
    return _described(placed, stroke_of, float((end - start).sum()))


def _shares(lengths: np.ndarray) -> np.ndarray:
    """How many of the POINTS each stroke gets: in proportion to its length (largest remainders
    first), at least two each while POINTS allows; with more strokes than that, the longest
    strokes get theirs and the shortest none."""
    count = len(lengths)
    floor = 2 if 2 * count <= POINTS else 0
    total = float(lengths.sum())
    weights = lengths / total if total > 0 else np.full(count, 1.0 / count)
    free = POINTS - floor * count
    exact = weights * free
    share = np.floor(exact).astype(int) + floor
    remainder = POINTS - int(share.sum())
    share[np.argsort(-(exact - np.floor(exact)), kind="stable")[:remainder]] += 1
    return share


def batch(drawings: Sequence[Sequence[np.ndarray]]) -> np.ndarray:
    """Several drawings' trajectories as the stroke model's float32 [N, POINTS, FEATURES]."""
    if not drawings:
        return np.zeros((0, *INPUT_SHAPE), np.float32)
    return np.stack([features(strokes) for strokes in drawings])


def _described(placed: np.ndarray, owner: np.ndarray, length: float) -> np.ndarray:
    """The resampled points with their features. Steps are scaled so that a drawing's steps
    sum to about POINTS whatever its length; a direction is the pen's own (the step into a jump
    takes the one before it)."""
    step = np.diff(placed, axis=0, append=placed[-1:])
    jump = np.append(owner[1:] != owner[:-1], False)
    size = np.linalg.norm(step, axis=1)
    moving = (size > 1e-9) & ~jump
    heading = np.where(moving[:, None], step / np.maximum(size, 1e-9)[:, None], np.nan)
    heading = _filled(heading)
    pen_up = np.concatenate([[0.0], owner[1:] != owner[:-1]])
    scaled = step * (POINTS / max(length, 1e-9))
    columns = [placed[:, 0], placed[:, 1], scaled[:, 0], scaled[:, 1], *heading.T, pen_up]
    return np.stack(columns, axis=1).astype(np.float32)


def _filled(heading: np.ndarray) -> np.ndarray:
    """Directions where the pen did not move (a jump, the end, a pause) taken from the last point
    where it did, or the first such point for the points before it; none at all: pointing right."""
    known = ~np.isnan(heading[:, 0])
    if not known.any():
        return np.tile([1.0, 0.0], (len(heading), 1))
    last = np.maximum.accumulate(np.where(known, np.arange(len(heading)), -1))
    last[last < 0] = np.flatnonzero(known)[0]
    return heading[last]
