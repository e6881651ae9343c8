"""The pad's layout: a square canvas and a panel that fit any window."""

import pygame
from hypothesis import given
from hypothesis import strategies as st

from runtime.pad import Layout, layout

PANEL_PARTS = [field for field in Layout.__dataclass_fields__ if field not in ("canvas", "panel")]


@given(st.integers(0, 4000), st.integers(0, 3000))
def test_layout_keeps_a_square_canvas_and_a_panel_that_do_not_overlap(width, height):
    box = layout((width, height))
    window = pygame.Rect(0, 0, max(width, 480), max(height, 320))
    assert box.canvas.w == box.canvas.h > 0
    assert window.contains(box.canvas) and window.contains(box.panel)
    assert not box.canvas.colliderect(box.panel)
    parts = [getattr(box, name) for name in PANEL_PARTS]
    for index, part in enumerate(parts):
        assert box.panel.contains(part), PANEL_PARTS[index]
        assert part.collidelist(parts[index + 1 :]) == -1, PANEL_PARTS[index]
    assert box.preview.w == box.preview.h and box.preview.w % 28 == 0


def test_panel_goes_beside_a_wide_window_and_below_a_tall_one():
    wide, tall = layout((900, 620)), layout((500, 900))
    assert wide.panel.left > wide.canvas.right and wide.canvas.h >= 520
    assert tall.panel.top > tall.canvas.bottom and tall.canvas.w >= 460
