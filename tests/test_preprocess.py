"""The drawing -> model input contract: invariance to placement and size, emptiness, fuzzing."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image
from scipy import ndimage

from runtime.canvas import Canvas, render_strokes
from runtime.preprocess import (
    DIGIT_BOX,
    IMAGE_SIZE,
    INK_THRESHOLD,
    MIN_CONTRAST,
    MODEL_SIDE,
    image_to_model_input,
    ink_from_grayscale,
    model_batch,
    to_model_input,
)
from tests.drawings import SEVEN, ZERO

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
    assert to_model_input(np.full((50, 80), INK_THRESHOLD, np.float32)) is None  # nor at the line
    assert to_model_input(np.full((50, 80), 30, np.uint8)) is None  # 30/255: faint in 8 bits too


def test_faint_smudges_around_a_drawing_neither_move_nor_shrink_it():
    """Only ink above INK_THRESHOLD is cropped to: a smudge beside or above the digit, no
    stronger than that, is not part of it."""
    clean = np.zeros((120, 120), np.float32)
    clean[40:80, 50:70] = 1.0
    smudged = clean.copy()
    smudged[45:75, 20:25] = INK_THRESHOLD  # beside the digit, in its rows
    smudged[5:10, 50:70] = INK_THRESHOLD  # above it
    assert np.array_equal(to_model_input(smudged), to_model_input(clean))


@pytest.mark.parametrize("shape", [(40, 10), (10, 40)])
def test_the_longer_side_of_the_ink_spans_the_digit_box_exactly(shape):
    """A solid bar, on paper all round, fills DIGIT_BOX pixels along its length at full ink
    (scaled by its ink, not by the paper around it) with its centre of mass at the centre."""
    height, width = shape
    ink = np.zeros((height + 20, width + 20), np.float32)
    ink[10 : 10 + height, 10 : 10 + width] = 1.0
    image = to_model_input(ink)
    along = image.max(axis=1 if height > width else 0)
    assert np.count_nonzero(along) == DIGIT_BOX and (along[along > 0] > 0.999).all()
    total = image.sum()
    centre_y = image.sum(axis=1) @ (np.arange(IMAGE_SIZE) + 0.5) / total
    centre_x = image.sum(axis=0) @ (np.arange(IMAGE_SIZE) + 0.5) / total
    assert abs(centre_y - IMAGE_SIZE / 2) < 0.01 and abs(centre_x - IMAGE_SIZE / 2) < 0.01


@pytest.mark.parametrize("flip", [False, True])
def test_all_the_ink_of_a_lopsided_drawing_stays_in_the_field(flip):
    """A heavy blob at one end of a long thin stroke puts the centre of mass near that end:
    the drawing moves off centre just enough to keep the stroke's far end in the field, rather
    than cut it off. Area-averaging keeps the ink's amount, scaled by the area."""
    ink = np.zeros((120, 60), np.float32)
    ink[10:30, 15:45] = 1.0  # the blob, at the top
    ink[30:110, 29:31] = 1.0  # the stroke, down to the bottom
    if flip:
        ink = ink[::-1].T  # the blob on the right, the stroke to the left
    image = to_model_input(np.ascontiguousarray(ink))
    assert image.sum() == pytest.approx(ink.sum() * (DIGIT_BOX / 100) ** 2, rel=1e-4)


def test_an_8_bit_drawing_gives_the_input_of_the_same_drawing_in_floats():
    """255 is full ink in a uint8 image as 1.0 is in a float one, the threshold included: an
    anti-aliased drawing with a faint smudge beside it reads the same either way."""
    halved = Image.fromarray(render_strokes([np.array(stroke) * 100 for stroke in FOUR])).reduce(2)
    ink = np.pad(np.array(halved), 10)
    assert ink.dtype == np.uint8 and np.count_nonzero((ink > 0) & (ink < 255)) > 50
    ink[30:40, :5] = 30  # beside the digit, below INK_THRESHOLD of 255
    assert np.allclose(to_model_input(ink), to_model_input(ink / 255.0), atol=1e-6)


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
    grey_screen = (60 + ink * (195 / 255)).astype(np.uint8)  # white ink on a dark grey theme
    # The paper's grey past the middle: ink and paper are told apart by which way the ink goes.
    black_on_dark_grey = (100 - ink * (100 / 255)).astype(np.uint8)  # a dim photo of paper
    white_on_light_grey = (140 + ink * (115 / 255)).astype(np.uint8)  # chalk on a light board
    expected = to_model_input(ink)
    pictures = (dark_on_light, light_on_dark, grey_paper, grey_screen)
    for picture in (*pictures, black_on_dark_grey, white_on_light_grey):
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
    assert ink.dtype == np.float32  # as the model's input, at half float64's memory


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
    level_line = to_model_input(render_strokes([np.array([[0.0, 0.0], [1.0, 0.0]])]))
    assert np.abs(bar - level_line).mean() < 0.01  # as the pad draws a level line


def test_ink_that_reaches_the_ink_threshold_at_the_models_size_is_a_drawing():
    """The hairline rule's boundary: a faint line averaged down to exactly INK_THRESHOLD counts."""
    line = np.zeros((3, 64), np.float32)
    line[1] = 0.6  # averaged down to a quarter of that in the rows it lands in
    image = to_model_input(line)
    assert image is not None and image.max() == np.float32(INK_THRESHOLD)


def test_a_bold_1_from_a_marker_is_thinned_to_a_stroke():
    """A bar filling its whole crop has no paper inside it: the paper beyond the image thins it,
    to a tall stroke, not a block."""
    marker = np.zeros((440, 200), np.float32)
    marker[20:420, 25:175] = 1.0
    image = image_to_model_input(marker)
    plain = to_model_input(marker)
    assert np.count_nonzero(image.max(axis=1) > 0.1) == DIGIT_BOX  # as tall as the digit box
    assert image.sum(axis=1).max() < 0.75 * plain.sum(axis=1).max()


def test_strokes_a_little_bolder_than_the_models_are_left_as_drawn():
    """Only strokes wider than BOLD times the model's width are thinned: a 20 px pen on a
    100 px picture (1.25 times) reads as that drawing itself."""
    ink = draw(FOUR, (0.0, 0.0, 1.0), canvas_side=MODEL_SIDE, brush=0.2)
    assert np.abs(image_to_model_input(ink) - to_model_input(ink)).mean() < 0.005


def test_float_ink_beyond_0_and_1_is_clipped_to_paper_and_full_ink():
    """A float image not normalised (paper below 0, ink above 1) reads as the same drawing."""
    ink = np.zeros((60, 40), np.float32)
    ink[10:50, 15:25] = 1.0  # a 1 with a flag: paper inside its box too
    ink[10:15, 5:15] = 1.0
    assert np.array_equal(to_model_input(3 * ink - 1), to_model_input(ink))


def test_a_batch_of_mnist_images_is_scaled_to_the_models_range_and_shape():
    """uint8 images are divided by 255, float ones (already 0..1) kept: both as float32
    [N, 28, 28, 1], even for a single image."""
    pixels = np.arange(2 * IMAGE_SIZE * IMAGE_SIZE).reshape(2, IMAGE_SIZE, IMAGE_SIZE) % 256
    batch = model_batch(pixels.astype(np.uint8))
    assert batch.shape == (2, IMAGE_SIZE, IMAGE_SIZE, 1) and batch.dtype == np.float32
    assert batch.min() == 0 and batch.max() == 1 and np.allclose(batch[..., 0] * 255, pixels)
    floats = pixels / 255.0
    assert np.allclose(model_batch(floats)[..., 0], floats)
    assert model_batch(floats[0]).shape == (1, IMAGE_SIZE, IMAGE_SIZE, 1)


@pytest.mark.parametrize(
    "strokes, side, pen",
    [(FOUR, 90, 4), (ZERO, 150, 3), (SEVEN, 60, 4)],
)
def test_a_digit_in_an_image_file_reads_as_the_same_digit_drawn_on_the_pad(strokes, side, pen):
    """Whatever the picture's size and pen, an image file's digit is brought to the drawing the
    model knows: nearly the input of the same strokes drawn on the pad."""
    canvas = draw_canvas(strokes, (0.15, 0.15, 0.7), canvas_side=side, brush=pen / side)
    pad = to_model_input(render_strokes(canvas.pixel_strokes()))
    assert np.abs(image_to_model_input(canvas.ink()) - pad).mean() < 0.015


@pytest.mark.parametrize("enlarged", [1, 3])
def test_an_mnist_digit_saved_as_a_picture_stays_close_to_mnists_own(mnist_path, enlarged):
    """A 28 px MNIST digit, or a screenshot of one enlarged, is already the drawing the model
    knows: brought to the model's strokes (smoothly enlarged first), it barely changes."""
    with np.load(mnist_path) as mnist:
        digits = mnist["x_test"][:40]
    side = IMAGE_SIZE * enlarged
    differences = []
    for digit in digits:
        picture = np.asarray(Image.fromarray(digit).resize((side, side), Image.Resampling.BICUBIC))
        mnist_input = to_model_input(picture)
        differences.append(np.abs(image_to_model_input(picture) - mnist_input).mean())
    assert np.mean(differences) < 0.044


def test_ink_as_dark_as_the_paper_is_light_is_read_as_dark_ink():
    """A tie (paper at mid grey, black and white equally far from it) is read the way scans
    are written: dark ink on light paper."""
    picture = np.full((64, 64), 128, np.uint8)
    picture[:32] = 127
    picture[10:20, 30] = 0  # a black stroke, taking ten of the 127 pixels' places...
    picture[40:50, 30] = 255  # ...and a white one the 128s', so the median stays at 127.5
    ink = ink_from_grayscale(picture)
    assert ink[10:20, 30].min() == 1 and ink[40:50, 30].max() == 0


def test_bold_ink_is_peeled_to_the_model_s_width_and_a_ring_stays_a_ring():
    from runtime.preprocess import thinned
    from runtime.segment import components

    yy, xx = np.mgrid[-50:51, -50:51]
    ring = (np.hypot(yy, xx * 1.4) > 20) & (np.hypot(yy, xx * 1.4) < 48)  # a fat, squashed 0
    for passes in (10, None):  # peeled by 10 pixels a side, and all the way to a line
        peeled = thinned(ring, passes)
        assert peeled.sum() < ring.sum() * 0.7
        assert len(components(peeled).boxes) == 1  # never broken apart...
        paper, count = ndimage.label(~np.pad(peeled, 1))  # 4-connected: through no diagonal gap
        assert count == 2 and paper[51, 51] != paper[0, 0]  # ...nor shut: the hole is still one


def test_a_marker_s_filled_loop_is_hollowed_before_it_is_thinned():
    from runtime.preprocess import _hollowed

    nine = np.zeros((100, 60), bool)
    nine[5:50, 5:55] = True  # a loop filled in by a marker...
    nine[5:95, 40:55] = True  # ...and its tail
    hollowed = _hollowed(nine)
    assert not hollowed[27, 28] and hollowed[90, 47]  # the core cut out, the tail kept


def test_the_paper_is_the_grey_of_the_picture_s_edge_however_much_ink_there_is():
    picture = np.full((40, 30), 255, np.uint8)
    picture[2:38, 3:27] = 0  # a bold digit cropped tightly: mostly ink
    picture[10:30, 10:20] = 255
    ink = ink_from_grayscale(picture)
    assert ink[20, 5] == 1.0 and ink[0, 0] == 0.0 and ink[20, 15] == 0.0


def test_both_filled_loops_of_a_marker_are_hollowed_and_a_bold_crossing_is_not():
    from runtime.preprocess import _hollowed

    loops = np.zeros((200, 60), bool)
    loops[5:195, 40:55] = True  # a long stem...
    loops[5:50, 5:55] = loops[60:105, 5:55] = True  # ...with two loops filled in
    hollowed = _hollowed(loops)
    assert not hollowed[27, 28] and not hollowed[82, 28] and hollowed[150, 47]
    plus = np.zeros((80, 80), bool)
    plus[32:47, 5:75] = plus[5:75, 32:47] = True  # deep only in a sliver where the bars cross
    assert (_hollowed(plus) == plus).all()


def test_depth_counts_the_steps_in_from_the_paper():
    from runtime.preprocess import _depth

    square = np.zeros((7, 7), bool)
    square[1:6, 1:6] = True
    depth = _depth(square)
    assert depth[3, 3] == 3 and depth[2, 2] == 2 and depth[1, 1] == 1 and depth[0, 0] == 0


def test_components_are_numbered_from_one_and_a_line_is_one_of_them():
    from runtime.preprocess import _labels

    mask = np.zeros((6, 9), bool)
    mask[1, 1:8] = True  # a line running right from the first pixel flooded
    mask[3:6, 4] = True  # a separate one running down
    labels = _labels(mask)
    assert (labels[mask] > 0).all() and (labels[~mask] == 0).all()
    assert len(np.unique(labels[1, 1:8])) == 1 and len(np.unique(labels[3:6, 4])) == 1
    assert labels[1, 1] != labels[3, 4]


def test_each_pass_of_thinning_peels_one_pixel_a_side():
    from runtime.preprocess import thinned

    bar = np.zeros((20, 60), bool)
    bar[5:14, 5:55] = True  # 9 px thick
    assert (thinned(bar, 0) == bar).all()
    assert [thinned(bar, passes)[:, 30].sum() for passes in (1, 2, 3)] == [7, 5, 3]


def test_thinned_all_the_way_a_bold_bar_is_a_one_pixel_line_shortened_only_by_its_half_width():
    from runtime.preprocess import thinned

    bar = np.zeros((20, 60), bool)
    bar[5:14, 5:55] = True  # 9 px thick, 50 long
    line = thinned(bar)
    columns = np.flatnonzero(line.any(axis=0))
    assert (line.sum(axis=0)[columns] == 1).all() and columns.tolist() == list(range(9, 50))


def test_a_marker_s_ring_is_peeled_to_the_model_s_stroke_width_not_to_a_hairline():
    from runtime.preprocess import MODEL_STROKE

    def ring(side: int, width: float) -> np.ndarray:
        rows, columns = np.mgrid[:side, :side] - (side - 1) / 2
        radius = np.hypot(rows, columns * 1.3)
        return ((radius <= side / 2 - 1) & (radius > side / 2 - 1 - width)).astype(np.float32)

    pen = MODEL_STROKE * 600
    drawn = image_to_model_input(ring(600, pen))
    marker = image_to_model_input(ring(600, 3 * pen))
    assert 0.75 < marker.sum() / drawn.sum() < 1.25


def test_a_pixel_grows_into_a_round_pen_s_disc():
    from runtime.preprocess import _dilated

    dot = np.zeros((3, 3), bool)
    dot[1, 1] = True
    grown = _dilated(dot, 2.0)
    rows, columns = np.mgrid[-3:4, -3:4]
    np.testing.assert_array_equal(grown, rows**2 + columns**2 <= 4)  # the image larger by 2
