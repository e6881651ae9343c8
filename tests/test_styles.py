"""Continental styles added to plain digits: a slashed 0, a flagged 1, a crossed 7."""

import numpy as np

from training.styles import crossed_seven, flagged_one, slashed_zero

T = np.linspace(0, 2 * np.pi, 40)
ZERO = [np.stack([50 + 30 * np.cos(T), 50 + 50 * np.sin(T)], axis=1)]
ONE = [np.array([[50, 0], [48, 100]], float)]
SEVEN = [np.array([[0, 0], [60, 0], [20, 100]], float)]


def test_a_slash_crosses_the_zero_from_corner_to_corner():
    for seed in range(10):
        strokes = slashed_zero(ZERO, np.random.default_rng(seed))
        assert len(strokes) == 2
        slash = strokes[1]
        assert np.ptp(slash[:, 0]) >= 0.85 * 60 and np.ptp(slash[:, 1]) >= 0.85 * 100


def test_a_flag_rises_from_the_lower_left_to_the_top_of_the_one():
    for seed in range(10):
        strokes = flagged_one(ONE, np.random.default_rng(seed))
        first = strokes[0]
        assert first[0, 0] < 50 - 15 and 10 < first[0, 1] < 50  # starts left of and below the top
        top = np.argmin(first[:, 1])
        assert abs(first[top, 1]) < 1e-6 and top > 0  # then up to the top...
        assert first[-1, 1] > 95  # ...and down the stem, in one stroke


def test_a_bar_crosses_the_seven_s_stem_about_halfway_down():
    for seed in range(10):
        strokes = crossed_seven(SEVEN, np.random.default_rng(seed))
        bar = strokes[1]
        middle_y = bar[:, 1].mean()
        assert 40 < middle_y < 70
        stem_x = 60 - 40 * middle_y / 100  # where the stem is at that height
        assert bar[:, 0].min() < stem_x < bar[:, 0].max()
        assert np.ptp(bar[:, 1]) < 0.5 * np.ptp(bar[:, 0])  # roughly level
