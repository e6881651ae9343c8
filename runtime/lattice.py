"""Segmentation by recognition: the reading of a whole line, chosen among a few segmentations.

Geometry alone (`runtime.segment`) decides wrongly where ink misleads: a 4 whose strokes do not
meet becomes two parts, two digits whose ink touches become one. So the line is taken as a row
of atoms, left to right: each part that geometry found, except that a part wide enough to hold
two digits is broken into smaller atoms (its strokes in left-to-right order, or its ink cut at
its thinnest columns). A candidate digit is a run of up to MAX_ATOMS neighbouring atoms; every
candidate is read (the reader reads them all in one batch per model), and a dynamic program
picks the candidates that cover the line with the best total score, as check readers have long
done (LeCun et al. 1998, segmentation by recognition):

- a candidate scores the log-probability of its likeliest class: a digit, or, for a part as
  geometry found it, "not a digit" less NOT_DIGIT_COST (a line of digits is not read as letters
  to save a merge, and a piece cut off a digit is no letter);
- joining atoms of two parts costs MERGE_COST, cutting a part between its atoms SPLIT_COST, so
  geometry's answer stands unless the readings say clearly otherwise;
- a candidate of atoms from several parts, or part of one, is tried only up to MAX_WIDTH of the
  line height wide, and any candidate wider than WIDE costs WIDE_COST per line height beyond:
  digits are about as wide as they are tall, and the model cannot tell (it sees every digit
  scaled to the same box).

The costs were chosen on numbers composed from the validation writers' digits, with validation
letters among some (`scripts/choose_line_costs.py`), never the test writers'. Where the choice
was flat (MERGE_COST anywhere from 0.05 to 0.25), the value that joins a digit's pieces most
readily was taken: at 0.25, four 4s of writers 1-30 whose strokes do not meet were read "11".
NOT_DIGIT_COST is 1 where the validation numbers preferred 0.25 by 0.14 points: at 0.25, two
such 4s are read "?1" (the L "not a digit"), the very error joining parts is for.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from runtime.segment import Box, span_of

MAX_ATOMS = 3  # a digit is made of at most this many atoms
MAX_WIDTH = 1.1  # of the line height: the widest candidate made of parts' pieces
SPLIT_WIDTH = 0.9  # of the line height: a part at least this wide may hold two digits...
CUT_OVERLAP = 0.1  # ...cut where its pieces to the left and right overlap by at most this
MERGE_COST = 0.05  # in log-probability: for joining atoms of two parts into one digit
SPLIT_COST = 0.7  # ...for cutting a part between two of its atoms
NOT_DIGIT_COST = 1.0  # ...for reading a candidate as "not a digit"
WIDE = 0.7  # of the line height: wider candidates cost...
WIDE_COST = 1.5  # ...this much per line height beyond
FLOOR = 1e-9  # no class is taken as impossible
SKIP_COST = 50.0  # for leaving out an atom no candidate reads (far more than any reading)


@dataclass(frozen=True)
class Atom:
    """The smallest piece of a line a digit is made of: where it is, and the part it is from."""

    span: Box
    part: int


def side_by_side(boxes: Sequence[Box], height: float) -> list[list[int]]:
    """A wide part's pieces (their boxes) as atoms: the pieces in order of their middles, cut
    wherever those to the left and those to the right overlap across by at most CUT_OVERLAP of
    the line height (two touching digits do not; a smiley's eyes and face do)."""
    order = sorted(range(len(boxes)), key=lambda i: boxes[i].left + boxes[i].right)
    atoms, current, reach = [], [], -math.inf
    for position, index in enumerate(order):
        if current and reach - min(boxes[i].left for i in order[position:]) <= CUT_OVERLAP * height:
            atoms.append(current)
            current = []
        current.append(index)
        reach = max(reach, boxes[index].right)
    return [*atoms, current]


def candidates(atoms: Sequence[Atom], height: float) -> list[tuple[int, int]]:
    """The runs of atoms [start, end) worth reading as one digit, left to right: every atom,
    every part as geometry found it, and runs up to MAX_WIDTH of the line height wide."""
    runs = []
    for start in range(len(atoms)):
        for end in range(start + 1, min(start + MAX_ATOMS, len(atoms)) + 1):
            if (
                end == start + 1
                or _whole_part(atoms, start, end)
                or (
                    span_of([a.span for a in atoms[start:end]], range(end - start)).width
                    <= MAX_WIDTH * height
                )
            ):
                runs.append((start, end))
    return runs


def best_path(
    atoms: Sequence[Atom], scores: dict[tuple[int, int], float], height: float
) -> list[tuple[int, int]]:
    """The runs (keys of `scores`, each with its score) that cover the atoms left to right with
    the best total score, less the costs of merging parts, cutting them and width. An atom that
    could not be read alone (its ink vanished at the model's size) is left out, at SKIP_COST."""
    edges: dict[tuple[int, int], float | None] = dict(scores)
    for index in range(len(atoms)):
        edges.setdefault((index, index + 1), None)
    best = [0.0] + [-math.inf] * len(atoms)
    came_from: list[tuple[int, int]] = [(0, 0)] * (len(atoms) + 1)
    for (start, end), score in sorted(edges.items(), key=lambda item: item[0][1]):
        gain = -SKIP_COST if score is None else score - _costs(atoms, start, end, height)
        if best[start] + gain > best[end]:
            best[end], came_from[end] = best[start] + gain, (start, end)
    path, end = [], len(atoms)
    while end > 0:
        run = came_from[end]
        if scores.get(run) is not None:
            path.append(run)
        end = run[0]
    return path[::-1]


def score(digit_chances: Sequence[float], not_digit: float | None, whole: bool = True) -> float:
    """A candidate's score from the chances of its classes (the ten digits as if it were one,
    and the chance that it is none). Only a `whole` part, as geometry found it, may be read as
    "not a digit": a piece cut off a part or parts joined are a digit or nothing."""
    none = 0.0 if not_digit is None else not_digit
    digit = math.log(max((1 - none) * max(digit_chances), FLOOR))
    if not_digit is None or not whole:
        return digit
    return max(digit, math.log(max(none, FLOOR)) - NOT_DIGIT_COST)


def whole_part(atoms: Sequence[Atom], run: tuple[int, int]) -> bool:
    """Whether the run of atoms is exactly one part, as geometry found it."""
    return _whole_part(atoms, *run)


def _costs(atoms: Sequence[Atom], start: int, end: int, height: float) -> float:
    parts = {atom.part for atom in atoms[start:end]}
    cut = start > 0 and atoms[start - 1].part == atoms[start].part
    width = span_of([a.span for a in atoms[start:end]], range(end - start)).width
    wide = WIDE_COST * max(0.0, width / height - WIDE)
    return MERGE_COST * (len(parts) - 1) + (SPLIT_COST if cut else 0.0) + wide


def _whole_part(atoms: Sequence[Atom], start: int, end: int) -> bool:
    """Whether atoms [start, end) are exactly one part, as geometry found it."""
    part = atoms[start].part
    inside = all(atom.part == part for atom in atoms[start:end])
    before = start > 0 and atoms[start - 1].part == part
    after = end < len(atoms) and atoms[end].part == part
    return inside and not before and not after
