"""Stroke-level augmentation: varied writing, not noise; reproducible from the generator."""

import numpy as np
import pytest

from training.stroke_augment import StrokeAugmentation, augment

SEVEN = [np.array([[0, 0], [60, 0], [20, 100]], float), np.array([[15, 50], [55, 50]], float)]
STILL = dict(
    rotation=0,
    slant=0,
    aspect=0,
    stroke_offset=0,
    jitter=0,
    elastic=0,
    smooth=0,
    tremor=0,
    reverse=0,
    reorder=0,
)
NOTHING = StrokeAugmentation(**STILL, spacing=(1e-3, 1e-3))


def test_augmenting_keeps_the_strokes_and_is_reproducible():
    first = augment(SEVEN, np.random.default_rng(5), StrokeAugmentation())
    again = augment(SEVEN, np.random.default_rng(5), StrokeAugmentation())
    other = augment(SEVEN, np.random.default_rng(6), StrokeAugmentation())
    assert len(first) == 2 and all(np.isfinite(s).all() for s in first)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.allclose(first[0][0], other[0][0])


def test_with_no_variation_the_drawing_is_only_normalised():
    """Centred on its box and scaled to a unit longer side; densely resampled, it keeps its
    corners."""
    out = augment(SEVEN, np.random.default_rng(0), NOTHING)
    for corner in [[-0.3, -0.5], [0.3, -0.5], [-0.1, 0.5]]:
        assert np.linalg.norm(out[0] - corner, axis=1).min() < 1e-3
    np.testing.assert_allclose(out[1][[0, -1]], [[-0.15, 0.0], [0.25, 0.0]], atol=1e-6)


def test_resampling_spaces_points_evenly_and_keeps_the_ends():
    settings = StrokeAugmentation(**STILL, spacing=(0.05, 0.05))
    stroke = augment([np.array([[0, 0], [0, 100]], float)], np.random.default_rng(0), settings)[0]
    steps = np.linalg.norm(np.diff(stroke, axis=0), axis=1)
    assert len(stroke) == 21
    np.testing.assert_allclose(steps, 0.05, atol=1e-6)
    np.testing.assert_allclose(stroke[[0, -1]], [[0, -0.5], [0, 0.5]], atol=1e-6)


def test_slant_leans_the_top_of_an_upright_stroke():
    settings = StrokeAugmentation(**{**STILL, "slant": 0.3}, spacing=(1.0, 1.0))
    upright = [np.array([[0, 0], [0, 100]], float)]
    leans = [augment(upright, np.random.default_rng(s), settings)[0] for s in range(20)]
    tops = [stroke[0, 0] - stroke[-1, 0] for stroke in leans]  # y down: the top is first
    assert min(tops) < -0.05 and max(tops) > 0.05 and max(np.abs(tops)) <= 0.3 + 1e-9


@pytest.mark.parametrize("points", [1, 2])
def test_a_dot_or_a_two_point_stroke_survives(points):
    stroke = np.zeros((points, 2)) if points == 1 else np.array([[0, 0], [10, 0]], float)
    out = augment([stroke], np.random.default_rng(0), StrokeAugmentation())
    assert np.isfinite(out[0]).all() and len(out[0]) >= points


def test_smoothing_rounds_the_corners_and_keeps_the_ends():
    vee = [np.array([[0, 0], [50, 100], [100, 0]], float)]
    out = augment(
        vee,
        np.random.default_rng(0),
        StrokeAugmentation(**{**STILL, "smooth": 1}, spacing=(1e-3, 1e-3)),
    )[0]
    np.testing.assert_allclose(out[[0, -1]], [[-0.5, -0.5], [0.5, -0.5]], atol=1e-6)
    assert np.linalg.norm(out - [0, 0.5], axis=1).min() > 0.05  # the tip of the V is cut


def test_strokes_may_come_the_other_way_round_and_in_another_order():
    """What only the stroke model sees: the pen's direction and the strokes' order."""
    settings = StrokeAugmentation(**{**STILL, "reverse": 1.0, "reorder": 1.0}, spacing=(1.0, 1.0))
    orders = set()
    for seed in range(10):
        out = augment(SEVEN, np.random.default_rng(seed), settings)
        bar = next(s for s in out if len(s) == 2)
        assert bar[0, 0] > bar[-1, 0]  # drawn right to left
        orders.add(len(out[0]))
    assert orders == {2, 3}  # the bar first in some, the 7's body in others


def test_a_finger_s_tremor_moves_every_point_a_little():
    settings = StrokeAugmentation(**{**STILL, "tremor": 0.01}, spacing=(0.05, 0.05))
    line = [np.array([[0, 0], [0, 100]], float)]
    shaken = augment(line, np.random.default_rng(0), settings)[0]
    assert 0.003 < np.abs(shaken[:, 0]).mean() < 0.02
