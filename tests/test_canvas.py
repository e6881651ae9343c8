"""The canvas keeps what has not changed: its ink after any edit, and the model's rendering, are
those of drawing every stroke anew, at a cost that does not grow with the number of strokes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime import canvas as canvas_module
from runtime.canvas import Canvas, render_strokes

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


def model_ink_drawn_anew(canvas: Canvas) -> np.ndarray:
    """Canvas.model_ink as it was when it rendered every stroke on every call."""
    strokes = [np.array(stroke) * np.array(canvas.size, dtype=float) for stroke in canvas.strokes]
    if not strokes or np.ptp(np.concatenate(strokes), axis=0).max() <= canvas.brush_width:
        return canvas.ink()
    return render_strokes(strokes)


@settings(max_examples=80, deadline=None)
@given(st.lists(edit, max_size=12))
def test_ink_and_model_ink_after_any_edits_are_those_of_the_strokes_drawn_anew(edits):
    canvas = Canvas((SIDE, SIDE))
    for change in edits:
        apply(canvas, change)
        canvas.model_ink()  # live predictions read it between edits, filling its cache
        np.testing.assert_array_equal(canvas.ink(), ink_drawn_anew(canvas))
        np.testing.assert_array_equal(canvas.model_ink(), model_ink_drawn_anew(canvas))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(position, min_size=1, max_size=5), min_size=1, max_size=8))
def test_the_model_ink_kept_across_strokes_is_render_strokes(strokes):
    """Stroke by stroke, then undo by undo, with a brush so thin that nearly nothing is a dot."""
    canvas = Canvas((SIDE, SIDE), brush_fraction=0.01)
    for stroke in strokes:
        canvas.replay([stroke])
        np.testing.assert_array_equal(canvas.model_ink(), model_ink_drawn_anew(canvas))
    while not canvas.is_empty:
        canvas.undo()
        np.testing.assert_array_equal(canvas.model_ink(), model_ink_drawn_anew(canvas))


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


@pytest.mark.parametrize("edit", ["stroke end", "undo"])
def test_a_stroke_end_or_an_undo_draws_as_much_after_300_strokes_as_after_3(segments_drawn, edit):
    """What the pad does at a stroke's end (the model's rendering) or an undo (the ink and the
    model's rendering) draws only the stroke concerned, however many there are."""
    drawn = []
    for count in (3, 300):
        canvas = Canvas((448, 448))
        *before, last = scribbles(count)
        canvas.replay(before)
        canvas.model_ink()
        if edit == "stroke end":
            canvas.replay([last])
        segments_drawn[0] = 0
        if edit == "undo":
            canvas.undo()
        canvas.model_ink()
        drawn.append(segments_drawn[0])
    assert drawn[0] == drawn[1] <= 2 * 10 * 2  # the stroke, at most twice on each surface
