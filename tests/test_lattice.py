"""Segmentation by recognition: the line's reading chosen among a few segmentations."""

import math

from runtime import lattice
from runtime.lattice import Atom, best_path, candidates, score, side_by_side, whole_part
from runtime.segment import Box

HEIGHT = 100.0


def atoms(*spans_and_parts) -> list[Atom]:
    return [Atom(Box(left, 0, right, 100), part) for left, right, part in spans_and_parts]


def test_geometry_stands_when_its_parts_read_as_confident_digits():
    row = atoms((0, 60, 0), (80, 140, 1))
    scores = {(0, 1): score([0.99] + [0.0] * 9, 0.0), (1, 2): score([0.98] + [0.0] * 9, 0.0)}
    scores[(0, 2)] = score([0.999] + [0.0] * 9, 0.0)  # joined, it reads even better...
    assert best_path(row, scores, HEIGHT) == [(0, 1), (1, 2)]  # ...but not by MERGE_COST


def test_two_parts_that_read_poorly_alone_are_one_digit_when_joined_they_read_well():
    """A 4 whose strokes do not meet: an L read as a poor 2 and a stem read as a 1."""
    row = atoms((0, 45, 0), (40, 60, 1))
    scores = {
        (0, 1): score([0.3] + [0.7 / 9] * 9, 0.2),
        (1, 2): score([0.9] + [0.0] * 9, 0.05),
        (0, 2): score([0.99] + [0.0] * 9, 0.01),
    }
    assert best_path(row, scores, HEIGHT) == [(0, 2)]


def test_a_wide_part_is_cut_where_its_halves_read_as_digits():
    row = atoms((0, 60, 0), (60, 120, 0))  # one part, two atoms: 1.2 line heights wide
    wide = score([0.6] + [0.0] * 9, 0.1)
    halves = score([0.99] + [0.0] * 9, 0.0)
    assert best_path(row, {(0, 2): wide, (0, 1): halves, (1, 2): halves}, HEIGHT) == [
        (0, 1),
        (1, 2),
    ]


def test_runs_too_wide_to_be_one_digit_are_not_tried_but_whole_parts_always_are():
    row = atoms((0, 70, 0), (75, 150, 1), (150, 200, 1))
    runs = candidates(row, HEIGHT)
    assert (0, 2) not in runs and (0, 3) not in runs  # 1.5 and 2 line heights
    assert (1, 3) in runs and all((i, i + 1) in runs for i in range(3))


def test_an_atom_no_candidate_reads_is_left_out():
    row = atoms((0, 60, 0), (80, 90, 1), (100, 160, 2))
    scores = {(0, 1): 0.0, (2, 3): 0.0}
    assert best_path(row, scores, HEIGHT) == [(0, 1), (2, 3)]


def test_not_a_digit_scores_its_chance_less_its_cost():
    assert score([1.0] + [0.0] * 9, 1.0) == math.log(1.0) - lattice.NOT_DIGIT_COST
    assert score([0.5, 0.5] + [0.0] * 8, None) == math.log(0.5)


def test_pieces_overlapping_across_stay_together_side_by_side_ones_are_cut():
    face, eye, smile = Box(0, 0, 100, 100), Box(30, 30, 35, 35), Box(25, 60, 75, 80)
    assert len(side_by_side([face, eye, smile], HEIGHT)) == 1
    three, eight = Box(0, 0, 50, 100), Box(48, 0, 100, 100)  # touching, barely overlapping
    assert side_by_side([eight, three], HEIGHT) == [[1], [0]]


def test_pieces_are_cut_where_they_overlap_by_exactly_the_allowed_amount_not_more():
    left, right = Box(0, 0, 60, 100), Box(50, 0, 100, 100)  # overlap 10 = CUT_OVERLAP of 100
    assert side_by_side([left, right], HEIGHT) == [[0], [1]]
    assert side_by_side([Box(0, 0, 61, 100), right], HEIGHT) == [[0, 1]]


def test_a_single_atom_is_read_however_wide_it_is():
    row = atoms((0, 120, 0), (120, 240, 1))
    assert candidates(row, HEIGHT) == [(0, 1), (1, 2)]
    halves = atoms((0, 120, 0), (120, 240, 0))  # pieces of one part, each too wide for a digit
    assert candidates(halves, HEIGHT) == [(0, 1), (0, 2), (1, 2)]


def test_a_run_exactly_the_widest_allowed_is_tried_a_wider_one_is_not():
    assert (0, 2) in candidates(atoms((0, 50, 0), (60, lattice.MAX_WIDTH * HEIGHT, 1)), HEIGHT)
    assert (0, 2) not in candidates(atoms((0, 50, 0), (60, 111, 1)), HEIGHT)


def test_atoms_unread_alone_stay_in_the_reading_of_the_run_that_covers_them():
    row = atoms((0, 30, 0), (30, 60, 0))
    assert best_path(row, {(0, 2): -1.0}, HEIGHT) == [(0, 2)]


def test_a_piece_of_a_part_is_never_read_as_not_a_digit():
    chances = [0.2] + [0.0] * 9
    assert math.isclose(score(chances, 0.9, whole=False), math.log(0.1 * 0.2))
    assert score(chances, 0.9) == math.log(0.9) - lattice.NOT_DIGIT_COST


def test_costs_are_for_cutting_into_a_part_merging_parts_and_width():
    one_part = atoms((0, 30, 0), (30, 60, 0))
    assert lattice._costs(one_part, 0, 1, HEIGHT) == 0.0  # the line's first atom cuts nothing
    assert lattice._costs(one_part, 1, 2, HEIGHT) == lattice.SPLIT_COST
    after_a_part = atoms((0, 20, 0), (20, 40, 1), (40, 60, 1))
    assert lattice._costs(after_a_part, 2, 3, HEIGHT) == lattice.SPLIT_COST
    three = atoms((0, 20, 0), (20, 40, 1), (40, 60, 2))
    assert math.isclose(lattice._costs(three, 0, 3, HEIGHT), 2 * lattice.MERGE_COST)
    wide = atoms((0, 90, 0))
    assert math.isclose(
        lattice._costs(wide, 0, 1, HEIGHT), lattice.WIDE_COST * (0.9 - lattice.WIDE)
    )


def test_a_run_is_a_whole_part_only_when_no_atom_of_its_part_is_outside_it():
    row = atoms((0, 30, 0), (30, 60, 0), (70, 100, 1))
    assert not whole_part(row, (0, 1)) and not whole_part(row, (1, 2))
    assert whole_part(row, (0, 2)) and whole_part(row, (2, 3))
    assert not whole_part(row, (1, 3))
