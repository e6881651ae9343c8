"""The stroke model's contract: a drawing's trajectory, whatever device drew it."""

import itertools

import numpy as np
import pytest

from runtime import trajectory
from runtime.trajectory import FEATURES, INPUT_SHAPE, POINTS, features

SEVEN = [np.array([[0, 0], [60, 0], [20, 100]], float), np.array([[15, 50], [55, 50]], float)]
COLUMN = {name: index for index, name in enumerate(FEATURES)}


def test_a_trajectory_has_the_contract_s_shape_and_type():
    found = features(SEVEN)
    assert found.shape == INPUT_SHAPE == (POINTS, len(FEATURES)) and found.dtype == np.float32
    assert trajectory.batch([SEVEN, SEVEN]).shape == (2, *INPUT_SHAPE)
    assert trajectory.batch([]).shape == (0, *INPUT_SHAPE)


def test_the_drawing_is_centred_and_scaled_by_its_longer_side():
    found = features(SEVEN)
    x, y = found[:, COLUMN["x"]], found[:, COLUMN["y"]]
    assert y.min() == pytest.approx(-0.5) and y.max() == pytest.approx(0.5)
    assert x.min() == pytest.approx(-0.3) and 0.28 < x.max() <= 0.3  # a corner may be cut


@pytest.mark.parametrize("scale", [0.001, 7.0])
def test_the_same_drawing_anywhere_and_at_any_size_has_one_trajectory(scale):
    moved = [stroke * scale + (500, -30) for stroke in SEVEN]
    np.testing.assert_allclose(features(moved), features(SEVEN), atol=1e-5)


def test_a_tablet_s_sparse_points_and_a_mouse_s_dense_ones_give_one_trajectory():
    """Points every 100 ms or every pixel along the same path: resampled by arc length."""
    dense = []
    for stroke in SEVEN:
        steps = np.linspace(0, 1, 40)[:, None]
        dense.append(np.concatenate([a + steps * (b - a) for a, b in itertools.pairwise(stroke)]))
    np.testing.assert_allclose(features(dense), features(SEVEN), atol=1e-4)


def test_each_stroke_gets_its_share_of_the_points_its_ends_included_none_in_the_air():
    found = features(SEVEN)
    xy = found[:, [COLUMN["x"], COLUMN["y"]]]
    lifted = np.flatnonzero(found[:, COLUMN["pen_up"]])
    assert len(lifted) == 1
    body_length, bar_length = 60 + np.hypot(40, 100), 40
    each_two_then_by_length = 2 + (POINTS - 4) * body_length / (body_length + bar_length)
    assert abs(lifted[0] - each_two_then_by_length) <= 1
    corners = [[-0.3, -0.5], [-0.1, 0.5], [-0.15, 0.0], [0.25, 0.0]]  # ends of both strokes
    np.testing.assert_allclose(xy[[0, lifted[0] - 1, lifted[0], -1]], corners, atol=1e-6)
    assert np.abs(xy[:, 1]).max() == pytest.approx(0.5)


def test_a_short_stroke_keeps_its_two_points_beside_a_long_one():
    long_and_dot = [np.array([[0, 0], [0, 1000]], float), np.array([[5.0, 5.0]])]
    found = features(long_and_dot)
    assert found[-2:, COLUMN["pen_up"]].tolist() == [1.0, 0.0]
    assert trajectory._shares(np.array([1.0] * 40)).sum() == POINTS  # more strokes than pairs
    assert (trajectory._shares(np.arange(1.0, 41.0))[:6] == 0).all()  # the shortest get none


def test_points_left_over_go_to_the_strokes_with_the_largest_remainders():
    assert trajectory._shares(np.array([1.0, 2.0, 2.0])).tolist() == [14, 25, 25]  # 2 + 11.6...


def test_every_stroke_points_the_pen_s_own_way_and_a_dot_points_as_the_next_stroke():
    dot_then_crossbar = [np.array([[0.0, 0.0]]), np.array([[0.0, 50.0], [100.0, 50.0]])]
    found = features(dot_then_crossbar)
    assert (found[:, COLUMN["cos"]] == pytest.approx(1.0)) and (
        found[:, COLUMN["sin"]] == pytest.approx(0.0)
    )
    still = features([np.array([[5.0, 5.0], [5.0, 5.0]])])  # no movement at all: pointing right
    assert (still[:, COLUMN["cos"]] == 1.0).all() and (still[:, COLUMN["sin"]] == 0.0).all()


def test_a_stroke_drawn_the_other_way_has_its_steps_and_direction_reversed():
    line = [np.array([[0, 0], [0, 100]], float)]
    down, up = features(line), features([line[0][::-1]])
    assert (down[:, COLUMN["sin"]] == pytest.approx(1.0)) and (
        up[:, COLUMN["sin"]] == pytest.approx(-1.0)
    )
    np.testing.assert_allclose(down[:-1, COLUMN["dy"]], -up[:-1, COLUMN["dy"]], atol=1e-5)
    assert down[:-1, COLUMN["dy"]].sum() == pytest.approx(POINTS, rel=0.05)


@pytest.mark.parametrize(
    "drawing",
    [[np.array([[5.0, 5.0]])], [np.array([[5.0, 5.0]]), np.array([[9.0, 1.0]])]],
    ids=["a dot", "two dots"],
)
def test_a_drawing_of_dots_still_has_a_finite_trajectory(drawing):
    found = features(drawing)
    assert found.shape == INPUT_SHAPE and np.isfinite(found).all()


def test_the_pen_down_steps_sum_to_the_number_of_points_whatever_the_drawing_s_length():
    found = features(SEVEN)
    lifted = np.flatnonzero(found[:, COLUMN["pen_up"]])[0]
    steps = np.hypot(found[:, COLUMN["dx"]], found[:, COLUMN["dy"]])
    assert np.delete(steps, lifted - 1).sum() == pytest.approx(POINTS, rel=0.01)  # a corner cut


def test_with_a_point_pair_each_every_stroke_is_its_two_ends():
    dashes = [
        np.array([[10.0 * i, 0], [10.0 * i + 6, 3], [10.0 * i, 4 + 8 * (i % 4)]]) for i in range(32)
    ]
    xy = features(dashes)[:, [COLUMN["x"], COLUMN["y"]]]  # however long each dash is
    ends = np.concatenate([dash[[0, -1]] for dash in dashes])
    low, high = ends.min(axis=0), np.array([10.0 * 31 + 6, ends[:, 1].max()])
    np.testing.assert_allclose(xy, (ends - (low + high) / 2) / (high - low).max(), atol=1e-6)
