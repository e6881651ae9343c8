"""The drawing -> model input contract: invariance to placement and size, emptiness, fuzzing."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from runtime.canvas import Canvas, render_strokes
from runtime.preprocess import (
    IMAGE_SIZE,
    MIN_CONTRAST,
    image_to_model_input,
    ink_from_grayscale,
    to_model_input,
)

# A "4" as three strokes in a unit box: what a person would draw with the mouse.
FOUR = [
    [(0.55, 0.0), (0.3, 0.45), (0.0, 0.65), (0.8, 0.65)],
    [(0.62, 0.3), (0.6, 1.0)],
]


def draw_canvas(
    strokes, box: tuple[float, float, float], canvas_side: int = 448, brush: float = 0.07
) -> Canvas:
    """Draw `strokes` (unit box) at (left, top, size) fractions of a square canvas."""
    canvas = Canvas((canvas_side, canvas_side), brush_fraction=brush)
    left, top, size = box
    for stroke in strokes:
        points = [
            (round((left + x * size) * canvas_side), round((top + y * size) * canvas_side))
            for x, y in stroke
        ]
        canvas.begin_stroke(points[0])
        for point in points[1:]:
            canvas.extend_stroke(point)
    return canvas


def draw(strokes, box, canvas_side: int = 448, brush: float = 0.07) -> np.ndarray:
    """The ink the user sees."""
    return draw_canvas(strokes, box, canvas_side, brush).ink()


def test_empty_canvas_gives_no_input():
    assert to_model_input(np.zeros((300, 300), np.uint8)) is None
    assert to_model_input(np.full((50, 80), 0.1, np.float32)) is None  # faint noise is not ink


def test_output_is_a_centred_mnist_style_image():
    image = to_model_input(draw(FOUR, (0.1, 0.1, 0.6)))
    assert image.shape == (IMAGE_SIZE, IMAGE_SIZE) and image.dtype == np.float32
    assert image.min() >= 0 and image.max() <= 1
    rows, cols = np.nonzero(image > 0.05)
    assert max(np.ptp(rows), np.ptp(cols)) + 1 in (
        20,
        21,
        22,
    )  # longest side scaled to the 20 px box
    total = image.sum()
    centre = (
        image.sum(1) @ (np.arange(28) + 0.5) / total,
        image.sum(0) @ (np.arange(28) + 0.5) / total,
    )
    assert np.allclose(centre, 14, atol=0.5)


def test_same_strokes_shifted_give_the_same_input():
    reference = to_model_input(draw(FOUR, (0.2, 0.2, 0.5)))
    for box in [(0.05, 0.05, 0.5), (0.45, 0.4, 0.5), (0.1, 0.43, 0.5)]:
        assert np.abs(to_model_input(draw(FOUR, box)) - reference).mean() < 0.01, box


def test_same_strokes_scaled_give_nearly_the_same_input():
    """Drawn small or large with a brush in proportion, the model sees nearly the same digit."""
    reference = to_model_input(draw(FOUR, (0.2, 0.2, 0.5)))
    for size in (0.2, 0.3, 0.8, 0.85):
        brush = 0.07 * size / 0.5
        scaled = to_model_input(draw(FOUR, ((1 - size) / 2, (1 - size) / 2, size), brush=brush))
        assert np.abs(scaled - reference).mean() < 0.02, size


def test_the_model_sees_the_same_digit_whatever_the_brush_and_size():
    """On the canvas a small digit is bold and a large one thin; the model's rendering is not."""
    reference = to_model_input(render_strokes(draw_canvas(FOUR, (0.2, 0.2, 0.5)).pixel_strokes()))
    for box, brush in [((0.4, 0.4, 0.2), 0.07), ((0.05, 0.05, 0.9), 0.07), ((0.2, 0.2, 0.5), 0.15)]:
        canvas = draw_canvas(FOUR, box, brush=brush)
        rendered = to_model_input(render_strokes(canvas.pixel_strokes()))
        assert np.abs(rendered - reference).mean() < 0.02, box
        assert np.abs(to_model_input(canvas.ink()) - reference).mean() > 0.04, box  # as seen


def test_polarity_of_image_files_is_detected():
    ink = draw(FOUR, (0.2, 0.2, 0.5), canvas_side=200)
    dark_on_light = 255 - ink
    light_on_dark = ink
    grey_paper = (200 - ink * 0.6).astype(np.uint8)  # a photo: grey paper, dark grey pencil
    expected = to_model_input(ink)
    for picture in (dark_on_light, light_on_dark, grey_paper):
        got = to_model_input(ink_from_grayscale(picture))
        assert np.abs(got - expected).mean() < 0.02


def test_a_blank_picture_has_no_ink():
    assert to_model_input(ink_from_grayscale(np.full((64, 64), 180, np.uint8))) is None


def test_a_mark_fainter_than_the_minimum_contrast_is_paper():
    paper = np.full((64, 64), 180, np.uint8)
    paper[20:40, 30:33] = 180 - round(255 * MIN_CONTRAST) + 2  # a smudge, not ink
    assert ink_from_grayscale(paper).max() == 0
    paper[20:40, 30:33] = 180 - round(255 * MIN_CONTRAST) - 2  # a real pencil mark
    assert ink_from_grayscale(paper).max() == 1


@pytest.mark.parametrize("box", [(0.05, 0.1, 0.5), (0.3, 0.2, 0.4), (0.1, 0.4, 0.55)])
def test_the_centre_of_mass_lands_on_the_centre_to_a_tenth_of_a_pixel(box):
    image = to_model_input(draw(FOUR, box))
    total = image.sum()
    centre_y = image.sum(axis=1) @ (np.arange(IMAGE_SIZE) + 0.5) / total
    centre_x = image.sum(axis=0) @ (np.arange(IMAGE_SIZE) + 0.5) / total
    assert abs(centre_y - IMAGE_SIZE / 2) < 0.1 and abs(centre_x - IMAGE_SIZE / 2) < 0.1


@settings(max_examples=150, deadline=None)
@given(
    arrays(
        dtype=st.sampled_from([np.uint8, np.float32]),
        shape=st.tuples(st.integers(1, 120), st.integers(1, 120)),
        elements={"min_value": 0, "max_value": 1},
    ).map(lambda a: a * 255 if a.dtype == np.uint8 else a)
    | arrays(np.uint8, st.tuples(st.integers(1, 120), st.integers(1, 120)))
)
def test_random_canvases_never_raise_and_stay_in_range(canvas):
    image = to_model_input(canvas)
    if image is not None:
        assert image.shape == (IMAGE_SIZE, IMAGE_SIZE) and image.dtype == np.float32
        assert np.isfinite(image).all() and image.min() >= 0 and image.max() <= 1
        assert image.max() > 0


@settings(max_examples=100, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 90), st.integers(1, 90))))
def test_random_pictures_map_to_ink_in_range(picture):
    ink = ink_from_grayscale(picture)
    assert ink.shape == picture.shape and ink.min() >= 0 and ink.max() <= 1


def bold_ring(side: int = 200, radius: float = 60, width: float = 45) -> np.ndarray:
    y, x = np.mgrid[0:side, 0:side] + 0.5
    distance = np.hypot(x - side / 2, y - side / 2)
    return (np.abs(distance - radius) < width / 2).astype(np.float32)


def test_a_bold_image_is_thinned_without_adding_ink_at_its_edges():
    image = image_to_model_input(bold_ring())
    plain = to_model_input(bold_ring())
    assert image[14, 14] == 0  # the hole stays open
    rows, cols = np.nonzero(image > 0.1)
    corners = image[[rows.min(), rows.min(), rows.max(), rows.max()], [cols.min(), cols.max()] * 2]
    assert (corners < 0.1).all()  # round, not framed by the thinning
    assert image.sum() < 0.8 * plain.sum()


def test_a_thin_pen_on_a_large_image_is_brought_to_the_models_stroke_width():
    thin = np.zeros((1000, 1000), np.float32)
    thin[100:900, 498:501] = 1.0  # a 1 drawn with a 3 px pen
    image = image_to_model_input(thin)
    assert image.max() > 0.9  # full-strength ink, not a faint hairline
    assert image.sum(axis=1).max() > 2.5  # about MNIST's stroke width, in pixels


def test_ink_that_vanishes_at_the_models_size_is_blank():
    line = np.zeros((3, 20000), np.float32)
    line[1] = 1.0
    assert to_model_input(line) is None  # 0.001 of a pixel thick at the model's scale
    bar = image_to_model_input(line)  # an image file's line is drawn at the model's width
    assert bar is not None and bar.sum(axis=1).max() > 15  # a level bar, for rejection to judge
