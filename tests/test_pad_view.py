"""The pad's drawing: what the panel shows for a prediction."""

import numpy as np
import pygame
import pytest

from runtime.engine import Prediction
from runtime.pad import Pad, view

SIZE = (900, 620)


def colours_in(surface: pygame.Surface, rect: pygame.Rect) -> set[tuple[int, int, int]]:
    pixels = pygame.surfarray.array3d(surface.subsurface(rect)).reshape(-1, 3)
    return {tuple(int(c) for c in pixel) for pixel in np.unique(pixels, axis=0)}


@pytest.mark.parametrize("confidence", [None, 0.95, 0.3], ids=["empty", "sure", "unsure"])
def test_the_panel_shows_the_prediction_and_marks_low_confidence(tiny_engine, confidence):
    pygame.font.init()
    pad = Pad(tiny_engine, SIZE)
    screen = pygame.Surface(SIZE)
    if confidence is not None:
        rest = (1 - confidence) / 9
        probabilities = (rest,) * 3 + (confidence,) + (rest,) * 6
        pad.prediction = Prediction(
            3, confidence, probabilities, None, False, confidence < 0.6, 1.0
        )
        pad.model_input = np.eye(28, dtype=np.float32)
    view.View().draw(screen, pad)
    box = pad.layout
    digit, bars = colours_in(screen, box.digit), colours_in(screen, box.bars)
    preview = pygame.surfarray.array3d(screen.subsurface(box.preview))
    if confidence is None:
        assert view.TEXT not in digit and preview.max() == 0
    elif pad.prediction.unsure:
        assert view.MUTED in digit and view.UNSURE in bars
        status = np.array(sorted(colours_in(screen, box.status)))  # shrunk to fit: blended
        assert (np.abs(status - view.UNSURE).max(axis=1) <= 4).any()
    else:
        assert view.TEXT in digit and view.ACCENT in bars
        pixel = box.preview.w // 28  # the diagonal, one model pixel per block
        assert preview[pixel // 2, pixel // 2].min() == 255 and preview[pixel * 2, 0].max() == 0
