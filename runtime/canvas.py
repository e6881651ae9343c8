"""The drawing: strokes of a round brush on an ink surface, with undo and clear.

Kept apart from the pad's window so that tests, and the drawn-digit evaluation, draw exactly
what a user would, without a screen. Strokes are remembered in canvas-relative coordinates so
that undo, window resizes and the model's own rendering (`model_ink`) redraw them faithfully.
"""

import math
from collections.abc import Iterable, Sequence

import numpy as np
import pygame

from runtime.preprocess import MODEL_SIDE, MODEL_STROKE

BRUSH_FRACTION = 0.07  # brush diameter as a fraction of the canvas's shorter side
INK = 255  # pixel value of full ink; the surface's palette maps it to the display colour

Point = tuple[float, float]


class Canvas:
    """An 8-bit surface whose pixel values are ink amounts (0 = paper, 255 = ink)."""

    def __init__(self, size: tuple[int, int], brush_fraction: float = BRUSH_FRACTION):
        self.brush_fraction = brush_fraction
        self.strokes: list[list[Point]] = []
        self.surface = pygame.Surface(size, depth=8)
        self.surface.set_palette([(255 - v, 255 - v, 255 - v) for v in range(256)])
        self.surface.fill(0)

    @property
    def size(self) -> tuple[int, int]:
        return self.surface.get_size()

    @property
    def brush_width(self) -> int:
        return max(1, round(min(self.size) * self.brush_fraction))

    @property
    def is_empty(self) -> bool:
        return not self.strokes

    def begin_stroke(self, position: tuple[int, int]) -> None:
        self.strokes.append([self._relative(position)])
        draw_segment(self.surface, position, position, self.brush_width)

    def extend_stroke(self, position: tuple[int, int]) -> None:
        """Continue the current stroke with a straight segment, so fast moves leave no gaps."""
        if not self.strokes:
            self.begin_stroke(position)
            return
        previous = self._absolute(self.strokes[-1][-1])
        self.strokes[-1].append(self._relative(position))
        draw_segment(self.surface, previous, position, self.brush_width)

    def replay(self, strokes: Iterable[Iterable[tuple[int, int]]]) -> None:
        """Draw `strokes` as a user would: a press at each one's first position (canvas pixels),
        then a move to each of the others."""
        for stroke in strokes:
            positions = iter(stroke)
            self.begin_stroke(next(positions))
            for position in positions:
                self.extend_stroke(position)

    def undo(self) -> None:
        if self.strokes:
            self.strokes.pop()
            self._redraw()

    def clear(self) -> None:
        self.strokes.clear()
        self.surface.fill(0)

    def resize(self, size: tuple[int, int]) -> None:
        palette = self.surface.get_palette()
        self.surface = pygame.Surface(size, depth=8)
        self.surface.set_palette(palette)
        self._redraw()

    def model_ink(self) -> np.ndarray:
        """The strokes as the model sees them (`render_strokes`), whatever the brush.

        The brush is a fixed share of the canvas, so a digit drawn small comes out bold (its
        loops and gaps fill in) and one drawn large comes out thin; MNIST digits, and so the
        model, know neither. A drawing barely larger than the brush is a dot, not a digit: it
        is given as drawn.
        """
        strokes = self.pixel_strokes()
        if not strokes:
            return self.ink()
        points = np.concatenate(strokes)
        if float(np.ptp(points, axis=0).max()) <= self.brush_width:
            return self.ink()
        return render_strokes(strokes)

    def pixel_strokes(self) -> list[np.ndarray]:
        """The strokes as (n, 2) float arrays of canvas pixel positions (x, y)."""
        size = np.array(self.size, dtype=float)
        return [np.array(stroke) * size for stroke in self.strokes]

    def ink(self) -> np.ndarray:
        """A copy of the ink as a (height, width) uint8 array (a view would lock the surface)."""
        return pygame.surfarray.array2d(self.surface).T

    def _redraw(self) -> None:
        self.surface.fill(0)
        for stroke in self.strokes:
            draw_polyline(
                self.surface, [self._absolute(point) for point in stroke], self.brush_width
            )

    def _relative(self, position: tuple[int, int]) -> Point:
        width, height = self.size
        return (position[0] / width, position[1] / height)

    def _absolute(self, point: Point) -> tuple[int, int]:
        width, height = self.size
        return (round(point[0] * width), round(point[1] * height))


def render_strokes(strokes: Sequence[np.ndarray]) -> np.ndarray:
    """Pen strokes as the model sees them: the one renderer of strokes for the model.

    `strokes` are (n, 2) arrays of pen positions (x, y) in any units, y pointing down. They are
    drawn as an 8-bit ink image (0 = paper, 255 = ink) whose drawing is MODEL_SIDE pixels across
    its longer side, with strokes MODEL_STROKE of that wide, as in MNIST digits: the pad, the
    predict CLI's stroke input, training and evaluation all go through here. A drawing with no
    extent (a dot) is drawn as a dot.
    """
    points = np.concatenate(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    extent = float((high - low).max())
    scale = MODEL_SIDE / extent if extent > 0 else 1.0
    width = MODEL_STROKE * MODEL_SIDE
    margin = width / 2 + 1
    size = np.ceil((high - low) * scale + 2 * margin).astype(int)
    surface = pygame.Surface((int(size[0]), int(size[1])), depth=8)
    for stroke in strokes:
        placed = (np.asarray(stroke, dtype=float) - low) * scale + margin
        draw_polyline(surface, [tuple(point) for point in placed.tolist()], width)
    return pygame.surfarray.array2d(surface).T


def draw_polyline(surface: pygame.Surface, points: list[Point], width: float) -> None:
    """One stroke: round-capped segments between consecutive points (a dot if only one)."""
    for start, end in zip(points, points[1:] or points, strict=False):
        draw_segment(surface, start, end, width)


def draw_segment(surface: pygame.Surface, start: Point, end: Point, width: float) -> None:
    """A round-capped segment: a band `width` across plus a disc at each end.

    Not pygame.draw.line: its thick lines are `width` tall or wide, not across, so a diagonal
    came out up to 30% thinner than the brush and beaded at every joint.
    """
    radius = width / 2
    if start != end:
        length = math.dist(start, end)
        across_x = (start[1] - end[1]) / length * radius
        across_y = (end[0] - start[0]) / length * radius
        band = [
            (start[0] + across_x, start[1] + across_y),
            (end[0] + across_x, end[1] + across_y),
            (end[0] - across_x, end[1] - across_y),
            (start[0] - across_x, start[1] - across_y),
        ]
        pygame.draw.polygon(surface, INK, band)
    pygame.draw.circle(surface, INK, start, radius)
    pygame.draw.circle(surface, INK, end, radius)
