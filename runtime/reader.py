"""Reading a drawing: strokes or an ink image -> the digits it holds, left to right, and the number.

The one path from a drawing to an answer, used by the pad and the predict CLI alike. Strokes are
kept clustered by a `runtime.writing.Writing` and grouped into digits (`runtime.segment`); each
digit becomes the models' inputs exactly as a single digit always was (`runtime.canvas.
render_strokes` and `runtime.trajectory` for strokes, `runtime.preprocess` for images), and all
digits are read in one batched call per model (`runtime.engine`). `Reading.as_json` is the JSON
contract both tools print.

The reader remembers the inputs and the models' raw outputs of the digits it read, by their
strokes' content, so a digit whose strokes did not change is neither drawn nor read again however
the writing around it changes; it forgets the oldest beyond CACHE_SIZE.
"""

import itertools
import time
from collections import OrderedDict
from dataclasses import dataclass, replace

import numpy as np

from runtime import lattice, preprocess, segment, trajectory
from runtime.canvas import render_strokes
from runtime.engine import Engine, Prediction, Readout
from runtime.profile import Profile
from runtime.rejection import rejects_in_a_line
from runtime.writing import Writing

NOT_A_DIGIT_MARK = "?"  # stands in the number for a part that is not a digit
# No digit is written with more strokes than this: a group of more is a scribble, rejected
# without being drawn or read, so a canvas covered in strokes costs no more to read than a digit.
MAX_DIGIT_STROKES = 24
CACHE_SIZE = 512  # digits whose inputs and outputs are remembered
CUTS_PER_PROFILE = 2  # where a wide piece of ink is tried cut: the lowest minima of each profile
BLANK = np.zeros((preprocess.IMAGE_SIZE,) * 2, np.float32)  # what a scribble shows


@dataclass(frozen=True)
class DigitReading:
    """One digit of a drawing: where it is, what the model saw and what it read."""

    box: segment.Box
    image: np.ndarray  # the 28x28 model input
    prediction: Prediction
    pieces: tuple[int, ...]  # the strokes (or ink components) it is made of


@dataclass(frozen=True)
class Reading:
    digits: list[DigitReading]  # left to right; empty for a blank drawing
    line_height: float | None  # the height of a digit in this writing, in its units
    ms: float  # segmentation, preprocessing and inference

    @property
    def number(self) -> str | None:
        """The digits as a string, "?" for a part that is not a digit; None when blank."""
        if not self.digits:
            return None
        return "".join(
            NOT_A_DIGIT_MARK if d.prediction.rejected else str(d.prediction.digit)
            for d in self.digits
        )

    @property
    def single(self) -> Prediction | None:
        """The prediction when the drawing holds exactly one digit."""
        return self.digits[0].prediction if len(self.digits) == 1 else None

    def as_json(self) -> dict:
        """The answer every tool prints: `digit`, `confidence`, `unsure` and `probabilities`
        describe a drawing of one digit (null otherwise, and `digit` null when it is not a
        digit, with `"rejected": true`); `number` and `digits` describe any drawing."""
        single = self.single
        answer: dict = {"digit": None, "confidence": None, "unsure": None, "probabilities": None}
        if single is not None:
            answer = {
                "digit": single.answer,
                **({"rejected": True} if single.rejected else {}),
                "confidence": round(single.confidence, 4),
                "unsure": _unsure(single),
                "probabilities": [round(p, 4) for p in single.probabilities],
            }
        answer["number"] = self.number
        answer["digits"] = [
            {
                "digit": d.prediction.answer,
                **({"rejected": True} if d.prediction.rejected else {}),
                "confidence": round(d.prediction.confidence, 4),
                "unsure": _unsure(d.prediction),
                "box": d.box.as_xywh(),
            }
            for d in self.digits
        ]
        return answer


@dataclass(frozen=True)
class _Read:
    """What the reader remembers of a digit: the models' inputs and their raw outputs."""

    image: np.ndarray
    trajectory: np.ndarray | None
    readout: Readout


class Reader:
    """Reads drawings with an engine, remembering what it read (see the module doc)."""

    def __init__(self, engine: Engine, profile: Profile | None = None, cache_size=CACHE_SIZE):
        self.engine = engine
        self.profile = profile  # a writer's profile the readings are tilted by, if any
        self.cache_size = cache_size
        self._cache: OrderedDict[bytes, _Read] = OrderedDict()

    def read_strokes(self, strokes: list[np.ndarray]) -> Reading:
        """Read pen strokes ((n, 2) arrays of x, y in any units, y down, in writing order)."""
        started = time.perf_counter()
        writing = Writing()
        for stroke in strokes:
            writing.add(stroke)
        return self.read(writing, started)

    def read(self, writing: Writing, started: float | None = None) -> Reading:
        """Read a writing kept by its owner (the pad), stroke by stroke: every candidate digit
        of the line read in one batch, the line's best reading chosen (`runtime.lattice`)."""
        started = time.perf_counter() if started is None else started
        height = writing.line_height
        atoms, members = _stroke_atoms(writing, height)
        scribbles = {i for i, m in enumerate(members) if len(m) > MAX_DIGIT_STROKES}
        runs = [
            run
            for run in lattice.candidates(atoms, height or 1.0)
            if not scribbles & set(range(*run)) or run[1] - run[0] == 1
        ]
        strokes_of = {
            run: tuple(sorted(i for a in range(*run) for i in members[a])) for run in runs
        }
        readable = [run for run in runs if run[0] not in scribbles]
        keys = {run: writing.key_of(strokes_of[run]) for run in readable}
        found = self._read_keys(
            {keys[run]: [writing.strokes[i] for i in strokes_of[run]] for run in readable}
        )
        decided = dict(
            zip(readable, self._decide([found[keys[run]] for run in readable]), strict=True)
        )
        decided |= {run: SCRIBBLE for run in runs if run not in decided}
        images = {run: found[keys[run]].image if run in keys else BLANK for run in runs}
        return self._reading(atoms, decided, images, strokes_of, height, started)

    def read_ink(self, ink: np.ndarray) -> Reading:
        """Read an ink image (0 = paper, 1 = ink, float, or uint8 0..255): its pieces grouped
        into digits, wide ones cut at their thinnest columns, the line's best reading chosen."""
        started = time.perf_counter()
        ink = np.asarray(ink)
        full = 255.0 if ink.dtype == np.uint8 else 1.0
        found = segment.components(ink > preprocess.INK_THRESHOLD * full)
        kept = segment.without_frames(found)
        groups = [
            [kept[i] for i in members] for members in segment.group([found.boxes[i] for i in kept])
        ]
        if not groups:
            return Reading([], None, _since(started))
        spans = [segment.span_of(found.boxes, g) for g in groups]
        height = segment.line_height([s.height for s in spans], [s.width for s in spans])
        atoms, columns = _ink_atoms(found, groups, spans, height)
        runs = lattice.candidates(atoms, height)
        images = {}
        for run in runs:
            image = _ink_image(ink, found, groups, atoms[run[0] : run[1]], columns[run[0] : run[1]])
            if image is not None:
                images[run] = image
        inked = list(images)
        batch = np.stack([images[run] for run in inked]) if inked else None
        predictions = [] if batch is None else self.engine.predict_batch(batch, None, self.profile)
        decided = dict(zip(inked, predictions, strict=True))
        pieces = {
            run: tuple(sorted({p for a in atoms[run[0] : run[1]] for p in groups[a.part]}))
            for run in inked
        }
        return self._reading(atoms, decided, images, pieces, height, started)

    def _reading(self, atoms, decided, images, pieces, height, started) -> Reading:
        """The line's best reading from its candidates' predictions."""
        scores = {
            run: 0.0
            if p is SCRIBBLE
            else lattice.score(p.probabilities, p.not_digit, lattice.whole_part(atoms, run))
            for run, p in decided.items()
        }
        path = lattice.best_path(atoms, scores, height or 1.0) if scores else []
        digits = [
            DigitReading(
                segment.span_of([a.span for a in atoms[run[0] : run[1]]], range(run[1] - run[0])),
                images[run],
                decided[run],
                pieces[run],
            )
            for run in path
        ]
        return Reading(_in_context(digits), height, _since(started))

    def _read_keys(self, drawings: dict[bytes, list[np.ndarray]]) -> dict[bytes, _Read]:
        """Each drawing's inputs and outputs, by its key: remembered ones as they were, the
        others drawn and read now, in one batched call per model."""
        found = {}
        for key in drawings:
            if key in self._cache:
                self._cache.move_to_end(key)
                found[key] = self._cache[key]
        missing = [key for key in drawings if key not in found]
        if missing:
            strokes = [drawings[key] for key in missing]
            images = np.stack([_image_of(drawing) for drawing in strokes])
            trajectories = trajectory.batch(strokes) if self.engine.stroke is not None else None
            readouts = self.engine.read(images, trajectories).split()
            for index, (key, readout) in enumerate(zip(missing, readouts, strict=True)):
                path = None if trajectories is None else trajectories[index]
                found[key] = self._cache[key] = _Read(images[index], path, readout)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return found

    def _decide(self, reads: list[_Read]) -> list[Prediction]:
        if not reads:
            return []
        return self.engine.decide(Readout.stacked([read.readout for read in reads]), self.profile)


def _stroke_atoms(writing: Writing, height: float | None):
    """The line's atoms and the strokes of each: a part, or a wide part's strokes one by one,
    left to right by their middles."""
    atoms, members = [], []
    for index, part in enumerate(writing.parts()):
        wide = height and part.span.width >= lattice.SPLIT_WIDTH * height
        pieces = [part.members]
        if wide and 1 < len(part.members) <= MAX_DIGIT_STROKES:
            pieces = lattice.side_by_side([writing.boxes[i] for i in part.members], height)
            pieces = [tuple(part.members[i] for i in piece) for piece in pieces]
        for piece in pieces:
            span = part.span if len(pieces) == 1 else segment.span_of(writing.boxes, piece)
            atoms.append(lattice.Atom(span, index))
            members.append(piece)
    return atoms, members


def _ink_atoms(found, groups, spans, height):
    """The image's atoms and the columns of each: a group of pieces, or a wide group cut at its
    thinnest columns into pieces a digit wide."""
    atoms, columns = [], []
    for index, (pieces, span) in enumerate(zip(groups, spans, strict=True)):
        cuts = []
        if span.width >= lattice.SPLIT_WIDTH * height:
            mask = _mask(found, pieces, span)
            holes = segment.components(~np.pad(mask, 1)).boxes[1:]  # the first is the outside
            cuts = [
                cut
                for cut in _cut_columns(mask, height)
                if not any(hole.left - 1 < cut < hole.right - 1 for hole in holes)
            ]
        edges = [int(span.left), *(int(span.left) + c for c in cuts), int(span.right)]
        for left, right in itertools.pairwise(edges):
            mask = _mask(found, pieces, span)[:, left - int(span.left) : right - int(span.left)]
            rows = np.flatnonzero(mask.any(axis=1))
            top = int(span.top) + (rows[0] if rows.size else 0)
            bottom = int(span.top) + (rows[-1] + 1 if rows.size else 0)
            atoms.append(lattice.Atom(segment.Box(left, top, right, bottom), index))
            columns.append((left, right))
    return atoms, columns


def _cut_columns(mask: np.ndarray, height: float) -> list[int]:
    """Where ink holding several digits side by side may be cut, for recognition to choose
    among (see `runtime.lattice`): in the middle of the piece, the columns with the least ink,
    and those where the ink is shortest from top to bottom (where two touching round digits
    meet: inside a ring a column crosses little ink but spans the ring); a few of each, at least
    a sixth of a line height apart. (The reader never cuts through a loop: that is one digit.)"""
    inked = mask.any(axis=0)
    rows = np.arange(mask.shape[0])[:, None]
    top = np.where(mask, rows, mask.shape[0]).min(axis=0)
    bottom = np.where(mask, rows, -1).max(axis=0)
    extent = np.where(inked, bottom - top + 1, 0)
    cuts: list[int] = []
    for profile in (extent, mask.sum(axis=0)):
        for column in _minima(profile)[:CUTS_PER_PROFILE]:
            if all(abs(column - cut) >= height / 6 for cut in cuts):
                cuts.append(column)
    return sorted(cuts)


def _minima(profile: np.ndarray) -> list[int]:
    """The profile's local minima in the middle three fifths, lowest first."""
    width = len(profile)
    lo, hi = round(0.2 * width), round(0.8 * width)
    found = [
        column
        for column in range(max(lo, 1), min(hi, width - 1))
        if profile[column] <= profile[column - 1] and profile[column] <= profile[column + 1]
    ]
    return sorted(found, key=lambda c: (profile[c], abs(c - width / 2)))


def _mask(found, pieces, span: segment.Box) -> np.ndarray:
    top, bottom, left, right = int(span.top), int(span.bottom), int(span.left), int(span.right)
    return np.isin(found.labels[top:bottom, left:right], [piece + 1 for piece in pieces])


def _ink_image(ink, found, groups, atoms, columns) -> np.ndarray | None:
    """The model's input for the ink of these atoms (their groups' pieces, in their columns)."""
    span = segment.span_of([a.span for a in atoms], range(len(atoms)))
    top, bottom, left, right = int(span.top), int(span.bottom), int(span.left), int(span.right)
    mine = np.zeros((bottom - top, right - left), bool)
    for atom, (start, stop) in zip(atoms, columns, strict=True):
        labels = found.labels[top:bottom, start:stop]
        mine[:, start - left : stop - left] |= np.isin(labels, [p + 1 for p in groups[atom.part]])
    return preprocess.image_to_model_input(np.where(mine, ink[top:bottom, left:right], 0))


def _in_context(digits: list[DigitReading]) -> list[DigitReading]:
    """A part rejected as "not a digit" in a line of at least two confident digits is read as
    the digit it most likely is, marked unsure, unless it is very clearly not a digit: a digit
    among digits is far likelier than a letter (see `runtime.rejection.IN_A_LINE`)."""
    confident = [not d.prediction.rejected and not d.prediction.unsure for d in digits]
    kept = []
    for index, digit in enumerate(digits):
        others = sum(confident) - confident[index]
        prediction = digit.prediction
        if (
            prediction.rejected
            and prediction is not SCRIBBLE
            and others >= 2
            and not rejects_in_a_line(prediction.not_digit)
        ):
            digit = replace(digit, prediction=replace(prediction, rejected=False, unsure=True))
        kept.append(digit)
    return kept


def _image_of(strokes: list[np.ndarray]) -> np.ndarray:
    """The image model's input for one digit's strokes (a blank one for a drawing without ink)."""
    image = preprocess.to_model_input(render_strokes(strokes))
    return BLANK if image is None else image


def _unsure(prediction: Prediction) -> bool:
    return prediction.unsure and not prediction.rejected


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000


SCRIBBLE = Prediction(  # what a scribble reads as: not a digit; no digit was read, so no chances
    digit=0,
    confidence=0.0,
    probabilities=(0.0,) * 10,
    not_digit=1.0,
    rejected=True,
    unsure=False,
    ms=0.0,
)
