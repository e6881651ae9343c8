"""python -m export.evaluation.numbers: how well numbers of 1-6 digits are read.

Numbers are composed from the real pen digits of the pendigits test writers (31-44), each number
from one writer, as people write them: digit sizes and baselines vary a little, the line may
rise or fall, and the gaps range from generous to slightly overlapping. They are read through
both paths a user has:
(a) the stroke path: drawn as mouse moves on a canvas, then segmented by stroke and read in
    one batch, as the pad does; the digits' strokes are sometimes written out of order;
(b) the image path: drawn with a round brush, saved as a PNG and read by the predict CLI's code.
A number counts as right when every digit is. Segmentation errors (the wrong strokes or pieces
grouped into digits) are counted apart from classification errors (right groups, a wrong digit).
"""

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from export.evaluation import cli
from export.evaluation.pen import read_as_png
from export.evaluation.report import Headline, Result, Table
from runtime.canvas import Canvas
from runtime.cli import positive_int, seed
from runtime.engine import Engine
from runtime.reader import Reader, Reading
from training.pen import TEST_WRITERS, PenSamples, load_pendigits
from training.sources import PENDIGITS

PROG = "python -m export.evaluation.numbers"
TITLE = "Numbers"
LENGTHS = range(1, 7)
DEFAULT_COUNT = 300  # numbers of each length
CANVAS = (900, 320)  # a wide canvas, as the pad gives a number
HEIGHT_SHARE = 0.55  # digits are this share of the canvas height (unless the number is too wide)
SIZE_JITTER = 0.12  # each digit's height varies by up to this share
BASELINE_JITTER = 0.06  # each digit's baseline moves by up to this share of the height
SLOPE = 0.08  # the line rises or falls by up to this much per unit of length
# The gap between neighbours' ink, in digit heights: from nearly touching to generous. The pen
# positions are further apart by the brush's width, as a person leaves room for the ink.
GAP = (0.02, 0.4)
BRUSH = 0.12  # the brush's width in digit heights, as the pad's brush follows the writing
OUT_OF_ORDER = 0.25  # share of numbers whose digits are written in a shuffled order
PATHS = ("stroke", "image")


@dataclass(frozen=True)
class Number:
    """A composed number: its strokes in writing order, and which digit each stroke belongs to."""

    digits: str
    strokes: list[np.ndarray]  # canvas pixels
    brush: float  # the brush's width, as a share of the canvas's shorter side
    owner: list[int]  # the digit (left to right) of each stroke
    boxes: list[
        tuple[float, float, float, float]
    ]  # each digit's pen extent: left, top, right, bottom


def compose(samples: PenSamples, length: int, rng: np.random.Generator) -> Number:
    """A number of `length` digits by one test writer, laid out on the canvas."""
    writer = rng.choice(np.unique(samples.groups))
    own = np.flatnonzero(samples.groups == writer)
    picks = rng.choice(own, length)
    placed, left, boxes = [], 0.0, []
    slope = rng.uniform(-SLOPE, SLOPE)
    for index in picks:
        strokes = samples.strokes[index]
        points = np.concatenate(strokes)
        low, high = points.min(axis=0), points.max(axis=0)
        scale = (1 + rng.uniform(-SIZE_JITTER, SIZE_JITTER)) / max(float(high[1] - low[1]), 1.0)
        width = float(high[0] - low[0]) * scale
        shift = np.array([left, slope * left + rng.uniform(-BASELINE_JITTER, BASELINE_JITTER)])
        bottom_aligned = [(stroke - (low[0], high[1])) * scale + shift for stroke in strokes]
        placed.append(bottom_aligned)
        box_points = np.concatenate(bottom_aligned)
        boxes.append((*box_points.min(axis=0), *box_points.max(axis=0)))
        left += width + BRUSH + rng.uniform(*GAP)
    everything = np.concatenate([np.concatenate(d) for d in placed])
    low, high = everything.min(axis=0), everything.max(axis=0)
    scale = min(
        HEIGHT_SHARE * CANVAS[1] / max(float(high[1] - low[1]), 1e-6),
        0.9 * CANVAS[0] / max(float(high[0] - low[0]), 1e-6),
    )
    offset = (np.array(CANVAS) - (high - low) * scale) / 2 - low * scale
    order = list(range(length))
    if rng.random() < OUT_OF_ORDER:
        rng.shuffle(order)
    strokes, owner = [], []
    for digit in order:
        for stroke in placed[digit]:
            strokes.append(stroke * scale + offset)
            owner.append(digit)
    pixel_boxes = [
        tuple(
            float(v)
            for v in np.concatenate(
                [np.array(b[:2]) * scale + offset, np.array(b[2:]) * scale + offset]
            )
        )
        for b in boxes
    ]
    digits = "".join(str(samples.labels[i]) for i in picks)
    return Number(digits, strokes, BRUSH * scale / min(CANVAS), owner, pixel_boxes)


def draw(number: Number) -> Canvas:
    canvas = Canvas(CANVAS, number.brush)
    canvas.replay([[tuple(p) for p in np.rint(s).astype(int).tolist()] for s in number.strokes])
    return canvas


def stroke_reading(reader: Reader, number: Number) -> Reading:
    return reader.read_strokes(draw(number).pixel_strokes())


def image_reading(reader: Reader, number: Number, folder: Path) -> Reading:
    return read_as_png(reader, draw(number), folder / "number.png")


def segmented_right(number: Number, reading: Reading) -> bool:
    """Whether the reading found the number's digits as its digits: one found digit per true
    digit, left to right, each centred inside the true digit's extent (give or take a little)."""
    if len(reading.digits) != len(number.digits):
        return False
    for found, (left, top, right, bottom) in zip(reading.digits, number.boxes, strict=True):
        box = found.box
        centre_x = (box.left + box.right) / 2
        margin = 0.1 * (bottom - top)
        if not left - margin <= centre_x <= right + margin:
            return False
    return True


def evaluate(engine: Engine, samples: PenSamples, count: int, rng_seed: int, paths=PATHS) -> dict:
    rng = np.random.default_rng(rng_seed)
    reader = Reader(engine)
    numbers = {length: [compose(samples, length, rng) for _ in range(count)] for length in LENGTHS}
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        for path in paths:
            rows = {}
            for length, composed in numbers.items():
                right = segmentation = classification = 0
                for number in composed:
                    reading = (
                        stroke_reading(reader, number)
                        if path == "stroke"
                        else image_reading(reader, number, Path(scratch))
                    )
                    if reading.number == number.digits:
                        right += 1
                    elif not segmented_right(number, reading):
                        segmentation += 1
                    else:
                        classification += 1
                rows[length] = {
                    "numbers": len(composed),
                    "accuracy": right / len(composed),
                    "segmentation_errors": segmentation,
                    "classification_errors": classification,
                }
            results[path] = rows
    return results


def result(results: dict, count: int) -> Result:
    paths = list(results)
    columns = ["digits", "numbers"]
    for path in paths:
        columns += [f"{path} path", "segmentation errors", "classification errors"]
    rows = []
    for length in next(iter(results.values())):
        cells = [str(length), str(results[paths[0]][length]["numbers"])]
        for path in paths:
            row = results[path][length]
            cells += [
                f"{row['accuracy']:.2%}",
                str(row["segmentation_errors"]),
                str(row["classification_errors"]),
            ]
        rows.append(cells)
    headline = [
        Headline(
            f"4-digit numbers, {path} path",
            results[path][4]["accuracy"],
            bar=f"numbers: 4 digits, {path} path",
        )
        for path in paths
        if 4 in results[path]
    ]
    return Result(
        name="numbers",
        title=TITLE,
        command=f"{PROG} --count {count} --publish",
        intro=__doc__.split("\n\n", 1)[1],
        tables=[Table(columns, rows)],
        headline=headline,
        figures={path: {str(k): v for k, v in rows_.items()} for path, rows_ in results.items()},
    )


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser(PROG, "Whole-number accuracy, 1-6 digits.", PENDIGITS)
    parser.add_argument(
        "--count", type=positive_int, default=DEFAULT_COUNT, help="numbers per length"
    )
    parser.add_argument("--seed", type=seed, default=0, help="for the numbers composed")
    parser.add_argument("--path", choices=PATHS, action="append", help="only this path")

    def measure(args) -> Result:
        samples = load_pendigits(args.pen_data).of_groups(TEST_WRITERS)
        results = evaluate(cli.engine(args), samples, args.count, args.seed, args.path or PATHS)
        return result(results, args.count)

    return cli.main(PROG, parser, measure, argv)


if __name__ == "__main__":
    sys.exit(main())
