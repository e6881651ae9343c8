"""The pad's logic, driven by pygame events as a user makes them, without a screen."""

import numpy as np
import pygame
import pytest
from pad_events import check_prediction, feed, inside, key, mouse, seven, stroke

from runtime.canvas import INK
from runtime.pad import LIVE_INTERVAL_MS, Pad, layout

SIZE = (900, 620)


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def emitted() -> list[dict]:
    return []


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def pad(tiny_engine, emitted, clock) -> Pad:
    return Pad(tiny_engine, SIZE, emit=emitted.append, clock=clock)


def test_a_stroke_leaves_ink_along_its_path_and_one_prediction(pad, emitted):
    rect = pad.layout.canvas
    start, end = inside(rect, 0.1, 0.5), inside(rect, 0.9, 0.5)
    feed(pad, *stroke([start, end]))  # one long, fast move: no points in between
    ink = pad.canvas.ink()
    row = ink[start[1] - rect.top, start[0] - rect.left : end[0] - rect.left + 1]
    assert (row == INK).all()
    assert ink[: rect.h // 4].max() == 0  # and nowhere near the top
    assert len(emitted) == 1
    check_prediction(emitted[0])
    (digit,) = pad.reading.digits
    assert digit.prediction.digit == emitted[0]["digit"] and digit.image.shape == (28, 28)


def test_a_diagonal_stroke_is_as_thick_as_the_brush(pad):
    rect = pad.layout.canvas
    x, y = rect.center
    feed(pad, *stroke([(x - 100, y - 100), (x + 100, y + 100)]))
    ink = pad.canvas.ink() > 0
    x, y = x - rect.left, y - rect.top
    across = [ink[y + step, x - step] for step in range(-60, 60)]
    thickness = sum(across) * 2**0.5  # steps along the anti-diagonal are sqrt(2) apart
    assert thickness == pytest.approx(pad.canvas.brush_width, abs=3)


def test_every_stroke_is_followed_by_a_prediction(pad, emitted):
    rect = pad.layout.canvas
    for fy in (0.3, 0.5, 0.7):
        feed(pad, *stroke([inside(rect, 0.2, fy), inside(rect, 0.5, fy), inside(rect, 0.8, fy)]))
    assert len(pad.canvas.strokes) == 3
    assert [event["event"] for event in emitted] == ["prediction"] * 3


def test_an_empty_canvas_has_no_prediction(pad, emitted):
    pad.predict()
    assert pad.reading is None
    assert emitted == [{"event": "clear"}]


def test_motion_without_a_press_on_the_canvas_does_not_draw(pad, emitted):
    centre, outside = pad.layout.canvas.center, pad.layout.hint.center
    feed(pad, mouse(pygame.MOUSEMOTION, centre), *stroke([outside, centre]))
    assert pad.canvas.is_empty and pad.canvas.ink().max() == 0
    assert emitted == []


def test_a_stroke_leaving_the_canvas_is_clamped_to_its_edge(pad):
    rect = pad.layout.canvas
    feed(pad, *stroke([inside(rect, 0.5, 0.5), (rect.right + 200, rect.centery)]))
    ink = pad.canvas.ink()
    assert ink[rect.h // 2, -1] == INK
    assert pad.canvas.strokes[-1][-1][0] < 1


@pytest.mark.parametrize("code", [pygame.K_c, pygame.K_BACKSPACE, pygame.K_DELETE])
def test_clear_keys(pad, emitted, code):
    feed(pad, *stroke(seven(pad.layout.canvas)), key(code))
    assert pad.canvas.is_empty and pad.canvas.ink().max() == 0
    assert pad.reading is None
    assert emitted[-1] == {"event": "clear"}


def test_clear_button(pad, emitted):
    feed(pad, *stroke(seven(pad.layout.canvas)))
    feed(pad, mouse(pygame.MOUSEBUTTONDOWN, pad.layout.clear_button.center))
    assert pad.canvas.is_empty and pad.reading is None
    assert emitted[-1] == {"event": "clear"}


@pytest.mark.parametrize(
    "undo",
    [key(pygame.K_z, pygame.KMOD_LCTRL), key(pygame.K_u), "button"],
    ids=["ctrl-z", "u", "button"],
)
def test_undo_removes_the_last_stroke_and_predicts_what_remains(pad, emitted, undo):
    if undo == "button":
        undo = mouse(pygame.MOUSEBUTTONDOWN, pad.layout.undo_button.center)
    rect = pad.layout.canvas
    feed(pad, *stroke(seven(rect)))
    first_ink, first = pad.canvas.ink(), emitted[-1]
    feed(pad, *stroke([inside(rect, 0.2, 0.5), inside(rect, 0.8, 0.5)]), undo)
    assert len(pad.canvas.strokes) == 1
    assert np.array_equal(pad.canvas.ink(), first_ink)
    assert [event["event"] for event in emitted] == ["prediction"] * 3
    assert emitted[-1] == {**first, "ms": emitted[-1]["ms"]}
    pad.handle(undo)
    assert pad.canvas.is_empty and pad.reading is None
    assert emitted[-1] == {"event": "clear"}
    pad.handle(undo)  # nothing left to undo: nothing happens
    assert len(emitted) == 4


def test_z_without_ctrl_does_not_undo(pad):
    feed(pad, *stroke(seven(pad.layout.canvas)), key(pygame.K_z))
    assert len(pad.canvas.strokes) == 1


@pytest.mark.parametrize(
    "event",
    [key(pygame.K_ESCAPE), key(pygame.K_q), pygame.event.Event(pygame.QUIT)],
    ids=["escape", "q", "window-close"],
)
def test_quit(pad, event):
    assert pad.running
    pad.handle(event)
    assert not pad.running


def test_live_predictions_are_throttled_while_the_ink_changes(pad, emitted, clock):
    rect = pad.layout.canvas
    assert pad.idle
    pad.handle(mouse(pygame.MOUSEBUTTONDOWN, inside(rect, 0.1, 0.5)))
    assert not pad.idle  # the loop must stay prompt while the user draws
    predictions = []
    for step in range(100):  # 100 motion events over 400 ms
        clock.now += 0.004
        pad.handle(mouse(pygame.MOUSEMOTION, inside(rect, 0.1 + step * 0.008, 0.5)))
        pad.tick()
        if pad.reading is not None and pad.reading not in predictions:
            predictions.append(pad.reading)
    assert 400 / LIVE_INTERVAL_MS - 1 <= len(predictions) <= 400 / LIVE_INTERVAL_MS + 1
    assert emitted == []  # live predictions update the panel only
    assert pad.live_pending
    clock.now += 1
    pad.handle(mouse(pygame.MOUSEBUTTONUP, inside(rect, 0.9, 0.5)))
    assert len(emitted) == 1 and not pad.live_pending
    assert pad.live_wait_ms() is None and pad.idle  # the loop may doze until an event


def test_resize_lays_out_again_and_keeps_the_strokes(pad):
    feed(pad, *stroke(seven(pad.layout.canvas)))
    pad.handle(pygame.event.Event(pygame.VIDEORESIZE, size=(1280, 800), w=1280, h=800))
    assert pad.layout == layout((1280, 800))
    assert pad.canvas.size == pad.layout.canvas.size
    assert len(pad.canvas.strokes) == 1 and pad.canvas.ink().max() == INK


def test_a_number_is_read_as_a_digit_per_group_of_strokes(pad, emitted):
    rect = pad.layout.canvas
    for fx in (0.2, 0.45, 0.7):
        feed(pad, *stroke([inside(rect, fx, 0.2), inside(rect, fx, 0.8)]))
    event = emitted[-1]
    assert event["digit"] is None and event["confidence"] is None
    assert len(event["number"]) == 3 and len(event["digits"]) == 3
    lefts = [digit["box"][0] for digit in event["digits"]]
    assert lefts == sorted(lefts)
    assert pad.latest_digit() is pad.reading.digits[-1]


def test_the_probabilities_shown_are_those_of_the_digit_last_written(pad):
    rect = pad.layout.canvas
    feed(pad, *stroke([inside(rect, 0.7, 0.2), inside(rect, 0.7, 0.8)]))
    feed(pad, *stroke([inside(rect, 0.2, 0.2), inside(rect, 0.2, 0.8)]))  # written second, left
    assert pad.latest_digit() is pad.reading.digits[0]


def test_the_brush_follows_the_size_of_the_writing(pad):
    rect = pad.layout.canvas
    start = pad.canvas.brush_width
    feed(pad, *stroke([inside(rect, 0.5, 0.45), inside(rect, 0.5, 0.55)]))  # a tenth as tall
    assert pad.canvas.brush_width < start / 2
    assert (pad.canvas.ink()[rect.h // 2] > 0).sum() <= pad.canvas.brush_width + 2  # redrawn
    feed(pad, key(pygame.K_c))
    assert pad.canvas.brush_width == start


def test_digits_whose_strokes_did_not_change_are_not_rendered_again(pad, monkeypatch):
    from runtime import reader

    rect = pad.layout.canvas
    feed(pad, *stroke([inside(rect, 0.2, 0.2), inside(rect, 0.2, 0.8)]))
    rendered = []
    render = reader.render_strokes
    monkeypatch.setattr(reader, "render_strokes", lambda s: rendered.append(len(s)) or render(s))
    feed(pad, *stroke([inside(rect, 0.6, 0.2), inside(rect, 0.6, 0.8)]))
    assert rendered == [1]  # the new digit only


def test_losing_the_window_s_focus_ends_the_stroke_and_reads_it(pad, emitted):
    rect = pad.layout.canvas
    pad.handle(mouse(pygame.MOUSEBUTTONDOWN, inside(rect, 0.3, 0.2)))
    pad.handle(mouse(pygame.MOUSEMOTION, inside(rect, 0.3, 0.8)))
    pad.handle(pygame.event.Event(pygame.WINDOWFOCUSLOST))
    assert not pad.drawing and len(emitted) == 1 and emitted[0]["event"] == "prediction"
    pad.handle(mouse(pygame.MOUSEMOTION, inside(rect, 0.9, 0.9)))  # back, button up elsewhere
    assert len(pad.canvas.strokes[-1]) == 2
