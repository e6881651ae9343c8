"""Ink kept as the number of strokes over each pixel, so that one stroke can be taken off again.

Undoing a stroke by redrawing all the others costs time in proportion to the drawing. With counts,
taking a stroke off costs only its own pixels: draw it alone, subtract it, and every pixel it
touched is still ink exactly where another stroke covers it.
"""

from collections.abc import Callable

import numpy as np
import pygame

Draw = Callable[[pygame.Surface], pygame.Rect]  # draws one stroke; returns the rect it touched


class StrokeCounts:
    """How many strokes cover each pixel of a surface of a given size."""

    def __init__(self, size: tuple[int, int]):
        self.counts = np.zeros(size, np.int32)  # indexed [x, y], as pygame.surfarray
        self._scratch = pygame.Surface(size, depth=8)  # blank between calls

    def add(self, draw: Draw) -> pygame.Rect:
        """Count the pixels `draw` inks; the rect they lie in."""
        rect, drawn = self._draw(draw)
        self.counts[_region(rect)] += drawn
        return rect

    def remove(self, draw: Draw) -> pygame.Rect:
        """Take off the pixels `draw` inks, drawn by `add` before; the rect they lie in."""
        rect, drawn = self._draw(draw)
        self.counts[_region(rect)] -= drawn
        return rect

    def covered(self, rect: pygame.Rect) -> np.ndarray:
        """Whether any stroke covers each pixel of rect, indexed [x, y]."""
        return self.counts[_region(rect)] > 0

    def _draw(self, draw: Draw) -> tuple[pygame.Rect, np.ndarray]:
        """What `draw` inks, alone: the rect it touched and whether it inked each pixel there."""
        rect = draw(self._scratch).clip(self._scratch.get_rect())
        if not (rect.w and rect.h):  # drawn entirely off the surface
            return pygame.Rect(0, 0, 0, 0), np.zeros((0, 0), bool)
        drawn = pygame.surfarray.array2d(self._scratch.subsurface(rect)) != 0
        self._scratch.fill(0, rect)
        return rect, drawn


def _region(rect: pygame.Rect) -> tuple[slice, slice]:
    return slice(rect.left, rect.right), slice(rect.top, rect.bottom)
