"""The drawing: strokes of a round brush on an ink surface, with undo and clear.

Kept apart from the pad's window so that tests, and the drawn-digit evaluation, draw exactly
what a user would, without a screen. Strokes are remembered in canvas-relative coordinates so
that undo and window resizes re-render them faithfully.
"""

import math

import numpy as np
import pygame

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
        self._draw_segment(position, position)

    def extend_stroke(self, position: tuple[int, int]) -> None:
        """Continue the current stroke with a straight segment, so fast moves leave no gaps."""
        if not self.strokes:
            self.begin_stroke(position)
            return
        previous = self._absolute(self.strokes[-1][-1])
        self.strokes[-1].append(self._relative(position))
        self._draw_segment(previous, position)

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

    def ink(self) -> np.ndarray:
        """A copy of the ink as a (height, width) uint8 array (a view would lock the surface)."""
        return pygame.surfarray.array2d(self.surface).T

    def _redraw(self) -> None:
        self.surface.fill(0)
        for stroke in self.strokes:
            points = [self._absolute(point) for point in stroke]
            for start, end in zip(points, points[1:] or points, strict=False):
                self._draw_segment(start, end)

    def _draw_segment(self, start: tuple[int, int], end: tuple[int, int]) -> None:
        """A round-capped segment: a band the brush's width across plus a disc at each end.

        Not pygame.draw.line: its thick lines are `width` tall or wide, not across, so a diagonal
        came out up to 30% thinner than the brush and beaded at every joint.
        """
        radius = self.brush_width / 2
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
            pygame.draw.polygon(self.surface, INK, band)
        pygame.draw.circle(self.surface, INK, start, radius)
        pygame.draw.circle(self.surface, INK, end, radius)

    def _relative(self, position: tuple[int, int]) -> Point:
        width, height = self.size
        return (position[0] / width, position[1] / height)

    def _absolute(self, point: Point) -> tuple[int, int]:
        width, height = self.size
        return (round(point[0] * width), round(point[1] * height))
