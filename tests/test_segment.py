"""Segmentation: strokes and ink pieces grouped into digits, left to right; strokes joined by
touching as they come and go (`runtime.writing`)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import ndimage

from runtime.segment import (
    Box,
    _densified,
    components,
    group,
    line_height,
    reach,
    span_of,
    stroke_box,
    strokes_touch,
    without_frames,
)
from runtime.writing import Writing


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


def halves_of_zero(left: float, gap: float = 0) -> list[np.ndarray]:
    """A 0 drawn as two strokes, left half then right half, meeting top and bottom (or `gap`
    apart): their extents do not overlap, only their touching makes them one digit."""
    left_half = np.linspace(np.pi / 2, 3 * np.pi / 2, 15)
    right_half = np.linspace(-np.pi / 2, np.pi / 2, 15)
    return [
        np.stack([left + shift + 30 + 30 * np.cos(t), 50 + 50 * np.sin(t)], axis=1)
        for t, shift in ((left_half, 0), (right_half, gap))
    ]


def written(strokes: list[np.ndarray]) -> Writing:
    writing = Writing()
    for stroke in strokes:
        writing.add(stroke)
    return writing


def digits_of(strokes: list[np.ndarray]) -> list[list[int]]:
    return [list(part.members) for part in written(strokes).parts()]


def touching(strokes: list[np.ndarray]) -> list[list[int]]:
    """The strokes joined by touching, as sorted lists."""
    return sorted(sorted(c.members) for c in written(strokes).clusters.values())


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


def test_a_zero_drawn_in_two_halves_that_meet_is_one_digit():
    assert digits_of(halves_of_zero(0)) == [[0, 1]]
    assert digits_of([*one(0), *halves_of_zero(100)]) == [[0], [1, 2]]


def test_a_dot_touching_a_digits_outline_stays_with_it():
    dot = line((59, 50), (60, 50))  # on the 0's rightmost point
    assert digits_of([*zero(0), dot]) == [[0, 1]]


def test_pieces_of_a_digit_that_do_not_touch_join_by_their_overlap():
    """An image's 8 broken in two pieces, one above the other, after a 0."""
    pieces = [Box(0, 0, 60, 100), Box(100, 0, 160, 45), Box(100, 55, 160, 100)]
    assert group(pieces) == [[0], [1, 2]]


@pytest.mark.parametrize("side", [1, -1], ids=["right", "left"])
def test_a_stem_written_apart_just_beside_its_body_joins_it(side):
    """A thin stem counts as MIN_WIDTH of the line wide, so one written just outside its
    digit's extent (a 4's stem beside its open L) still overlaps it enough."""
    body = Box(0, 0, 45, 65)
    stem = Box(46, 20, 48, 100)
    if side < 0:  # mirrored
        body, stem = (Box(-b.right, b.top, -b.left, b.bottom) for b in (body, stem))
    assert group([body, stem]) == [[0, 1]]
    assert group([stem, body]) == [[0, 1]]


def test_a_one_just_beside_a_zero_stays_apart_on_either_side():
    zero, after, before = Box(100, 0, 160, 100), Box(165, 0, 167, 100), Box(93, 0, 95, 100)
    assert group([zero, after, before]) == [[2], [0], [1]]


def test_pieces_overlapping_by_exactly_overlap_of_the_narrower_are_one_digit():
    assert group([Box(0, 0, 60, 80), Box(53, 0, 73, 80)]) == [[0, 1]]  # 7 of 20 = OVERLAP
    assert group([Box(0, 0, 60, 80), Box(54, 0, 74, 80)]) == [[0], [1]]


def test_pieces_stacked_at_most_half_a_line_apart_are_one_digit():
    assert group([Box(0, 0, 60, 100), Box(0, 150, 60, 250)]) == [[0, 1]]
    assert group([Box(0, 0, 60, 100), Box(0, 151, 60, 251)]) == [[0], [1]]


@pytest.mark.parametrize(
    "mark",
    [Box(85, 10, 115, 15), Box(-55, 10, -25, 15), Box(55, -30, 85, -25), Box(55, 125, 85, 130)],
    ids=["right", "left", "above", "below"],
)
def test_a_short_mark_attach_of_the_line_from_a_digit_joins_it(mark):
    """A 5's flag or a 7's bar drawn apart: short, overlapping nothing, exactly ATTACH (25 of
    100) away."""
    assert group([Box(0, 0, 60, 100), mark]) == [[0, 1]]


def test_short_marks_further_from_every_digit_stay_apart():
    marks = [Box(100, 50, 130, 52), Box(-70, 50, -40, 52), Box(0, -80, 30, -78)]
    under = Box(35, 178, 65, 180)
    assert group([Box(0, 0, 60, 100), *marks, under]) == [[2], [3], [0], [4], [1]]


def test_a_mark_as_tall_as_short_of_the_line_is_not_attached():
    assert group([Box(0, 0, 60, 100), Box(85, 30, 115, 70)]) == [[0], [1]]  # 40 of 100


def test_a_piece_exactly_speck_of_the_line_is_not_a_speck():
    assert group([Box(0, 0, 60, 100), Box(200, 50, 212, 52)]) == [[0], [1]]  # 12 of 100


def test_a_box_contains_the_boxes_on_its_edges():
    assert Box(0, 0, 10, 10).contains(Box(0, 0, 10, 10))
    assert not Box(0, 0, 10, 10).contains(Box(0, 0, 10, 11))


def test_a_digits_box_covers_all_its_pieces():
    pieces = [Box(0, 0, 10, 10), Box(5, 5, 40, 50), Box(2, 2, 8, 8)]
    assert span_of(pieces, [0, 1, 2]) == Box(0, 0, 40, 50)


def test_the_line_height_ignores_short_pieces():
    assert line_height([100, 90, 4]) == 95


@pytest.mark.parametrize(
    ("boxes", "height"),
    [
        ([Box(0, 0, 10, 100), Box(20, 0, 30, 50)], 75),  # half the tallest still counts
        ([Box(0, 0, 0.3, 0.5)], 0.5),  # tiny units: its own height
        ([Box(0, 50, 60, 50), Box(100, 50, 130, 50)], 60),  # all flat: the widest piece
        ([Box(5, 5, 5, 5)], 1.0),  # a single dot: one unit
    ],
    ids=["half", "tiny", "flat", "dot"],
)
def test_the_line_height_is_the_writings_own(boxes, height):
    assert line_height([b.height for b in boxes], [b.width for b in boxes]) == height


def test_nothing_drawn_has_no_groups():
    assert group([]) == []


def test_touching_strokes_are_found_where_pen_paths_cross_but_not_between_digits():
    assert touching([*four(0), *one(120)]) == [[0, 1], [2]]


@pytest.mark.parametrize("scale", [1, 0.01])
def test_strokes_that_nearly_meet_touch_at_any_scale(scale):
    """A 0 in halves 5 apart (TOUCH of these 100-tall strokes is 10) and an 8 in two 50-tall
    loops 4 apart (TOUCH of them is 5), written 100 tall or 1 tall."""
    t = np.linspace(0, 2 * np.pi, 30)
    top, bottom = (np.stack([130 + 25 * np.cos(t), y + 25 * np.sin(t)], axis=1) for y in (25, 79))
    strokes = [*halves_of_zero(0, gap=5), top, bottom]
    assert touching([s * scale for s in strokes]) == [[0, 1], [2, 3]]


def test_strokes_exactly_touch_of_the_taller_apart_touch():
    tall, short = line((0, 0), (0, 100)), line((10, 0), (10, 50))  # TOUCH of 100
    assert strokes_touch(tall, short, reach(100, 50))
    assert not strokes_touch(tall, short + np.array([0.01, 0]), reach(100, 50))
    assert touching([tall, short]) == [[0, 1]]


def test_a_stroke_touching_one_already_joined_through_others_is_joined_too():
    """A # and a tick on its top bar: the top bar meets the stems already joined to the
    bottom bar, and the tick after them."""
    strokes = [
        line((0, 50), (100, 50)),
        line((0, 20), (100, 20)),
        line((30, 0), (30, 100)),
        line((60, 0), (60, 100)),
        line((90, 20), (90, 5)),
    ]
    assert touching(strokes) == [[0, 1, 2, 3, 4]]


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


@pytest.mark.parametrize("mask", [[[0, 1], [1, 0]], [[1, 0], [0, 1]]], ids=["rising", "falling"])
def test_pixels_meeting_only_at_a_corner_are_one_piece(mask):
    assert len(components(np.array(mask, dtype=bool)).boxes) == 1


def test_a_piece_half_inked_around_another_is_not_a_frame():
    """Only a piece with less than FRAME_FILL of its box inked is a frame: this open square
    inks 18 of its 36 pixels."""
    mask = np.zeros((8, 8), dtype=bool)
    mask[1:7, 1] = mask[1:7, 6] = mask[6, 1:7] = True
    mask[1, 2] = mask[1, 5] = True
    mask[3, 3] = True  # a dot inside
    found = components(mask)
    assert found.areas.tolist() == [18, 1]
    assert without_frames(found) == [0, 1]


@pytest.mark.parametrize(("piece", "frame"), [(12, True), (11, False)])
def test_a_frame_holds_pieces_of_at_least_speck_of_its_side(piece, frame):
    """A hollow 100 px square around a piece 12 px long (SPECK of its side) is a frame; around
    an 11 px piece, a speck, it is writing."""
    mask = np.zeros((104, 104), dtype=bool)
    mask[2, 2:102] = mask[101, 2:102] = mask[2:102, 2] = mask[2:102, 101] = True
    mask[50, 40 : 40 + piece] = True
    found = components(mask)
    assert [box.width for box in found.boxes] == [100, piece]
    assert without_frames(found) == ([1] if frame else [0, 1])


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


def test_a_thin_digit_around_a_pen_tap_is_not_a_frame():
    """A fine pen's 3 (two bowls open to the left, little of its box inked) with a tap of the
    pen inside its box: the tap is a speck, not writing the 3 frames, so the 3 is read."""
    mask = np.zeros((100, 60), dtype=bool)
    mask[2:4, 5:55] = mask[48:50, 20:55] = mask[96:98, 5:55] = True
    mask[2:98, 53:55] = True
    mask[60:62, 30:32] = True  # the tap, inside the lower bowl
    found = components(mask)
    assert len(found.boxes) == 2 and without_frames(found) == [0, 1]
    assert group(found.boxes) == [[0, 1]]  # one digit, the tap inside it as a smiley's eye


@pytest.mark.parametrize("side", [1, 2, 5])
def test_a_single_piece_is_one_digit_whatever_its_size(side):
    assert group([Box(0, 0, side, side)]) == [[0]]


def _strokes_over(rng: np.random.Generator, count: int, width: float) -> list[np.ndarray]:
    """Random three-point strokes, 20-100 units long, scattered over a strip `width` wide."""
    starts = rng.uniform((0, 0), (width, 100), (count, 1, 2))
    return list(starts + rng.uniform(-50, 50, (count, 3, 2)))


def _touching_by_brute_force(strokes: list[np.ndarray]) -> list[list[int]]:
    """Strokes joined along every pair within reach, all pairs compared point by point."""
    heights = [stroke_box(stroke).height for stroke in strokes]
    label = list(range(len(strokes)))
    for a in range(len(strokes)):
        for b in range(a + 1, len(strokes)):
            within = reach(heights[a], heights[b])
            dense_a, dense_b = _densified(strokes[a], within), _densified(strokes[b], within)
            gaps = np.linalg.norm(dense_a[:, None] - dense_b[None], axis=2)
            if gaps.min() <= within:
                old = label[b]
                label = [label[a] if x == old else x for x in label]
    return sorted(sorted(i for i in range(len(strokes)) if label[i] == x) for x in set(label))


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 25))
def test_touching_strokes_join_exactly_the_strokes_that_meet(seed, count):
    strokes = _strokes_over(np.random.default_rng(seed), count, 600)
    assert touching(strokes) == _touching_by_brute_force(strokes)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 14))
def test_strokes_join_alike_in_any_order_and_after_any_undo(seed, count):
    """The writing after strokes come and go is the writing of the strokes that remain."""
    rng = np.random.default_rng(seed)
    strokes = _strokes_over(rng, count, 300)
    writing = written(strokes)
    for _ in range(int(rng.integers(1, count))):
        writing.pop()
    kept = strokes[: len(writing)]
    assert sorted(map(sorted, (c.members for c in writing.clusters.values()))) == touching(kept)
    assert [p.members for p in writing.parts()] == [p.members for p in written(kept).parts()]
    order = rng.permutation(len(kept))
    shuffled = touching([kept[i] for i in order])
    assert sorted(sorted(int(order[i]) for i in group) for group in shuffled) == touching(kept)


@pytest.mark.parametrize("scale", [1, 0.01])
def test_densified_strokes_keep_their_points_and_leave_no_gap_wider_than_asked(scale):
    stroke = line((100, 0), (90, 0), (90, 35), (92, 35)) * scale
    dense = _densified(stroke, 4 * scale)
    steps = np.linalg.norm(np.diff(dense, axis=0), axis=1)
    assert steps.max() <= 4 * scale and len(dense) == 1 + 3 + 9 + 1  # none added to the last
    for point in stroke:
        assert np.linalg.norm(dense - point, axis=1).min() < 1e-9


def test_strokes_in_unsigned_whole_pixels_densify_like_float_ones():
    stroke = line((10, 0), (2, 0), (2, 9))
    assert np.array_equal(_densified(stroke.astype(np.uint8), 4), _densified(stroke, 4))


def test_a_canvas_covered_in_strokes_is_one_cluster_compared_near_the_new_stroke_only(
    monkeypatch,
):
    """400 crossing strokes join into one cluster, and a stroke joins a cluster at its first
    touch: a comparison or so per stroke, not one per pair."""
    from runtime import segment

    compared = []
    real = segment.strokes_touch
    monkeypatch.setattr(segment, "strokes_touch", lambda *a: compared.append(1) or real(*a))
    writing = written(_strokes_over(np.random.default_rng(0), 400, 100))
    assert len(writing.clusters) == 1
    assert len(compared) < 2 * 400


@pytest.mark.parametrize("flip", [(), (0,), (1,), (0, 1)], ids=["tr", "br", "tl", "bl"])
def test_a_frame_with_one_corner_left_open_is_no_frame(flip):
    from runtime import segment

    frame = np.zeros((60, 100), bool)
    frame[:3, :] = frame[-3:, :] = frame[:, :3] = frame[:, -3:] = True
    box = Box(0, 0, 100, 60)
    assert segment._cornered(np.flip(frame, flip), box)
    frame[:20, 60:] = False  # the top right corner, 40% of the width and a third of the height
    assert not segment._cornered(np.flip(frame, flip), box)


def test_near_is_the_stretch_of_a_path_that_reaches_the_other_s_extent():
    from runtime.segment import _near

    path = np.array([[10.0 * i, 0.0] for i in range(6)])  # 0 to 50 along the x axis
    other = np.array([[18.0, -2.0], [22.0, 40.0]])  # spans x 18-22 (and far up in y)
    np.testing.assert_array_equal(_near(path, other, 1.0), path[1:4])  # the segments 10-20-30
    assert len(_near(path + np.array([0.0, 50.0]), other, 1.0)) == 0  # beyond its extent in y
    np.testing.assert_array_equal(_near(np.array([[20.0, 0.0]]), other, 1.0), [[20.0, 0.0]])
    assert len(_near(np.array([[90.0, 0.0]]), other, 1.0)) == 0  # a dot far away


def test_a_ring_drawn_round_a_digit_is_kept_it_is_no_frame():
    mask = np.zeros((104, 104), dtype=bool)
    ring = np.hypot(*np.mgrid[-50:51, -50:51])
    mask[1:102, 1:102] = (ring > 47) & (ring <= 50)  # a circle, no ink near its box's corners
    mask[30:70, 50:54] = True  # a 1 inside it
    assert without_frames(components(mask)) == [0, 1]
