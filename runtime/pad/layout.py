"""Where everything goes in the pad's window: a pure function of the window size.

A number is wide, so the canvas is a wide strip across the window, and the panel below it
reads the drawing back: the number, a cell per digit (what the model saw, the digit and its
confidence), and the probabilities of the digit last written beside the buttons.
"""

from dataclasses import dataclass

import pygame

from runtime import preprocess

WINDOW_SIZE = (900, 620)  # the default; the window is resizable
MIN_WINDOW_SIZE = (480, 320)  # the layout never shrinks below this; a smaller window clips it

MARGIN = 16  # around and between the canvas and the panel
CANVAS_ASPECT = (1.6, 3.2)  # (min, max) width over height of the canvas
PANEL_SHARE = 0.42  # of the window's height, for the panel below the canvas...
PANEL_HEIGHT = (150, 330)  # ...within (min, max) pixels
PANEL_PADDING = 12
# The panel's content is designed as two blocks of nominal rects (x, y, w, h) and scaled to fit:
# side by side in a wide panel, stacked in a narrow one.
READING_BLOCK = {
    "number": (0, 0, 420, 96),
    "status": (0, 102, 420, 22),
    "cells": (0, 132, 420, 98),
}
CONTROL_BLOCK = {
    "bars": (0, 0, 300, 112),
    "bars_caption": (0, 116, 300, 18),
    "clear_button": (0, 142, 142, 40),
    "undo_button": (158, 142, 142, 40),
    "timing": (0, 192, 300, 16),
    "hint": (0, 214, 300, 16),
}
BLOCK_GAP = 24
MAX_CONTENT_SCALE = 1.5
CELL_CAPTION = 0.26  # of a cell's height, for the digit and confidence under its image
MAX_CELL_WIDTH = 1.4  # a cell is at most this many times as wide as it is tall


@dataclass(frozen=True)
class Layout:
    """Where everything goes in a window of a given size, in window pixel coordinates."""

    canvas: pygame.Rect
    panel: pygame.Rect
    number: pygame.Rect
    status: pygame.Rect
    cells: pygame.Rect
    bars: pygame.Rect
    bars_caption: pygame.Rect
    clear_button: pygame.Rect
    undo_button: pygame.Rect
    timing: pygame.Rect
    hint: pygame.Rect


def layout(window_size: tuple[int, int]) -> Layout:
    """The canvas as a wide strip on top, as wide as the window allows, the panel below it."""
    width = max(window_size[0], MIN_WINDOW_SIZE[0])
    height = max(window_size[1], MIN_WINDOW_SIZE[1])
    panel_height = min(max(round(height * PANEL_SHARE), PANEL_HEIGHT[0]), PANEL_HEIGHT[1])
    canvas_height = height - panel_height - 3 * MARGIN
    canvas_width = width - 2 * MARGIN
    low, high = CANVAS_ASPECT
    canvas_width = min(canvas_width, round(canvas_height * high))
    canvas_height = min(canvas_height, round(canvas_width / low))
    top = (height - canvas_height - panel_height - MARGIN) // 2
    canvas_rect = pygame.Rect((width - canvas_width) // 2, top, canvas_width, canvas_height)
    panel = pygame.Rect(MARGIN, canvas_rect.bottom + MARGIN, width - 2 * MARGIN, panel_height)
    return Layout(canvas=canvas_rect, panel=panel, **_panel_content(panel))


def cell_rects(cells: pygame.Rect, count: int) -> list[tuple[pygame.Rect, pygame.Rect]]:
    """(image, caption) rects for `count` digits side by side in `cells`, left to right; each
    image a square of whole model pixels, so the scaled-up input is not uneven."""
    if count == 0:
        return []
    width = min(cells.w / count, cells.h * MAX_CELL_WIDTH)
    caption_h = round(cells.h * CELL_CAPTION)
    rects = []
    for index in range(count):
        left, right = (round(cells.left + edge * width) for edge in (index, index + 1))
        cell = pygame.Rect(left, cells.top, right - left, cells.h)
        room = pygame.Rect(cell.left, cell.top, cell.w, cell.h - caption_h).inflate(-4, -4)
        caption = pygame.Rect(cell.left, cell.bottom - caption_h, cell.w, caption_h)
        rects.append((_whole_pixels(room), caption))
    return rects


def _panel_content(panel: pygame.Rect) -> dict[str, pygame.Rect]:
    """The reading on the left, where the eye looks first; the controls to its right, or below
    it in a narrow panel."""
    area = panel.inflate(-2 * PANEL_PADDING, -2 * PANEL_PADDING)
    reading_w, reading_h = _size(READING_BLOCK)
    control_w, control_h = _size(CONTROL_BLOCK)
    beside = min(area.w / (reading_w + BLOCK_GAP + control_w), area.h / max(reading_h, control_h))
    stacked = min(area.w / max(reading_w, control_w), area.h / (reading_h + BLOCK_GAP + control_h))
    scale = min(max(beside, stacked), MAX_CONTENT_SCALE)
    if beside >= stacked:
        reading = (area.left, area.top)
        controls = (area.right - control_w * scale, area.top)
    else:
        reading = (area.left, area.top)
        controls = (area.left, area.top + (reading_h + BLOCK_GAP) * scale)
    rects = {name: _scaled(nominal, scale, reading) for name, nominal in READING_BLOCK.items()}
    rects |= {name: _scaled(nominal, scale, controls) for name, nominal in CONTROL_BLOCK.items()}
    return rects


def _size(block: dict[str, tuple[int, int, int, int]]) -> tuple[int, int]:
    return (
        max(x + w for x, _, w, _ in block.values()),
        max(y + h for _, y, _, h in block.values()),
    )


def _scaled(nominal: tuple[int, int, int, int], scale: float, origin: tuple[float, float]):
    x, y, w, h = nominal
    left, top = origin[0] + x * scale, origin[1] + y * scale
    return pygame.Rect(round(left), round(top), round(w * scale), round(h * scale))


def _whole_pixels(rect: pygame.Rect) -> pygame.Rect:
    """The largest square of whole model pixels in rect, or all of it if that is less than one
    screen pixel per model pixel."""
    room = max(1, min(rect.w, rect.h))
    side = preprocess.IMAGE_SIZE * (room // preprocess.IMAGE_SIZE) or room
    square = pygame.Rect(0, 0, side, side)
    square.center = rect.center
    return square
