"""Made-up non-digits: every kind draws finite strokes, and the ones near digits keep clear."""

import numpy as np
import pytest

from training.shapes import MIN_WALK_WANDER, SHAPES, letters_in_a_row, line, random_walk


@pytest.mark.parametrize("kind", SHAPES)
def test_every_kind_draws_finite_strokes_of_some_size(kind):
    rng = np.random.default_rng(0)
    for _ in range(20):
        strokes = SHAPES[kind](rng)
        points = np.concatenate(strokes)
        assert np.isfinite(points).all() and points.dtype == np.float32
        assert np.ptp(points, axis=0).max() > 0.2


def test_lines_lie_closer_to_horizontal_than_a_one():
    rng = np.random.default_rng(1)
    for _ in range(50):
        (stroke,) = line(rng)
        dx, dy = np.abs(stroke[-1] - stroke[0])
        assert np.degrees(np.arctan2(dy, dx)) <= 38  # 35, give or take the hand's wobble


def test_random_walks_wander_more_than_a_digit():
    rng = np.random.default_rng(2)
    for _ in range(20):
        (walk,) = random_walk(rng)
        length = np.linalg.norm(np.diff(walk, axis=0), axis=1).sum()
        assert length / np.ptp(walk, axis=0).max() >= MIN_WALK_WANDER * 0.9


def test_letters_in_a_row_are_side_by_side_at_one_height():
    letter = [np.array([[0, 0], [0, 10], [5, 10]], np.float32)]
    row = letters_in_a_row([letter, letter, letter], np.random.default_rng(0))
    assert len(row) == 3
    lefts = [stroke[:, 0].min() for stroke in row]
    assert lefts == sorted(lefts) and lefts[1] - lefts[0] > 0.5
    assert all(0.9 < np.ptp(stroke[:, 1]) < 1.1 for stroke in row)
