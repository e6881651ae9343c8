"""Reading a drawing: which strokes or ink make one digit, what the JSON answer says, and what a
reading costs. The model's plumbing only (a tiny model); what the shipped model reads is in
test_shipped_model.py."""

import drawings
import numpy as np
import pytest
from conftest import ticking_clock

from runtime import preprocess
from runtime import reader as reader_module
from runtime.canvas import Canvas
from runtime.engine import Prediction
from runtime.reader import SCRIBBLE, DigitReading, Reading, read_ink, read_strokes
from runtime.segment import Box

SEVEN_BOX = (0.25, 0.2, 0.6)  # where the 7 is drawn on a 300x300 canvas (see `seven_ink`)


def seven_ink() -> np.ndarray:
    """A 7 drawn with the pad's brush, as uint8 ink (0 = paper, 255 = ink)."""
    return drawings.draw(Canvas((300, 300)), drawings.SEVEN, SEVEN_BOX).ink()


def digit(prediction: Prediction, left: float) -> DigitReading:
    return DigitReading(Box(left, 0, left + 10, 20), np.zeros((28, 28)), prediction, (0,))


def prediction(probabilities: list[float], rejected: bool = False) -> Prediction:
    best = int(np.argmax(probabilities))
    return Prediction(
        best,
        probabilities[best],
        tuple(probabilities),
        0.9 if rejected else 0.1,
        rejected,
        False,
        1,
    )


def test_the_json_rounds_probabilities_to_4_decimals():
    probabilities = [0.123456, 0.876544] + [0.0] * 8
    answer = Reading([digit(prediction(probabilities), 0)], 1.0).as_json()
    assert answer["probabilities"] == [0.1235, 0.8765] + [0.0] * 8
    assert answer["confidence"] == answer["digits"][0]["confidence"] == 0.8765


def test_the_json_marks_only_the_parts_of_a_number_that_are_not_digits():
    three = prediction([0.0] * 3 + [1.0] + [0.0] * 6)
    reading = Reading([digit(three, 0), digit(SCRIBBLE, 20), digit(three, 40)], 1.0)
    answer = reading.as_json()
    assert answer["number"] == "3?3" and answer["digit"] is None
    assert answer["digits"][0] == {"digit": 3, "confidence": 1.0, "box": [0, 0, 10, 20]}
    assert answer["digits"][1] == {
        "digit": None,
        "rejected": True,
        "confidence": 0.0,
        "box": [20, 0, 10, 20],
    }
    assert "rejected" not in answer["digits"][2]


def test_strokes_that_meet_side_by_side_are_one_digit(tiny_engine):
    """A V's two strokes overlap nowhere across, but they meet: one part, not two."""
    left, right = np.array([[0.0, 0.0], [50.0, 100.0]]), np.array([[50.0, 100.0], [100.0, 0.0]])
    assert [d.pieces for d in read_strokes(tiny_engine, [left, right]).digits] == [(0, 1)]
    apart = right + np.array([60.0, 0.0])
    assert len(read_strokes(tiny_engine, [left, apart]).digits) == 2


def test_a_digit_whose_strokes_did_not_change_is_not_drawn_again(tiny_engine, monkeypatch):
    drawn = []
    render = reader_module.render_strokes
    monkeypatch.setattr(
        reader_module,
        "render_strokes",
        lambda strokes: drawn.append(len(strokes)) or render(strokes),
    )
    canvas = drawings.draw(
        Canvas((900, 300)), drawings.number(drawings.ONE, drawings.SEVEN), (0.15, 0.2, 0.6)
    )
    renderings: dict = {}
    first = read_strokes(tiny_engine, canvas.pixel_strokes(), renderings)
    assert drawn == [1, 1]
    canvas.extend_stroke((800, 250))  # the 7 grows
    again = read_strokes(tiny_engine, canvas.pixel_strokes(), renderings)
    assert drawn == [1, 1, 1]  # the 7 alone
    np.testing.assert_array_equal(again.digits[0].image, first.digits[0].image)


def test_faint_grey_paper_around_a_uint8_drawing_is_not_ink(tiny_engine):
    ink = seven_ink()
    alone = read_ink(tiny_engine, ink).digits[0].box
    hazy = np.maximum(ink, 38)  # just under INK_THRESHOLD of 255 (38.25)
    assert [d.box for d in read_ink(tiny_engine, hazy).digits] == [alone]


def test_grey_at_exactly_the_ink_threshold_is_paper(tiny_engine):
    ink = seven_ink().astype(np.float64) / 255
    alone = read_ink(tiny_engine, ink).digits[0].box
    grey = np.maximum(ink, preprocess.INK_THRESHOLD)
    assert [d.box for d in read_ink(tiny_engine, grey).digits] == [alone]


def test_a_faint_float_drawing_above_the_threshold_is_read(tiny_engine):
    ink = seven_ink().astype(np.float64) / 255
    (faint,) = read_ink(tiny_engine, ink * 0.25).digits  # a quarter of full ink
    assert faint.box == read_ink(tiny_engine, ink).digits[0].box


def test_a_reading_times_the_whole_reading_in_milliseconds(tiny_engine, monkeypatch):
    monkeypatch.setattr(reader_module, "time", ticking_clock(0.5))
    assert read_ink(tiny_engine, seven_ink()).ms == pytest.approx(500.0)
    canvas = drawings.draw(Canvas((300, 300)), drawings.SEVEN, SEVEN_BOX)
    assert read_strokes(tiny_engine, canvas.pixel_strokes()).ms == pytest.approx(500.0)
