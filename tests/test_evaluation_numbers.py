"""python -m export.evaluation.numbers: composed numbers, read through both paths."""

import itertools
import json

import numpy as np
import pytest
from conftest import markdown_tables

from export.evaluation import numbers
from runtime.reader import Reader
from training.pen import TEST_WRITERS, load_pendigits


@pytest.fixture(scope="module")
def test_writers(pen_path):
    return load_pendigits(pen_path).of_groups(TEST_WRITERS)


def digits_of(samples, count: int, rng) -> list:
    picks = rng.choice(len(samples), count)
    return [(samples.strokes[i], str(samples.labels[i])) for i in picks]


def test_a_composed_number_is_any_writers_digits_left_to_right_on_the_canvas(test_writers):
    rng = np.random.default_rng(3)
    number = numbers.compose(digits_of(test_writers, 4, rng), rng)
    assert len(number.digits) == 4 and len(number.boxes) == 4
    lefts = [box[0] for box in number.boxes]
    assert lefts == sorted(lefts)
    assert all(a[2] < b[0] for a, b in itertools.pairwise(number.boxes))  # apart, in order
    points = np.concatenate(number.strokes)
    assert points.min() >= 0 and (points.max(axis=0) <= numbers.CANVAS).all()
    stroke_count = sum(len(s) for s, _ in digits_of(test_writers, 4, np.random.default_rng(3)))
    assert len(number.strokes) == stroke_count


def test_segmentation_is_judged_by_where_the_digits_are(test_writers, tiny_engine):
    rng = np.random.default_rng(0)
    number = numbers.compose(digits_of(test_writers, 3, rng), rng)
    reading = numbers.stroke_reading(Reader(tiny_engine), number)
    assert numbers.segmented_right(number, reading)
    fewer = type(reading)(reading.digits[:2], reading.line_height, reading.ms)
    assert not numbers.segmented_right(number, fewer)
    swapped = type(reading)(reading.digits[::-1], reading.line_height, reading.ms)
    assert not numbers.segmented_right(number, swapped)


def test_the_cli_gives_a_row_per_length(tiny_model_path, pen_path, letters_path, tmp_path, capsys):
    out = tmp_path / "numbers.json"
    argv = ["--model", str(tiny_model_path), "--pen-data", str(pen_path), "--count", "2"]
    argv += ["--letters-data", str(letters_path)]
    assert numbers.main([*argv, "--json", str(out)]) == 0
    table = markdown_tables(capsys.readouterr().out)[0]
    assert [row[0] for row in table[1:]] == [*map(str, numbers.LENGTHS), "3 and a letter"]
    results = json.loads(out.read_text())["figures"]
    for path in numbers.PATHS:
        for length in [*map(str, numbers.LENGTHS), "3 and a letter"]:
            row = results[path][length]
            assert row["numbers"] == 2
            assert sum(row[outcome] for outcome in numbers.OUTCOMES) == 2


def test_a_wrong_number_is_a_segmentation_error_a_rejection_or_a_misread(test_writers):
    from runtime.engine import Prediction
    from runtime.reader import DigitReading, Reading
    from runtime.segment import Box

    rng = np.random.default_rng(1)
    number = numbers.compose(digits_of(test_writers, 2, rng), rng)

    def reading(*digits: tuple[int, bool]) -> Reading:
        found = []
        for (digit, rejected), box in zip(digits, number.boxes, strict=False):
            prediction = Prediction(digit, 0.9, (0.01,) * 10, 0.1, rejected, False, 1.0)
            found.append(DigitReading(Box(*box), np.zeros((28, 28)), prediction, (0,)))
        return Reading(found, 100.0, 1.0)

    first, second = (int(d) for d in number.digits)
    assert numbers.outcome(number, reading((first, False), (second, False))) == "right"
    assert numbers.outcome(number, reading(((first + 1) % 10, False), (second, False))) == "misread"
    assert numbers.outcome(number, reading((first, True), (second, False))) == "rejection"
    assert numbers.outcome(number, reading((first, False))) == "segmentation"
