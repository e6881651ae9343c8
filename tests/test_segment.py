"""Segmentation: strokes and ink pieces grouped into digits, left to right."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import ndimage

from runtime.segment import (
    TOUCH,
    Box,
    _densified,
    components,
    group,
    line_height,
    stroke_boxes,
    touching_strokes,
    without_frames,
)


def line(*points) -> np.ndarray:
    return np.array(points, dtype=float)


# Digits about 100 units tall, as strokes (y down), each at a left offset.
def one(left: float) -> list[np.ndarray]:
    return [line((left + 10, 0), (left, 100))]


def seven(left: float) -> list[np.ndarray]:
    return [line((left, 0), (left + 60, 0), (left + 20, 100))]


def seven_bar(left: float) -> np.ndarray:
    return line((left + 15, 50), (left + 55, 48))


def four(left: float) -> list[np.ndarray]:
    """A 4 in two strokes that cross: an L, and a stem through its bar."""
    return [
        line((left + 30, 0), (left, 65), (left + 60, 65)),
        line((left + 45, 20), (left + 45, 100)),
    ]


def zero(left: float) -> list[np.ndarray]:
    t = np.linspace(0, 2 * np.pi, 30)
    return [np.stack([left + 30 + 30 * np.cos(t), 50 + 50 * np.sin(t)], axis=1)]


def two(left: float) -> list[np.ndarray]:
    return [line((left, 20), (left + 30, 0), (left + 60, 25), (left, 100), (left + 65, 100))]


def five(left: float) -> list[np.ndarray]:
    """A 5 whose flag is written last, to the right of the top of its stem."""
    body = line((left + 5, 5), (left, 45), (left + 50, 55), (left + 50, 90), (left, 100))
    return [body, line((left + 8, 3), (left + 60, 0))]


def digits_of(strokes: list[np.ndarray]) -> list[list[int]]:
    return group(stroke_boxes(strokes), touching_strokes(strokes))


def test_a_number_is_one_group_per_digit_left_to_right():
    strokes = [*two(0), *zero(90), *two(180), *four(270)]
    assert digits_of(strokes) == [[0], [1], [2], [3, 4]]


def test_a_crossbar_added_after_the_next_digit_joins_its_seven():
    strokes = [*seven(0), *one(100), seven_bar(0)]
    assert digits_of(strokes) == [[0, 2], [1]]


def test_a_flag_written_to_the_right_of_the_stem_joins_its_five():
    strokes = [*five(0), *one(120)]
    assert digits_of(strokes) == [[0, 1], [2]]


def test_digits_written_out_of_order_are_read_left_to_right():
    strokes = [*one(200), *seven(0), *zero(100)]
    assert digits_of(strokes) == [[1], [2], [0]]


def test_neighbours_whose_extents_overlap_a_little_stay_apart():
    strokes = [*two(0), *seven(58)]  # the 2's foot reaches 7 units under the 7, 13 from its stem
    assert digits_of(strokes) == [[0], [1]]


def test_a_narrow_one_inside_a_digits_extent_joins_it():
    strokes = [*zero(0), *one(25)]  # a 1 through the middle of a 0: one digit (a slashed 0)
    assert digits_of(strokes) == [[0, 1]]


def test_a_rising_line_of_smaller_and_larger_digits_still_splits_by_digit():
    strokes = [
        *one(0),
        *(s * 0.6 + (80, -40) for s in zero(0)),
        *(s * 1.3 + (150, -90) for s in seven(0)),
    ]
    assert digits_of(strokes) == [[0], [1], [2]]


def test_a_stray_speck_is_dropped_but_a_dot_inside_a_drawing_is_kept():
    stray = line((300, 90), (302, 91))
    eye = line((30, 40), (31, 40))
    strokes = [*zero(0), eye, *one(150), stray]
    assert digits_of(strokes) == [[0, 1], [2]]


def test_the_line_height_ignores_short_pieces():
    boxes = [Box(0, 0, 50, 100), Box(60, 0, 110, 90), Box(10, 48, 40, 52)]
    assert line_height(boxes) == 95


def test_nothing_drawn_has_no_groups():
    assert group([]) == []


def test_touching_strokes_are_found_where_pen_paths_cross_but_not_between_digits():
    strokes = [*four(0), *one(120)]
    assert touching_strokes(strokes) == {(0, 1)}


def test_box_as_xywh_covers_whole_pixels():
    assert Box(1.5, 2.2, 10.1, 20.0).as_xywh() == [1, 2, 10, 18]


@settings(max_examples=60, deadline=None)
@given(arrays(np.bool_, st.tuples(st.integers(1, 30), st.integers(1, 30))))
def test_components_match_scipy_on_any_image(mask):
    found = components(mask)
    expected, count = ndimage.label(mask, structure=np.ones((3, 3)))
    assert len(found.boxes) == count
    # the same partition of the ink, whatever the numbering
    pairs = {(int(a), int(b)) for a, b in zip(found.labels[mask], expected[mask], strict=True)}
    assert len(pairs) == count
    for label, box in enumerate(found.boxes, 1):
        rows, cols = np.nonzero(found.labels == label)
        assert (box.left, box.top, box.right, box.bottom) == (
            cols.min(),
            rows.min(),
            cols.max() + 1,
            rows.max() + 1,
        )
        assert found.areas[label - 1] == rows.size


def test_a_frame_around_the_writing_is_dropped_but_a_zero_is_not():
    mask = np.zeros((100, 160), dtype=bool)
    mask[5:95, 5:8] = mask[5:95, 152:155] = mask[5:8, 5:155] = mask[92:95, 5:155] = True
    mask[30:70, 40:44] = True  # a 1 inside the frame
    ring = np.hypot(*np.mgrid[-20:21, -20:21])
    mask[30:71, 90:131] = (ring > 15) & (ring < 20)  # a 0 beside it
    found = components(mask)
    kept = without_frames(found)
    assert len(found.boxes) == 3
    assert sorted(found.boxes[i].width for i in kept) == [4, 39]


@pytest.mark.parametrize("side", [1, 2, 5])
def test_a_single_piece_is_one_digit_whatever_its_size(side):
    assert group([Box(0, 0, side, side)]) == [[0]]


def _strokes_over(rng: np.random.Generator, count: int, width: float) -> list[np.ndarray]:
    """Random three-point strokes, 20-100 units long, scattered over a strip `width` wide."""
    starts = rng.uniform((0, 0), (width, 100), (count, 1, 2))
    return list(starts + rng.uniform(-50, 50, (count, 3, 2)))


def _touching_by_brute_force(strokes: list[np.ndarray]) -> list[list[int]]:
    """Strokes joined along every pair within reach, all pairs compared point by point."""
    reach = TOUCH * line_height(stroke_boxes(strokes))
    dense = [_densified(stroke, reach) for stroke in strokes]
    label = list(range(len(strokes)))
    for a in range(len(strokes)):
        for b in range(a + 1, len(strokes)):
            gaps = np.linalg.norm(dense[a][:, None] - dense[b][None], axis=2)
            if gaps.min() <= reach:
                old = label[b]
                label = [label[a] if x == old else x for x in label]
    return sorted(sorted(i for i in range(len(strokes)) if label[i] == x) for x in set(label))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 25))
def test_touching_strokes_join_exactly_the_strokes_that_meet(seed, count):
    strokes = _strokes_over(np.random.default_rng(seed), count, 600)
    pairs = touching_strokes(strokes)
    joined = {i: {i} for i in range(len(strokes))}
    for a, b in pairs:
        merged = joined[a] | joined[b]
        for i in merged:
            joined[i] = merged
    assert sorted(sorted(s) for s in {frozenset(s) for s in joined.values()}) == (
        _touching_by_brute_force(strokes)
    )


def test_densified_strokes_keep_their_points_and_leave_no_gap_wider_than_asked():
    stroke = line((0, 0), (10, 0), (10, 35))
    dense = _densified(stroke, 4)
    steps = np.linalg.norm(np.diff(dense, axis=0), axis=1)
    assert steps.max() <= 4 and len(dense) == 1 + 3 + 9
    for point in stroke:
        assert np.linalg.norm(dense - point, axis=1).min() < 1e-9


def test_a_canvas_covered_in_strokes_is_joined_with_one_pair_per_stroke():
    """Strokes already joined through others are not compared again: 400 crossing strokes give
    the 399 pairs that join them, not the tens of thousands that touch."""
    strokes = _strokes_over(np.random.default_rng(0), 400, 100)
    assert len(touching_strokes(strokes)) == 399
