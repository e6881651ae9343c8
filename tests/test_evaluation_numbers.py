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


def test_a_composed_number_is_one_writer_s_digits_left_to_right_on_the_canvas(test_writers):
    number = numbers.compose(test_writers, 4, np.random.default_rng(3))
    assert len(number.digits) == 4 and len(number.boxes) == 4
    lefts = [box[0] for box in number.boxes]
    assert lefts == sorted(lefts)
    assert all(a[2] < b[0] for a, b in itertools.pairwise(number.boxes))  # apart, in order
    points = np.concatenate(number.strokes)
    assert points.min() >= 0 and (points.max(axis=0) <= numbers.CANVAS).all()
    assert sorted(set(number.owner)) == [0, 1, 2, 3]


def test_segmentation_is_judged_by_where_the_digits_are(test_writers, tiny_engine):
    number = numbers.compose(test_writers, 3, np.random.default_rng(0))
    reading = numbers.stroke_reading(Reader(tiny_engine), number)
    assert numbers.segmented_right(number, reading)
    fewer = type(reading)(reading.digits[:2], reading.line_height, reading.ms)
    assert not numbers.segmented_right(number, fewer)
    swapped = type(reading)(reading.digits[::-1], reading.line_height, reading.ms)
    assert not numbers.segmented_right(number, swapped)


def test_the_cli_gives_a_row_per_length(tiny_model_path, pen_path, tmp_path, capsys):
    out = tmp_path / "numbers.json"
    argv = ["--model", str(tiny_model_path), "--pen-data", str(pen_path), "--count", "2"]
    assert numbers.main([*argv, "--json", str(out)]) == 0
    table = markdown_tables(capsys.readouterr().out)[0]
    assert len(table) == 1 + len(numbers.LENGTHS)
    results = json.loads(out.read_text())["figures"]
    for path in numbers.PATHS:
        for length in numbers.LENGTHS:
            row = results[path][str(length)]
            wrong = row["segmentation_errors"] + row["classification_errors"]
            assert row["numbers"] == 2 and row["accuracy"] == (2 - wrong) / 2
