"""The pad's drawing: what the panel shows for a reading."""

import numpy as np
import pygame
import pytest

from runtime.engine import Prediction
from runtime.pad import Pad, view
from runtime.pad.layout import cell_rects
from runtime.reader import DigitReading, Reading
from runtime.segment import Box

SIZE = (900, 620)


def colours_in(surface: pygame.Surface, rect: pygame.Rect) -> set[tuple[int, int, int]]:
    pixels = pygame.surfarray.array3d(surface.subsurface(rect)).reshape(-1, 3)
    return {tuple(int(c) for c in pixel) for pixel in np.unique(pixels, axis=0)}


def near(colours: set, colour: tuple, slack: int = 4) -> bool:
    """Whether a colour is there, give or take the blending of shrunk text."""
    return (np.abs(np.array(sorted(colours)) - colour).max(axis=1) <= slack).any()


def digit(value: int, confidence: float, rejected=False, unsure=False, left=0) -> DigitReading:
    rest = (1 - confidence) / 9
    probabilities = tuple(confidence if d == value else rest for d in range(10))
    prediction = Prediction(value, confidence, probabilities, 0.0, rejected, unsure, 1.0)
    return DigitReading(
        Box(left, 0, left + 50, 100), np.eye(28, dtype=np.float32), prediction, (left,)
    )


def drawn(pad: Pad, *digits: DigitReading) -> pygame.Surface:
    pygame.font.init()
    pad.reading = Reading(list(digits), 100.0, 1.0) if digits else None
    screen = pygame.Surface(SIZE)
    view.View().draw(screen, pad)
    return screen


@pytest.fixture
def pad(tiny_engine) -> Pad:
    return Pad(tiny_engine, SIZE)


def test_nothing_written_shows_a_faint_dash_and_no_cells(pad):
    screen = drawn(pad)
    assert view.TEXT not in colours_in(screen, pad.layout.number)
    assert colours_in(screen, pad.layout.cells) == {view.CARD}


def test_a_sure_digit_is_shown_in_text_colour_with_its_model_input(pad):
    screen = drawn(pad, digit(3, 0.95))
    assert near(colours_in(screen, pad.layout.number), view.TEXT)
    assert view.ACCENT in colours_in(screen, pad.layout.bars)
    ((image, _),) = cell_rects(pad.layout.cells, 1)
    preview = pygame.surfarray.array3d(screen.subsurface(image))
    pixel = image.w // 28  # the diagonal, one model pixel per block
    assert preview[pixel // 2, pixel // 2].min() == 255 and preview[pixel * 2, 0].max() == 0


def test_an_unsure_digit_is_marked_in_the_warning_colour(pad):
    screen = drawn(pad, digit(3, 0.3, unsure=True))
    assert near(colours_in(screen, pad.layout.number), view.UNSURE)
    assert view.UNSURE in colours_in(screen, pad.layout.bars)
    assert near(colours_in(screen, pad.layout.status), view.UNSURE)


def test_a_drawing_that_is_not_a_digit_says_so_and_greys_the_bars(pad):
    screen = drawn(pad, digit(3, 0.4, rejected=True))
    assert near(colours_in(screen, pad.layout.number), view.REJECTED)
    bars = colours_in(screen, pad.layout.bars)
    assert view.ACCENT not in bars and view.UNSURE not in bars and view.FAINT_BAR in bars
    assert near(colours_in(screen, pad.layout.status), view.REJECTED)


def test_a_number_gets_a_cell_per_digit_and_each_digit_its_own_colour(pad):
    screen = drawn(pad, digit(2, 0.99, left=0), digit(7, 0.4, unsure=True, left=60))
    number = colours_in(screen, pad.layout.number)
    assert near(number, view.TEXT) and near(number, view.UNSURE)
    for image, caption in cell_rects(pad.layout.cells, 2):
        assert len(colours_in(screen, image)) >= 2  # the preview is there
        assert len(colours_in(screen, caption)) >= 2  # and its confidence under it


def test_confidences_are_rounded_down():
    assert view._percent(0.99996) == "99.9%" and view._percent(0.5) == "50.0%"
