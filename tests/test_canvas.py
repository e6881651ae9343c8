"""The canvas keeps what has not changed: its ink after any edit is that of drawing every stroke
anew, and an undo costs no more after many strokes than after a few."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime import canvas as canvas_module
from runtime.canvas import MODEL_MARGIN, MODEL_WIDTH, Canvas, render_strokes

SIDE = 64
position = st.tuples(st.integers(-8, SIDE + 8), st.integers(-8, SIDE + 8))  # off it too
edit = st.one_of(
    st.tuples(st.just("stroke"), st.lists(position, min_size=1, max_size=6)),
    st.tuples(st.just("extend"), st.lists(position, min_size=1, max_size=3)),
    st.tuples(st.just("undo")),
    st.tuples(st.just("clear")),
    st.tuples(st.just("resize"), st.integers(40, 100)),
)


def apply(canvas: Canvas, change: tuple) -> None:
    kind, *arguments = change
    if kind == "stroke":
        canvas.replay([arguments[0]])
    elif kind == "extend":
        for point in arguments[0]:
            canvas.extend_stroke(point)
    elif kind == "resize":
        canvas.resize((arguments[0], arguments[0]))
    else:
        getattr(canvas, kind)()


def ink_drawn_anew(canvas: Canvas) -> np.ndarray:
    """The ink of a new canvas of the same size with the same strokes, each drawn once."""
    width, height = canvas.size
    fresh = Canvas(canvas.size, canvas.brush_fraction)
    fresh.replay([[(round(x * width), round(y * height)) for x, y in s] for s in canvas.strokes])
    return fresh.ink()


@settings(max_examples=80, deadline=None)
@given(st.lists(edit, max_size=12))
def test_the_ink_after_any_edits_is_that_of_the_strokes_drawn_anew(edits):
    canvas = Canvas((SIDE, SIDE))
    for change in edits:
        apply(canvas, change)
        np.testing.assert_array_equal(canvas.ink(), ink_drawn_anew(canvas))


def test_a_stroke_extended_after_an_undo_is_undone_whole():
    """Found by the test above: the undo's counts missed the extension, and a later undo left
    holes in the ink."""
    canvas = Canvas((SIDE, SIDE))
    for change in [("stroke", [(0, -1)]), ("stroke", [(0, 0)]), ("undo",), ("extend", [(0, 0)])]:
        apply(canvas, change)
    apply(canvas, ("stroke", [(0, 0)]))
    apply(canvas, ("undo",))
    np.testing.assert_array_equal(canvas.ink(), ink_drawn_anew(canvas))


ACROSS, DOWN = ("stroke", [(10, 32), (54, 32)]), ("stroke", [(32, 10), (32, 54)])
EDITS_THAT_RECOUNT = {
    "undo": [("stroke", [(5, 5)]), ("undo",)],
    "clear": [("stroke", [(5, 5)]), ("clear",)],
    "resize": [("resize", SIDE)],
}


@pytest.mark.parametrize("emptying", EDITS_THAT_RECOUNT)
def test_strokes_drawn_after_the_canvas_is_emptied_are_undone_without_holes(emptying):
    """An undo repaints what the strokes left still cover: each must be counted once."""
    canvas = Canvas((SIDE, SIDE))
    for change in [*EDITS_THAT_RECOUNT[emptying], ("stroke", [(32, 32)]), ACROSS, ("undo",)]:
        apply(canvas, change)
        np.testing.assert_array_equal(canvas.ink(), ink_drawn_anew(canvas))


def test_an_older_stroke_is_gone_after_its_undo_though_a_later_one_grew_after_an_undo():
    canvas = Canvas((SIDE, SIDE))
    edits = [ACROSS, DOWN, ("stroke", [(5, 5)]), ("undo",), ("extend", [(60, 60)])]
    for change in [*edits, ("stroke", [(5, 60)]), ("undo",), ("undo",), ("undo",)]:
        apply(canvas, change)
        np.testing.assert_array_equal(canvas.ink(), ink_drawn_anew(canvas))
    assert not canvas.ink().any()


def test_a_new_brush_redraws_every_stroke_with_it():
    canvas = Canvas((SIDE, SIDE))
    for change in [ACROSS, DOWN]:
        apply(canvas, change)
    wide = canvas.ink()
    canvas.set_brush(0.02)
    assert canvas.brush_width == 1 and canvas.brush_fraction == 0.02
    np.testing.assert_array_equal(canvas.ink(), ink_drawn_anew(canvas))
    assert 0 < canvas.ink().sum() < wide.sum()


def test_pixel_strokes_are_the_strokes_in_canvas_pixels_as_they_stand():
    canvas = Canvas((SIDE, SIDE))
    canvas.replay([[(1, 1), (10, 10)], [(20, 5), (30, 5)]])
    np.testing.assert_array_equal(canvas.pixel_strokes()[1], [[20, 5], [30, 5]])
    canvas.extend_stroke((40, 5))
    np.testing.assert_array_equal(canvas.pixel_stroke(), [[20, 5], [30, 5], [40, 5]])
    np.testing.assert_array_equal(canvas.pixel_stroke(0), canvas.pixel_strokes()[0])


def test_render_strokes_draws_the_drawing_at_the_models_size_and_width():
    ink = render_strokes([np.array([[0.0, 0.0], [0.0, 1000.0]])])  # a tall line, any units
    margin = MODEL_MARGIN
    assert ink.shape == (math.ceil(100 + 2 * margin), math.ceil(2 * margin))
    assert ink.dtype == np.uint8 and ink.max() == 255
    row = ink[ink.shape[0] // 2] > 0
    assert abs(row.sum() - MODEL_WIDTH) <= 1
    dot = render_strokes([np.array([[5.0, 5.0]])])
    assert (dot > 0).sum() > 0 and dot.shape[0] < 2 * MODEL_WIDTH


def test_render_strokes_draws_a_drawing_alike_wherever_it_is_and_in_any_units():
    seven = np.array([[0.0, 0.0], [600.0, 0.0], [250.0, 1000.0]])
    ink = render_strokes([seven])
    assert ink.shape[1] < ink.shape[0]  # as tall as it is drawn, not square
    np.testing.assert_array_equal(render_strokes([seven + np.array([300.0, 2000.0])]), ink)
    np.testing.assert_array_equal(render_strokes([seven / 1000]), ink)


def scribbles(count: int, seed: int = 0) -> list[list[tuple[int, int]]]:
    """`count` short strokes inside the box that the first stroke, a frame, spans."""
    rng = np.random.default_rng(seed)
    strokes = [[(20, 20), (420, 20), (420, 420), (20, 420), (20, 20)]]
    for _ in range(count - 1):
        x, y = rng.integers(40, 360, size=2)
        strokes.append([(int(x + 4 * i), int(y + 20 * np.sin(i))) for i in range(10)])
    return strokes


@pytest.fixture
def segments_drawn(monkeypatch) -> list[int]:
    """How many stroke segments have been drawn, on any surface."""
    drawn = [0]
    draw_segment = canvas_module.draw_segment

    def counting(*args):
        drawn[0] += 1
        return draw_segment(*args)

    monkeypatch.setattr(canvas_module, "draw_segment", counting)
    return drawn


def test_an_undo_draws_as_much_after_300_strokes_as_after_3(segments_drawn):
    """An undo draws only the stroke taken off, however many there are."""
    drawn = []
    for count in (3, 300):
        canvas = Canvas((448, 448))
        canvas.replay(scribbles(count))
        segments_drawn[0] = 0
        canvas.undo()
        drawn.append(segments_drawn[0])
    assert drawn[0] == drawn[1] <= 2 * 10  # the stroke, once to count it, once to take it off
