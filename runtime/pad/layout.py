"""Where everything goes in the pad's window: a pure function of the window size."""

import math
from dataclasses import dataclass

import pygame

from runtime import preprocess

WINDOW_SIZE = (900, 620)  # the default; the window is resizable
MIN_WINDOW_SIZE = (480, 320)  # the layout never shrinks below this; a smaller window clips it

MARGIN = 16  # around and between the canvas and the panel
PANEL_WIDTH = (200, 440)  # (min, max) beside the canvas
PANEL_HEIGHT = (200, 480)  # (min, max) below the canvas
PANEL_RATIO = 0.6  # the panel is at least this fraction of the canvas's side, room permitting
PANEL_PADDING = 16
# The panel's content is designed as two blocks of nominal rects (x, y, w, h) and scaled to fit:
# stacked in a tall panel, side by side in a wide one.
BLOCK_SIZE = (300, 230)
BLOCK_GAP = 20
MAX_CONTENT_SCALE = 1.5
READOUT_BLOCK = {
    "digit": (0, 0, 140, 150),
    "preview": (160, 0, 140, 116),
    "caption": (160, 122, 140, 18),
    "status": (0, 160, 300, 26),
    "timing": (0, 196, 300, 20),
}
CONTROL_BLOCK = {
    "bars": (0, 0, 300, 132),
    "clear_button": (0, 150, 142, 40),
    "undo_button": (158, 150, 142, 40),
    "hint": (0, 206, 300, 18),
}


@dataclass(frozen=True)
class Layout:
    """Where everything goes in a window of a given size, in window pixel coordinates."""

    canvas: pygame.Rect
    panel: pygame.Rect
    digit: pygame.Rect
    preview: pygame.Rect
    caption: pygame.Rect
    status: pygame.Rect
    timing: pygame.Rect
    bars: pygame.Rect
    clear_button: pygame.Rect
    undo_button: pygame.Rect
    hint: pygame.Rect


def layout(window_size: tuple[int, int]) -> Layout:
    """A square canvas as large as fits, with the panel beside it or, in a tall window, below."""
    width = max(window_size[0], MIN_WINDOW_SIZE[0])
    height = max(window_size[1], MIN_WINDOW_SIZE[1])
    beside = _canvas_side(height, width, PANEL_WIDTH[0])
    below = _canvas_side(width, height, PANEL_HEIGHT[0])
    if beside >= below:
        panel_width = min(width - 3 * MARGIN - beside, PANEL_WIDTH[1])
        left = (width - beside - MARGIN - panel_width) // 2
        canvas_rect = pygame.Rect(left, (height - beside) // 2, beside, beside)
        panel = pygame.Rect(canvas_rect.right + MARGIN, canvas_rect.top, panel_width, beside)
    else:
        room = min(height - 3 * MARGIN - below, PANEL_HEIGHT[1]) - 2 * PANEL_PADDING
        scale, stacked = _arrange((below - 2 * PANEL_PADDING, room))
        content = (2 * BLOCK_SIZE[1] + BLOCK_GAP if stacked else BLOCK_SIZE[1]) * scale
        panel_height = min(room, math.ceil(content)) + 2 * PANEL_PADDING  # no empty card below
        top = (height - below - MARGIN - panel_height) // 2
        canvas_rect = pygame.Rect((width - below) // 2, top, below, below)
        panel = pygame.Rect(canvas_rect.left, canvas_rect.bottom + MARGIN, below, panel_height)
    return Layout(canvas=canvas_rect, panel=panel, **_panel_content(panel))


def _canvas_side(across: int, along: int, panel_min: int) -> int:
    """The canvas's side when the panel shares the `along` direction with it."""
    room = along - 3 * MARGIN
    return min(across - 2 * MARGIN, room - panel_min, int(room / (1 + PANEL_RATIO)))


def _arrange(area: tuple[int, int]) -> tuple[float, bool]:
    """The content's scale in a panel's inner area, and whether its two blocks are stacked:
    whichever arrangement is larger."""
    block_w, block_h = BLOCK_SIZE
    stacked = min(area[0] / block_w, area[1] / (2 * block_h + BLOCK_GAP))
    side_by_side = min(area[0] / (2 * block_w + BLOCK_GAP), area[1] / block_h)
    return min(max(stacked, side_by_side), MAX_CONTENT_SCALE), stacked >= side_by_side


def _panel_content(panel: pygame.Rect) -> dict[str, pygame.Rect]:
    """The readout at the top, where the eye looks first; the controls below it or beside it."""
    area = panel.inflate(-2 * PANEL_PADDING, -2 * PANEL_PADDING)
    block_w, block_h = BLOCK_SIZE
    scale, stacked = _arrange(area.size)
    if stacked:
        readout = (area.centerx - block_w * scale / 2, area.top)
        controls = (readout[0], area.bottom - block_h * scale)  # buttons at the bottom
    else:
        readout = (area.centerx - (block_w + BLOCK_GAP / 2) * scale, area.top)
        controls = (readout[0] + (block_w + BLOCK_GAP) * scale, area.top)
    rects = {name: _scaled(nominal, scale, readout) for name, nominal in READOUT_BLOCK.items()}
    rects |= {name: _scaled(nominal, scale, controls) for name, nominal in CONTROL_BLOCK.items()}
    rects["preview"] = _whole_pixels(rects["preview"])
    return rects


def _scaled(nominal: tuple[int, int, int, int], scale: float, origin: tuple[float, float]):
    x, y, w, h = nominal
    left, top = origin[0] + x * scale, origin[1] + y * scale
    return pygame.Rect(round(left), round(top), round(w * scale), round(h * scale))


def _whole_pixels(rect: pygame.Rect) -> pygame.Rect:
    """The largest square of whole model pixels in rect, so the scaled-up image is not uneven."""
    side = preprocess.IMAGE_SIZE * max(1, min(rect.w, rect.h) // preprocess.IMAGE_SIZE)
    square = pygame.Rect(0, 0, side, side)
    square.center = rect.center
    return square
