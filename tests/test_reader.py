"""Reading a drawing: which strokes or ink make one digit, what the JSON answer says, and what a
reading costs. The model's plumbing only (a tiny model); what the shipped model reads is in
test_shipped_model.py."""

import itertools
from dataclasses import replace

import drawings
import numpy as np
import pytest
from conftest import ticking_clock

from runtime import preprocess
from runtime import reader as reader_module
from runtime.canvas import Canvas
from runtime.engine import Prediction
from runtime.reader import CACHE_SIZE, SCRIBBLE, DigitReading, Reader, Reading
from runtime.segment import Box
from runtime.writing import Writing

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


@pytest.fixture
def reader(tiny_engine) -> Reader:
    return Reader(tiny_engine)


def test_the_json_rounds_probabilities_to_4_decimals():
    probabilities = [0.123456, 0.876544] + [0.0] * 8
    answer = Reading([digit(prediction(probabilities), 0)], 20.0, 1.0).as_json()
    assert answer["probabilities"] == [0.1235, 0.8765] + [0.0] * 8
    assert answer["confidence"] == answer["digits"][0]["confidence"] == 0.8765


def test_the_json_marks_only_the_parts_of_a_number_that_are_not_digits():
    three = prediction([0.0] * 3 + [1.0] + [0.0] * 6)
    unsure = replace(three, unsure=True, confidence=0.5)
    digits = [digit(three, 0), digit(SCRIBBLE, 20), digit(unsure, 40)]
    answer = Reading(digits, 20.0, 1.0).as_json()
    assert answer["number"] == "3?3" and answer["digit"] is None and answer["unsure"] is None
    assert answer["digits"][0] == {
        "digit": 3,
        "confidence": 1.0,
        "unsure": False,
        "box": [0, 0, 10, 20],
    }
    assert answer["digits"][1] == {
        "digit": None,
        "rejected": True,
        "confidence": 0.0,
        "unsure": False,
        "box": [20, 0, 10, 20],
    }
    assert "rejected" not in answer["digits"][2] and answer["digits"][2]["unsure"] is True


def test_one_unsure_digit_says_so_at_the_top_and_in_its_part():
    four = prediction([0.0] * 4 + [0.55, 0.45] + [0.0] * 4)
    answer = Reading([digit(replace(four, unsure=True), 0)], 20.0, 1.0).as_json()
    assert answer["unsure"] is True and answer["digits"][0]["unsure"] is True
    sure = Reading([digit(four, 0)], 20.0, 1.0).as_json()
    assert sure["unsure"] is False and sure["digits"][0]["unsure"] is False


def test_strokes_that_meet_side_by_side_are_one_digit(reader):
    """A V's two strokes overlap nowhere across, but they meet: one part, not two."""
    left, right = np.array([[0.0, 0.0], [50.0, 100.0]]), np.array([[50.0, 100.0], [100.0, 0.0]])
    assert [d.pieces for d in reader.read_strokes([left, right]).digits] == [(0, 1)]
    apart = right + np.array([60.0, 0.0])
    assert len(reader.read_strokes([left, apart]).digits) == 2


def counted_renders(monkeypatch) -> list[int]:
    drawn = []
    render = reader_module.render_strokes
    monkeypatch.setattr(
        reader_module,
        "render_strokes",
        lambda strokes: drawn.append(len(strokes)) or render(strokes),
    )
    return drawn


def test_a_digit_whose_strokes_did_not_change_is_not_drawn_again(reader, monkeypatch):
    drawn = counted_renders(monkeypatch)
    canvas = drawings.draw(
        Canvas((900, 300)), drawings.number(drawings.ONE, drawings.SEVEN), (0.15, 0.2, 0.6)
    )
    writing = Writing()
    for stroke in canvas.pixel_strokes():
        writing.add(stroke)
    first = reader.read(writing)
    assert drawn == [1, 1]
    writing.pop()
    writing.add(np.concatenate([canvas.pixel_stroke(), [[800.0, 250.0]]]))  # the 7 grows
    again = reader.read(writing)
    assert drawn == [1, 1, 1]  # the 7 alone
    np.testing.assert_array_equal(again.digits[0].image, first.digits[0].image)


def test_the_same_strokes_are_read_once_wherever_they_are_written_again(reader, monkeypatch):
    """The reader remembers a digit by its strokes' content: the same strokes in a fresh
    writing (another canvas, an undo and redo) are neither drawn nor read again."""
    drawn = counted_renders(monkeypatch)
    seven = [np.array(s, float) * 100 for s in drawings.SEVEN]
    first = reader.read_strokes(seven)
    again = reader.read_strokes([stroke.copy() for stroke in seven])
    assert drawn == [1] and again.as_json() == first.as_json()


def test_the_reader_forgets_the_oldest_digits_beyond_its_bound(tiny_engine, monkeypatch):
    drawn = counted_renders(monkeypatch)
    reader = Reader(tiny_engine, cache_size=2)
    lines = [[np.array([[0.0, 0.0], [float(i), 100.0]])] for i in range(3)]
    for strokes in lines:
        reader.read_strokes(strokes)
    reader.read_strokes(lines[1])  # the two newest are remembered...
    reader.read_strokes(lines[2])
    assert drawn == [1, 1, 1]
    reader.read_strokes(lines[0])  # ...the oldest forgotten: drawn again
    assert drawn == [1, 1, 1, 1]
    assert CACHE_SIZE >= 100  # a canvas of numbers stays remembered


def test_a_stroke_being_drawn_is_read_with_the_writing_and_then_taken_out(reader):
    writing = Writing()
    writing.add(np.array([[0.0, 0.0], [0.0, 100.0]]))
    with writing.with_stroke(np.array([[200.0, 0.0], [260.0, 100.0]])) as growing:
        assert len(reader.read(growing).digits) == 2
    assert len(writing) == 1 and len(reader.read(writing).digits) == 1


def test_faint_grey_paper_around_a_uint8_drawing_is_not_ink(reader):
    ink = seven_ink()
    alone = reader.read_ink(ink).digits[0].box
    hazy = np.maximum(ink, 38)  # just under INK_THRESHOLD of 255 (38.25)
    assert [d.box for d in reader.read_ink(hazy).digits] == [alone]


def test_grey_at_exactly_the_ink_threshold_is_paper(reader):
    ink = seven_ink().astype(np.float64) / 255
    alone = reader.read_ink(ink).digits[0].box
    grey = np.maximum(ink, preprocess.INK_THRESHOLD)
    assert [d.box for d in reader.read_ink(grey).digits] == [alone]


def test_a_digit_read_from_an_image_names_the_pieces_of_ink_it_is_made_of(reader):
    assert [d.pieces for d in reader.read_ink(seven_ink()).digits] == [(0,)]


def test_a_faint_float_drawing_above_the_threshold_is_read(reader):
    ink = seven_ink().astype(np.float64) / 255
    (faint,) = reader.read_ink(ink * 0.25).digits  # a quarter of full ink
    assert faint.box == reader.read_ink(ink).digits[0].box


def test_a_reading_carries_the_line_height_in_the_drawing_s_units(reader):
    brush = Canvas((300, 300)).brush_width
    seven_height = (1.0 - 0.05) * 0.6 * 300  # the 7's pen path (drawings.SEVEN at SEVEN_BOX)
    assert reader.read_ink(seven_ink()).line_height == pytest.approx(seven_height + brush, abs=2)
    strokes = [np.array([[0.0, 0.0], [60.0, 0.0], [20.0, 100.0]])]
    assert reader.read_strokes(strokes).line_height == 100


def test_a_reading_times_the_whole_reading_in_milliseconds(reader, monkeypatch):
    monkeypatch.setattr(reader_module, "time", ticking_clock(0.5))
    assert reader.read_ink(np.zeros((40, 40), np.uint8)).ms == pytest.approx(500.0)  # blank
    assert reader.read_ink(seven_ink()).ms == pytest.approx(500.0)
    canvas = drawings.draw(Canvas((300, 300)), drawings.SEVEN, SEVEN_BOX)
    assert reader.read_strokes(canvas.pixel_strokes()).ms == pytest.approx(500.0)


def test_a_profile_s_minima_are_taken_lowest_first_and_only_in_its_middle_three_fifths():
    """The ends (columns 0 and 9, the lowest of all) are no place to cut; equal minima go
    nearest the middle first."""
    assert reader_module._minima(np.array([0, 5, 3, 4, 2, 6, 1, 7, 8, 0])) == [6, 4, 2]
    assert reader_module._minima(np.array([9, 9, 9, 4, 4, 9, 4, 9, 9, 9])) == [4, 6, 3]


def test_two_touching_rings_are_offered_a_cut_where_they_meet():
    rows, columns = np.mgrid[0:40, 0:80]

    def ring(middle: int) -> np.ndarray:
        distance = np.hypot(columns - middle, rows - 20)
        return (distance >= 14) & (distance <= 19)

    cuts = reader_module._cut_columns(ring(19) | ring(57), height=40.0)
    assert 38 in cuts  # the one column both rings touch
    assert all(16 <= cut < 64 for cut in cuts)
    assert all(b - a >= 40 / 6 for a, b in itertools.pairwise(cuts))
