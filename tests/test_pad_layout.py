"""The pad's layout: a wide canvas for a number and a panel below it, in any window."""

import pygame
import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.pad import Layout, layout
from runtime.pad.layout import CANVAS_ASPECT, cell_rects

PANEL_PARTS = [field for field in Layout.__dataclass_fields__ if field not in ("canvas", "panel")]


@given(st.integers(0, 4000), st.integers(0, 3000))
def test_layout_keeps_a_wide_canvas_and_a_panel_below_that_do_not_overlap(width, height):
    box = layout((width, height))
    window = pygame.Rect(0, 0, max(width, 480), max(height, 320))
    assert CANVAS_ASPECT[0] - 0.01 <= box.canvas.w / box.canvas.h <= CANVAS_ASPECT[1] + 0.01
    assert window.contains(box.canvas) and window.contains(box.panel)
    assert box.panel.top > box.canvas.bottom
    parts = [getattr(box, name) for name in PANEL_PARTS]
    for index, part in enumerate(parts):
        assert box.panel.contains(part), PANEL_PARTS[index]
        assert part.collidelist(parts[index + 1 :]) == -1, PANEL_PARTS[index]


def test_the_default_window_gives_room_for_a_number():
    box = layout((900, 620))
    assert box.canvas.w >= 800 and box.canvas.h >= 280


@given(st.integers(1, 12), st.integers(20, 600), st.integers(10, 150))
def test_digit_cells_sit_side_by_side_inside_their_row(count, width, height):
    cells = pygame.Rect(10, 20, width, height)
    rects = cell_rects(cells, count)
    assert len(rects) == count
    images = [image for image, _ in rects]
    for image, caption in rects:
        assert image.w == image.h
        assert cells.contains(caption)
        assert image.bottom <= caption.top + 2
    assert [image.centerx for image in images] == sorted(image.centerx for image in images)


@pytest.mark.parametrize("side", [56, 84, 112])
def test_a_cell_s_image_is_whole_model_pixels_when_there_is_room(side):
    (image, _), *_ = cell_rects(pygame.Rect(0, 0, 400, side * 2), 1)
    assert image.w % 28 == 0
