"""Reading a drawing: strokes or an ink image -> the digits it holds, left to right, and the number.

The one path from a drawing to an answer, used by the pad and the predict CLI alike: segment the
drawing into digits (`runtime.segment`), turn each into the model's input exactly as a single
digit always was (`runtime.canvas.render_strokes` for strokes, `runtime.preprocess` for images),
and read them all in one batched inference. `Reading.as_json` is the JSON contract both print.
"""

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from runtime import preprocess, segment
from runtime.canvas import render_strokes
from runtime.engine import NUM_DIGITS, Engine, Prediction

NOT_A_DIGIT_MARK = "?"  # stands in the number for a part that is not a digit
# No digit is written with more strokes than this: a group of more is a scribble, rejected
# without being drawn or read, so a canvas covered in strokes costs no more to read than a digit.
MAX_DIGIT_STROKES = 24
SCRIBBLE = Prediction(  # what a scribble reads as: not a digit; no digit was read, so no chances
    digit=0,
    confidence=0.0,
    probabilities=(0.0,) * NUM_DIGITS,
    not_digit=1.0,
    rejected=True,
    unsure=False,
    ms=0.0,
)


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
        """The answer every tool prints: `digit`, `confidence` and `probabilities` describe a
        drawing of one digit (null otherwise, and `digit` null when it is not a digit, with
        `"rejected": true`); `number` and `digits` describe any drawing."""
        single = self.single
        answer: dict = {"digit": None, "confidence": None, "probabilities": None}
        if single is not None:
            answer = {
                "digit": single.answer,
                **({"rejected": True} if single.rejected else {}),
                "confidence": round(single.confidence, 4),
                "probabilities": [round(p, 4) for p in single.probabilities],
            }
        answer["number"] = self.number
        answer["digits"] = [
            {
                "digit": d.prediction.answer,
                **({"rejected": True} if d.prediction.rejected else {}),
                "confidence": round(d.prediction.confidence, 4),
                "box": d.box.as_xywh(),
            }
            for d in self.digits
        ]
        return answer


def read_strokes(
    engine: Engine, strokes: list[np.ndarray], renderings: dict | None = None
) -> Reading:
    """Read pen strokes ((n, 2) arrays of x, y in any units, y down, in writing order).

    `renderings`, kept by a caller that reads the same growing drawing again and again (the
    pad), remembers each digit's model input by its strokes, so a digit whose strokes did not
    change is not drawn again.
    """
    started = time.perf_counter()
    boxes = segment.stroke_boxes(strokes)
    groups = segment.group(boxes, segment.touching_strokes(strokes, boxes))
    spans = [segment.span_of(boxes, members) for members in groups]
    scribbles = [i for i, members in enumerate(groups) if len(members) > MAX_DIGIT_STROKES]
    images = [
        _rendering([strokes[i] for i in members], renderings)
        if len(members) <= MAX_DIGIT_STROKES
        else np.zeros((preprocess.IMAGE_SIZE,) * 2, np.float32)  # shown blank
        for members in groups
    ]
    return _read(engine, spans, images, groups, started, scribbles)


def _rendering(strokes: list[np.ndarray], renderings: dict | None) -> np.ndarray | None:
    """The model input of one digit's strokes, from `renderings` when they are unchanged. The
    key is the strokes' identities; the value keeps the strokes, so no identity is reused."""
    if renderings is None:
        return preprocess.to_model_input(render_strokes(strokes))
    key = tuple(id(stroke) for stroke in strokes)
    if key not in renderings:
        renderings[key] = (strokes, preprocess.to_model_input(render_strokes(strokes)))
    return renderings[key][1]


def read_ink(engine: Engine, ink: np.ndarray) -> Reading:
    """Read an ink image (0 = paper, 1 = ink, float, or uint8 0..255)."""
    started = time.perf_counter()
    ink = np.asarray(ink)
    full = 255.0 if ink.dtype == np.uint8 else 1.0
    found = segment.components(ink > preprocess.INK_THRESHOLD * full)
    kept = segment.without_frames(found)
    groups = [
        [kept[i] for i in members] for members in segment.group([found.boxes[i] for i in kept])
    ]
    images, spans = [], []
    for pieces in groups:
        span = segment.span_of(found.boxes, pieces)
        top, bottom, left, right = int(span.top), int(span.bottom), int(span.left), int(span.right)
        mine = np.isin(found.labels[top:bottom, left:right], [piece + 1 for piece in pieces])
        images.append(
            preprocess.image_to_model_input(np.where(mine, ink[top:bottom, left:right], 0))
        )
        spans.append(span)
    return _read(engine, spans, images, groups, started)


def _read(
    engine: Engine,
    spans: list[segment.Box],
    images: list[np.ndarray | None],
    groups: list[list[int]],
    started: float,
    scribbles: Sequence[int] = (),
) -> Reading:
    """Every inked group read in one batch, but scribbles (indices), which are rejected unread."""
    inked = [i for i, image in enumerate(images) if image is not None]
    read = [i for i in inked if i not in scribbles]
    batch = engine.predict_batch(np.stack([images[i] for i in read])) if read else []
    predictions = dict(zip(read, batch, strict=True))
    digits = [
        DigitReading(spans[i], images[i], predictions.get(i, SCRIBBLE), tuple(groups[i]))
        for i in inked
    ]
    return Reading(digits, (time.perf_counter() - started) * 1000)
