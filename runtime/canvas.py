"""The drawing: strokes of a round brush on an ink surface, with undo and clear.

Kept apart from the pad's window so that tests, and the evaluations, draw exactly what a user
would, without a screen. Strokes are remembered in canvas-relative coordinates so that undo and
window resizes redraw them faithfully, and the model's rendering (`render_strokes`, through
`runtime.reader`) gets them as drawn. An undo does not redraw every stroke: the canvas keeps
what has not changed (`StrokeCounts`), so it costs the same after the 2000th stroke as after the
first.
"""

import math
from collections.abc import Iterable, Sequence
from functools import partial

import numpy as np
import pygame

from runtime.preprocess import MODEL_SIDE, MODEL_STROKE
from runtime.stroke_counts import Draw, StrokeCounts

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
        self._counts = StrokeCounts(size)  # of the first _counted strokes, for undo
        self._counted = 0

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
        if self._counted == len(self.strokes):  # a finished stroke grows again (after an undo):
            self._counts.remove(self._drawing_of(self.strokes[-1]))  # count it when done
            self._counted -= 1
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
        """Take off the last stroke: only the pixels it touched are repainted."""
        if not self.strokes:
            return
        self._count(len(self.strokes))
        stroke = self.strokes.pop()
        self._counted -= 1
        self._repaint(self._counts.remove(self._drawing_of(stroke)))

    def clear(self) -> None:
        self.strokes.clear()
        self.surface.fill(0)
        self._counts, self._counted = StrokeCounts(self.size), 0

    def resize(self, size: tuple[int, int]) -> None:
        """Redraw every stroke at the new size; the last may still grow, so it is not counted."""
        self.surface = _ink_surface(size)
        self._counts, self._counted = StrokeCounts(size), 0
        self._count(max(len(self.strokes) - 1, 0))
        self._repaint(self.surface.get_rect())
        if self.strokes:
            self._drawing_of(self.strokes[-1])(self.surface)

    def set_brush(self, fraction: float) -> None:
        """Draw every stroke again with a brush `fraction` of the canvas's shorter side wide."""
        self.brush_fraction = fraction
        self.resize(self.size)

    def pixel_strokes(self) -> list[np.ndarray]:
        """The strokes as (n, 2) float arrays of canvas pixel positions (x, y)."""
        return [self.pixel_stroke(index) for index in range(len(self.strokes))]

    def pixel_stroke(self, index: int = -1) -> np.ndarray:
        """One stroke (the last by default) as an (n, 2) float array of canvas pixel positions."""
        return np.array(self.strokes[index]) * np.array(self.size)

    def ink(self) -> np.ndarray:
        """A copy of the ink as a (height, width) uint8 array (a view would lock the surface)."""
        return pygame.surfarray.array2d(self.surface).T

    def _count(self, strokes: int) -> None:
        """Count the first `strokes` strokes in the stroke counts, from which undo takes them off.
        Only finished strokes are counted: a stroke still being drawn would grow past its count."""
        for stroke in self.strokes[self._counted : strokes]:
            self._counts.add(self._drawing_of(stroke))
        self._counted = max(self._counted, strokes)

    def _drawing_of(self, stroke: list[Point]) -> Draw:
        """Draws the stroke as the screen shows it, onto any surface."""
        points = [self._absolute(point) for point in stroke]
        return partial(draw_polyline, points=points, width=self.brush_width)

    def _repaint(self, rect: pygame.Rect) -> None:
        """The ink in rect from the stroke counts: wherever a counted stroke covers a pixel."""
        pixels = pygame.surfarray.pixels2d(self.surface)
        pixels[rect.left : rect.right, rect.top : rect.bottom] = self._counts.covered(rect) * INK
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
    its longer side, with strokes MODEL_STROKE of that wide, as in MNIST digits, whatever brush
    the user saw: the pad, the predict CLI's stroke input, training and evaluation all go through
    here. A drawing with no extent (a dot) is drawn as a dot.
    """
    points = np.concatenate(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    extent = float((high - low).max())
    scale = MODEL_SIDE / extent if extent > 0 else 1.0
    size = np.ceil((high - low) * scale + 2 * MODEL_MARGIN)
    surface = pygame.Surface((int(size[0]), int(size[1])), depth=8)
    for stroke in strokes:
        placed = (np.asarray(stroke, dtype=float) - low) * scale + MODEL_MARGIN
        draw_polyline(surface, [tuple(point) for point in placed.tolist()], MODEL_WIDTH)
    return pygame.surfarray.array2d(surface).T


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
