"""Stroke-level augmentation: the ways one person's pen strokes differ from another's.

Applied to the strokes before they are rendered (by the runtime's one renderer), so the
variation is in the writing, not in the pixels: slant, rotation, aspect, where each stroke lands
relative to the others, a shaky hand, how densely the pen was sampled (the pendigits tablet
reported a point every 100 ms, a mouse reports one every few pixels), and what only the stroke
model sees: the order the strokes come in and the way each is drawn.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from runtime.cli import fraction

Strokes = list[np.ndarray]


@dataclass(frozen=True)
class StrokeAugmentation:
    """Strengths of each random change; lengths are fractions of the drawing's longer side."""

    rotation: float = 15.0  # degrees either way
    slant: float = 0.4  # horizontal shear per unit of height, either way
    aspect: float = 0.3  # width scaled by exp(u), u uniform in [-aspect, aspect]
    stroke_offset: float = 0.06  # each stroke moved by up to this, separately
    jitter: float = 0.008  # standard deviation of a slow wobble added to every point
    elastic: float = field(
        default=0.08,
        metadata={"help": "size of the strokes' elastic warp", "type": fraction},
    )
    smooth: float = 0.5  # chance of rounding the polyline's corners first
    spacing: tuple[float, float] = (0.01, 0.08)  # resampled point spacing, uniform in this range
    tremor: float = 0.004  # standard deviation of a finger's or a mouse's point-to-point jitter
    reverse: float = 0.15  # chance of each stroke being drawn the other way round
    reorder: float = 0.25  # chance of the strokes being written in a shuffled order


def augment(strokes: Strokes, rng: np.random.Generator, settings: StrokeAugmentation) -> Strokes:
    """A randomly varied copy of `strokes` ((n, 2) arrays of x, y, y down)."""
    points = np.concatenate(strokes)
    centre = (points.min(axis=0) + points.max(axis=0)) / 2
    extent = max(float(np.ptp(points, axis=0).max()), 1e-6)
    angle = math.radians(rng.uniform(-settings.rotation, settings.rotation))
    shear = rng.uniform(-settings.slant, settings.slant)
    stretch = math.exp(rng.uniform(-settings.aspect, settings.aspect))
    rotate = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])
    # x' = stretch * (x - shear * y): with y down, a positive shear leans the tops to the right.
    linear = rotate @ np.array([[stretch, -stretch * shear], [0.0, 1.0]])
    warp = _elastic_warp(rng, settings.elastic)
    varied = []
    for stroke in strokes:
        stroke = (stroke - centre) / extent
        stroke = stroke + warp(stroke)
        if len(stroke) > 2 and rng.random() < settings.smooth:
            stroke = _rounded(stroke)
        stroke = _resampled(stroke, rng.uniform(*settings.spacing))
        stroke = stroke + _wobble(len(stroke), settings.jitter, rng)
        stroke = stroke + rng.normal(0, settings.tremor, stroke.shape)
        stroke = stroke @ linear.T + rng.uniform(-1, 1, 2) * settings.stroke_offset
        if rng.random() < settings.reverse:
            stroke = stroke[::-1]
        varied.append(stroke.astype(np.float32))
    if len(varied) > 1 and rng.random() < settings.reorder:
        varied = [varied[i] for i in rng.permutation(len(varied))]
    return varied


def _elastic_warp(rng: np.random.Generator, size: float):
    """A smooth random displacement of the unit-sized drawing: a few Gaussian bumps, each
    pushing the ink near it one way, so loops grow or shrink and parts shift as between
    writers, while the strokes stay smooth and connected."""
    bumps = 4
    centres = rng.uniform(-0.5, 0.5, (bumps, 2))
    pushes = rng.normal(0, size, (bumps, 2))
    widths = rng.uniform(0.25, 0.5, bumps)

    def warp(points: np.ndarray) -> np.ndarray:
        if size <= 0:
            return np.zeros_like(points)
        distance = np.linalg.norm(points[:, None, :] - centres[None], axis=2)
        weights = np.exp(-((distance / widths) ** 2))
        return weights @ pushes

    return warp


def _rounded(stroke: np.ndarray) -> np.ndarray:
    """Chaikin corner cutting, twice: the polyline's corners become curves, its ends stay."""
    for _ in range(2):
        quarter = 0.75 * stroke[:-1] + 0.25 * stroke[1:]
        three_quarters = 0.25 * stroke[:-1] + 0.75 * stroke[1:]
        cut = np.empty((2 * len(quarter), 2), dtype=stroke.dtype)
        cut[0::2], cut[1::2] = quarter, three_quarters
        stroke = np.concatenate([stroke[:1], cut, stroke[-1:]])
    return stroke


def _resampled(stroke: np.ndarray, spacing: float) -> np.ndarray:
    """Points every `spacing` along the stroke, ends kept: dense like a mouse or sparse like a
    tablet that samples every 100 ms."""
    steps = np.linalg.norm(np.diff(stroke, axis=0), axis=1)
    along = np.concatenate([[0.0], np.cumsum(steps)])
    if along[-1] <= spacing:
        return stroke
    targets = np.append(np.arange(0.0, along[-1], spacing), along[-1])
    return np.stack([np.interp(targets, along, stroke[:, axis]) for axis in (0, 1)], axis=1)


def _wobble(count: int, size: float, rng: np.random.Generator) -> np.ndarray:
    """A slowly varying offset (a smoothed random walk), as a hand wavers: not pixel noise."""
    if size <= 0 or count < 2:
        return np.zeros((count, 2))
    walk = np.cumsum(rng.normal(0, 1, (count, 2)), axis=0)
    walk -= np.linspace(walk[0], walk[-1], count)  # pinned at both ends of the stroke
    scale = np.abs(walk).max()
    return walk / scale * size if scale > 0 else walk
