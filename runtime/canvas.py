"""The drawing: strokes of a round brush on an ink surface, with undo and clear.

Kept apart from the pad's window so that tests, and the drawn-digit evaluation, draw exactly
what a user would, without a screen. Strokes are remembered in canvas-relative coordinates so
that undo, window resizes and the model's own rendering (`model_ink`) redraw them faithfully.
Neither an undo nor the model's rendering redraws every stroke: both keep what has not changed
(`Coverage`), so they cost the same after the 2000th stroke as after the first.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import pygame

from runtime.coverage import Coverage, Draw
from runtime.preprocess import MODEL_SIDE, MODEL_STROKE

BRUSH_FRACTION = 0.07  # brush diameter as a fraction of the canvas's shorter side
INK = 255  # pixel value of full ink; the surface's palette maps it to the display colour
MODEL_WIDTH = MODEL_STROKE * MODEL_SIDE  # the model's stroke width, in render_strokes' pixels
MODEL_MARGIN = MODEL_WIDTH / 2 + 1

Point = tuple[float, float]


class Canvas:
    """An 8-bit surface whose pixel values are ink amounts (0 = paper, 255 = ink)."""

    def __init__(self, size: tuple[int, int], brush_fraction: float = BRUSH_FRACTION):
        self.brush_fraction = brush_fraction
        self.strokes: list[list[Point]] = []
        self.surface = _ink_surface(size)
        self._coverage = Coverage(size)  # of the first _counted strokes, for undo
        self._counted = 0
        self._pixels: list[np.ndarray] = []  # pixel_strokes() of the first strokes
        self._model = _ModelInk()

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
        self._count(len(self.strokes))  # the strokes so far are finished
        self.strokes.append([self._relative(position)])
        draw_segment(self.surface, position, position, self.brush_width)

    def extend_stroke(self, position: tuple[int, int]) -> None:
        """Continue the current stroke with a straight segment, so fast moves leave no gaps."""
        if not self.strokes:
            self.begin_stroke(position)
            return
        previous = self._absolute(self.strokes[-1][-1])
        self.strokes[-1].append(self._relative(position))
        del self._pixels[len(self.strokes) - 1 :]
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
        """Take off the last stroke: only the pixels it touched are repainted."""
        if not self.strokes:
            return
        self._count(len(self.strokes))
        stroke = self.strokes.pop()
        del self._pixels[len(self.strokes) :]
        self._counted -= 1
        self._repaint(self._coverage.remove(self._drawing_of(stroke)))

    def clear(self) -> None:
        self.strokes.clear()
        self._pixels.clear()
        self.surface.fill(0)
        self._coverage, self._counted = Coverage(self.size), 0

    def resize(self, size: tuple[int, int]) -> None:
        """Redraw every stroke at the new size; the last may still grow, so it is not counted."""
        self.surface = _ink_surface(size)
        self._pixels.clear()
        self._coverage, self._counted = Coverage(size), 0
        self._count(max(len(self.strokes) - 1, 0))
        self._repaint(self.surface.get_rect())
        if self.strokes:
            self._drawing_of(self.strokes[-1])(self.surface)

    def set_brush(self, fraction: float) -> None:
        """Draw every stroke again with a brush `fraction` of the canvas's shorter side wide."""
        self.brush_fraction = fraction
        self.resize(self.size)

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
        self._model.update(strokes)
        if self._model.extent <= self.brush_width:
            return self.ink()
        return self._model.ink()

    def pixel_strokes(self) -> list[np.ndarray]:
        """The strokes as (n, 2) float arrays of canvas pixel positions (x, y). A stroke keeps
        its array until it changes, which is how the model's rendering tells what did not."""
        size = np.array(self.size, dtype=float)
        self._pixels += [np.array(stroke) * size for stroke in self.strokes[len(self._pixels) :]]
        return list(self._pixels)

    def ink(self) -> np.ndarray:
        """A copy of the ink as a (height, width) uint8 array (a view would lock the surface)."""
        return pygame.surfarray.array2d(self.surface).T

    def _count(self, strokes: int) -> None:
        """Count the first `strokes` strokes in the coverage, from which undo takes them off.
        Only finished strokes are counted: a stroke still being drawn would grow past its count."""
        for stroke in self.strokes[self._counted : strokes]:
            self._coverage.add(self._drawing_of(stroke))
        self._counted = max(self._counted, strokes)

    def _drawing_of(self, stroke: list[Point]) -> Draw:
        """Draws the stroke as the screen shows it, onto any surface."""
        points = [self._absolute(point) for point in stroke]
        return partial(draw_polyline, points=points, width=self.brush_width)

    def _repaint(self, rect: pygame.Rect) -> None:
        """The ink in rect from the coverage: wherever a counted stroke covers a pixel."""
        pixels = pygame.surfarray.pixels2d(self.surface)
        pixels[rect.left : rect.right, rect.top : rect.bottom] = self._coverage.covered(rect) * INK
        del pixels  # unlocks the surface

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
    placement = _Placement.around(points.min(axis=0), points.max(axis=0))
    surface = pygame.Surface(placement.size, depth=8)
    for stroke in strokes:
        placement.draw(surface, stroke)
    return pygame.surfarray.array2d(surface).T


@dataclass(frozen=True)
class _Placement:
    """Where `render_strokes` draws a drawing whose pen positions span low..high."""

    low: tuple[float, float]
    scale: float
    size: tuple[int, int]

    @classmethod
    def around(cls, low: np.ndarray, high: np.ndarray) -> "_Placement":
        extent = float((high - low).max())
        scale = MODEL_SIDE / extent if extent > 0 else 1.0
        size = np.ceil((high - low) * scale + 2 * MODEL_MARGIN).astype(int)
        return cls((float(low[0]), float(low[1])), scale, (int(size[0]), int(size[1])))

    def draw(self, surface: pygame.Surface, stroke: np.ndarray) -> pygame.Rect:
        placed = (np.asarray(stroke, dtype=float) - self.low) * self.scale + MODEL_MARGIN
        return draw_polyline(surface, [tuple(point) for point in placed.tolist()], MODEL_WIDTH)


class _ModelInk:
    """`render_strokes` of a canvas's strokes, kept from call to call.

    A canvas's strokes change only at the end of the list (the stroke being drawn grows, undo
    takes the last off), so only those are drawn or taken off again, as long as the drawing's
    extent stays the same; when it changes, every stroke moves and all are drawn anew. The
    pixels are the same as `render_strokes`'s: each stroke is drawn by the same placement.
    """

    def __init__(self):
        self._strokes: list[np.ndarray] = []  # counted in _coverage, in order
        self._bounds: list[tuple[np.ndarray, np.ndarray]] = []  # (low, high) of _strokes[:i+1]
        self._placement: _Placement | None = None
        self._coverage: Coverage | None = None

    @property
    def extent(self) -> float:
        """The drawing's longer side, in the strokes' units."""
        low, high = self._bounds[-1]
        return float((high - low).max())

    def update(self, strokes: list[np.ndarray]) -> None:
        """Catch up with `strokes` (not empty), telling strokes apart by identity."""
        kept = min(len(self._strokes), len(strokes))
        while kept and self._strokes[kept - 1] is not strokes[kept - 1]:
            kept -= 1
        gone, new = self._strokes[kept:], strokes[kept:]
        bounds = self._bounds[:kept]
        for stroke in new:
            low, high = stroke.min(axis=0), stroke.max(axis=0)
            if bounds:
                low, high = np.minimum(bounds[-1][0], low), np.maximum(bounds[-1][1], high)
            bounds.append((low, high))
        placement = _Placement.around(*bounds[-1])
        if placement != self._placement:
            self._placement, self._coverage = placement, Coverage(placement.size)
            gone, new = [], strokes
        for stroke in gone:
            self._coverage.remove(partial(placement.draw, stroke=stroke))
        for stroke in new:
            self._coverage.add(partial(placement.draw, stroke=stroke))
        self._strokes, self._bounds = list(strokes), bounds

    def ink(self) -> np.ndarray:
        """As `render_strokes` returns it: (height, width) uint8."""
        whole = pygame.Rect((0, 0), self._placement.size)
        return (self._coverage.covered(whole) * np.uint8(INK)).T


def _ink_surface(size: tuple[int, int]) -> pygame.Surface:
    """A blank 8-bit surface whose palette shows ink values as dark on light."""
    surface = pygame.Surface(size, depth=8)
    surface.set_palette([(255 - v, 255 - v, 255 - v) for v in range(256)])
    return surface


def draw_polyline(surface: pygame.Surface, points: list[Point], width: float) -> pygame.Rect:
    """One stroke: round-capped segments between consecutive points (a dot if only one).
    Returns the rect it touched."""
    pairs = zip(points, points[1:] or points, strict=False)
    touched = [draw_segment(surface, start, end, width) for start, end in pairs]
    return touched[0].unionall(touched[1:])


def draw_segment(surface: pygame.Surface, start: Point, end: Point, width: float) -> pygame.Rect:
    """A round-capped segment: a band `width` across plus a disc at each end. Returns the rect
    it touched.

    Not pygame.draw.line: its thick lines are `width` tall or wide, not across, so a diagonal
    came out up to 30% thinner than the brush and beaded at every joint.
    """
    radius = width / 2
    touched = []
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
        touched.append(pygame.draw.polygon(surface, INK, band))
    touched.append(pygame.draw.circle(surface, INK, start, radius))
    touched.append(pygame.draw.circle(surface, INK, end, radius))
    return touched[0].unionall(touched[1:])
