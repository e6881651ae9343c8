"""The drawing: strokes of a round brush on an ink surface, with undo and clear.

Kept apart from the pad's window so that tests, and the drawn-digit evaluation, draw exactly
what a user would, without a screen. Strokes are remembered in canvas-relative coordinates so
that undo, window resizes and the model's own rendering (`model_ink`) redraw them faithfully.
"""

import math
from collections.abc import Callable

import numpy as np
import pygame

BRUSH_FRACTION = 0.07  # brush diameter as a fraction of the canvas's shorter side
INK = 255  # pixel value of full ink; the surface's palette maps it to the display colour
# The model's rendering: strokes as wide as this fraction of the drawing's longer side (the pen
# path's extent), as in MNIST digits, drawn on a surface whose drawing is MODEL_SIDE pixels
# across: several times the model's 20 px digit box, so area-averaging anti-aliases it.
MODEL_STROKE = 0.16
MODEL_SIDE = 100

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
        """The strokes redrawn for the model with a width in proportion to the drawing itself.

        The brush is a fixed share of the canvas, so a digit drawn small comes out bold (its
        loops and gaps fill in) and one drawn large comes out thin; MNIST digits, and so the
        model, know neither. Redrawn here, every drawing has MNIST's proportions whatever its
        size and whatever brush it was drawn with. A drawing barely larger than the brush is
        a dot, not a digit: it is given as drawn.
        """
        if not self.strokes:
            return self.ink()
        size = np.array(self.size, dtype=float)
        points = np.array([point for stroke in self.strokes for point in stroke]) * size
        low, high = points.min(axis=0), points.max(axis=0)
        extent = float((high - low).max())
        if extent <= self.brush_width:
            return self.ink()
        scale = MODEL_SIDE / extent
        width = MODEL_STROKE * MODEL_SIDE
        margin = width / 2 + 1
        surface = pygame.Surface(tuple(np.ceil((high - low) * scale + 2 * margin).astype(int)), 8)
        self._draw_strokes(
            surface, width, lambda p: tuple((np.array(p) * size - low) * scale + margin)
        )
        return pygame.surfarray.array2d(surface).T

    def ink(self) -> np.ndarray:
        """A copy of the ink as a (height, width) uint8 array (a view would lock the surface)."""
        return pygame.surfarray.array2d(self.surface).T

    def _redraw(self) -> None:
        self.surface.fill(0)
        self._draw_strokes(self.surface, self.brush_width, self._absolute)

    def _draw_strokes(
        self, surface: pygame.Surface, width: float, place: Callable[[Point], Point]
    ) -> None:
        """Every stroke onto `surface`, its points mapped to pixels by `place`."""
        for stroke in self.strokes:
            points = [place(point) for point in stroke]
            for start, end in zip(points, points[1:] or points, strict=False):
                draw_segment(surface, start, end, width)

    def _relative(self, position: tuple[int, int]) -> Point:
        width, height = self.size
        return (position[0] / width, position[1] / height)

    def _absolute(self, point: Point) -> tuple[int, int]:
        width, height = self.size
        return (round(point[0] * width), round(point[1] * height))


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
