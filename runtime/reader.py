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

import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from runtime import preprocess, segment, trajectory
from runtime.canvas import render_strokes
from runtime.engine import Engine, Prediction, Readout
from runtime.writing import Part, Writing

NOT_A_DIGIT_MARK = "?"  # stands in the number for a part that is not a digit
# No digit is written with more strokes than this: a group of more is a scribble, rejected
# without being drawn or read, so a canvas covered in strokes costs no more to read than a digit.
MAX_DIGIT_STROKES = 24
CACHE_SIZE = 512  # digits whose inputs and outputs are remembered
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

    def __init__(self, engine: Engine, cache_size: int = CACHE_SIZE):
        self.engine = engine
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
        """Read a writing kept by its owner (the pad), stroke by stroke."""
        started = time.perf_counter() if started is None else started
        parts = writing.parts()
        readable = [p for p in parts if len(p.members) <= MAX_DIGIT_STROKES]
        found = self._read_parts(writing, readable)
        decided = iter(
            self.engine.decide(Readout.stacked([found[p.key].readout for p in readable]))
            if readable
            else []
        )
        digits = []
        for part in parts:
            if part.key in found and len(part.members) <= MAX_DIGIT_STROKES:
                image, prediction = found[part.key].image, next(decided)
            else:  # a scribble: not a digit, shown blank, not read
                image, prediction = BLANK, SCRIBBLE
            digits.append(DigitReading(part.span, image, prediction, part.members))
        return Reading(digits, writing.line_height, _since(started))

    def read_ink(self, ink: np.ndarray) -> Reading:
        """Read an ink image (0 = paper, 1 = ink, float, or uint8 0..255)."""
        started = time.perf_counter()
        ink = np.asarray(ink)
        full = 255.0 if ink.dtype == np.uint8 else 1.0
        found = segment.components(ink > preprocess.INK_THRESHOLD * full)
        kept = segment.without_frames(found)
        groups = [
            [kept[i] for i in members] for members in segment.group([found.boxes[i] for i in kept])
        ]
        spans, images = [], []
        for pieces in groups:
            span = segment.span_of(found.boxes, pieces)
            top, bottom, left, right = (
                int(span.top),
                int(span.bottom),
                int(span.left),
                int(span.right),
            )
            mine = np.isin(found.labels[top:bottom, left:right], [piece + 1 for piece in pieces])
            image = preprocess.image_to_model_input(np.where(mine, ink[top:bottom, left:right], 0))
            if image is not None:
                spans.append(span)
                images.append((image, tuple(pieces)))
        predictions = (
            self.engine.predict_batch(np.stack([image for image, _ in images])) if images else []
        )
        digits = [
            DigitReading(span, image, prediction, pieces)
            for span, (image, pieces), prediction in zip(spans, images, predictions, strict=True)
        ]
        height = (
            segment.line_height([s.height for s in spans], [s.width for s in spans])
            if spans
            else None
        )
        return Reading(digits, height, _since(started))

    def _read_parts(self, writing: Writing, parts: list[Part]) -> dict[bytes, _Read]:
        """Each part's inputs and outputs: remembered ones as they were, the others drawn and
        read now, in one batched call per model."""
        found, missing = {}, []
        for part in parts:
            if part.key in self._cache:
                self._cache.move_to_end(part.key)
                found[part.key] = self._cache[part.key]
            elif part.key not in {p.key for p in missing}:
                missing.append(part)
        if missing:
            drawings = [[writing.strokes[i] for i in part.members] for part in missing]
            images = np.stack([_image_of(strokes) for strokes in drawings])
            trajectories = trajectory.batch(drawings) if self.engine.stroke is not None else None
            readouts = self.engine.read(images, trajectories).split()
            for index, (part, readout) in enumerate(zip(missing, readouts, strict=True)):
                read = _Read(
                    images[index], None if trajectories is None else trajectories[index], readout
                )
                found[part.key] = self._cache[part.key] = read
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return found


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
