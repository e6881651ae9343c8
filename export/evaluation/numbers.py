"""python -m export.evaluation.numbers: how well numbers of 1-6 digits are read, as people write
them on a pad or a form.

Each number is composed of real pen digits of the pendigits test writers (31-44), each digit from
any of them, with its strokes as its writer drew them (two-stroke 4s, 5s with a separate flag,
crossed 7s): digit sizes vary by up to 15%, the line rises, falls or bows, each digit sits a
little above or below it, and the gap between neighbours' ink runs from touching (one in ten)
to wide. A quarter of the numbers are written out of order, and now and then a digit's last
stroke comes after the digits to its right (a 7's bar added at the end). Read through
(a) the stroke path: drawn as mouse moves on a wide canvas and read from the strokes, as the pad
    reads them;
(b) the image path: drawn with a round brush, saved as a PNG and read by the predict CLI's code.
A number is right when every digit is. A wrong number is a segmentation error when the parts
found are not the digits written, else a rejection when a digit was read as "not a digit", else
a misread. The numbers with a held-apart letter written among their digits say whether "not a
digit" still catches a letter in a line of digits. With `--writers validation`, the same on the
validation writers and letter sources, on which the reader's costs are chosen.
"""

import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from export.evaluation import cli
from export.evaluation.pen import read_as_png
from export.evaluation.report import Headline, Result, Table
from runtime.canvas import Canvas
from runtime.cli import positive_int, seed
from runtime.reader import NOT_A_DIGIT_MARK, Reader, Reading
from training.pen import (
    TEST_LETTER_SOURCES,
    TEST_WRITERS,
    VALIDATION_LETTER_SOURCES,
    VALIDATION_WRITERS,
    PenSamples,
    load_letters,
    load_pendigits,
)
from training.sources import LETTERS, PENDIGITS

PROG = "python -m export.evaluation.numbers"
TITLE = "Numbers"
LENGTHS = range(1, 7)
DEFAULT_COUNT = 300  # numbers of each length
WITH_A_LETTER = 300  # three-digit numbers with a letter among them
CANVAS = (900, 320)  # a wide canvas, as the pad gives a number
HEIGHT_SHARE = 0.55  # digits are this share of the canvas height (unless the number is too wide)
SIZE_JITTER = 0.15  # each digit's height varies by up to this share
BASELINE_JITTER = 0.06  # each digit's baseline moves by up to this share of the height
SLOPE = 0.1  # the line rises or falls by up to this much per unit of length...
BOW = 0.08  # ...and bows by up to this share of the height over the number
TOUCHING = 0.1  # share of gaps where neighbours' ink touches or overlaps a little
TOUCHING_GAP = (-0.03, 0.0)  # the gap between neighbours' ink then, in digit heights...
GAP = (0.02, 0.45)  # ...and otherwise, from nearly touching to wide
BRUSH = 0.12  # the brush's width in digit heights, as the pad's brush follows the writing
OUT_OF_ORDER = 0.25  # share of numbers whose digits are written in a shuffled order
LATE_STROKE = 0.15  # chance that a digit's last stroke is written after all the others
PATHS = ("stroke", "image")
WRITERS = {"test": (TEST_WRITERS, TEST_LETTER_SOURCES)}
WRITERS["validation"] = (VALIDATION_WRITERS, VALIDATION_LETTER_SOURCES)
OUTCOMES = ("right", "segmentation", "rejection", "misread")


@dataclass(frozen=True)
class Number:
    """A composed number: its strokes in writing order, and where each digit is."""

    digits: str  # what was written, NOT_A_DIGIT_MARK for a letter
    strokes: list[np.ndarray]  # canvas pixels
    brush: float  # the brush's width, as a share of the canvas's shorter side
    boxes: list[tuple[float, float, float, float]]  # each digit's pen extent: l, t, r, b


def compose(pieces: list[tuple[list[np.ndarray], str]], rng: np.random.Generator) -> Number:
    """A number of `pieces` ((strokes, what it is) in any units, left to right), laid out on the
    canvas as a person writes a line."""
    placed, left = [], 0.0
    slope, bow = rng.uniform(-SLOPE, SLOPE), rng.uniform(-BOW, BOW)
    for strokes, _ in pieces:
        points = np.concatenate(strokes)
        low, high = points.min(axis=0), points.max(axis=0)
        scale = (1 + rng.uniform(-SIZE_JITTER, SIZE_JITTER)) / max(float(high[1] - low[1]), 1.0)
        placed.append([(stroke - (low[0], high[1])) * scale for stroke in strokes])
        placed[-1] = [s + np.array([left, 0.0]) for s in placed[-1]]
        gap = rng.uniform(*(TOUCHING_GAP if rng.random() < TOUCHING else GAP))
        left += float(high[0] - low[0]) * scale + BRUSH + gap
    length = max(left, 1.0)
    for digit in placed:
        middle = float(np.concatenate(digit)[:, 0].mean()) / length
        drop = slope * middle * length + bow * (4 * (middle - 0.5) ** 2 - 1)
        drop += rng.uniform(-BASELINE_JITTER, BASELINE_JITTER)
        digit[:] = [stroke + np.array([0.0, drop]) for stroke in digit]
    everything = np.concatenate([np.concatenate(d) for d in placed])
    low, high = everything.min(axis=0), everything.max(axis=0)
    scale = min(
        HEIGHT_SHARE * CANVAS[1] / max(float(high[1] - low[1]), 1e-6),
        0.9 * CANVAS[0] / max(float(high[0] - low[0]), 1e-6),
    )
    offset = (np.array(CANVAS) - (high - low) * scale) / 2 - low * scale
    on_canvas = [[stroke * scale + offset for stroke in digit] for digit in placed]
    boxes = [(*np.concatenate(d).min(axis=0), *np.concatenate(d).max(axis=0)) for d in on_canvas]
    return Number(
        "".join(what for _, what in pieces),
        _writing_order(on_canvas, rng),
        BRUSH * scale / min(CANVAS),
        [tuple(float(v) for v in box) for box in boxes],
    )


def _writing_order(digits: list[list[np.ndarray]], rng: np.random.Generator) -> list[np.ndarray]:
    """The strokes as they are written: digit by digit, sometimes in a shuffled order, and now
    and then a digit's last stroke after everything else."""
    order = list(range(len(digits)))
    if rng.random() < OUT_OF_ORDER:
        rng.shuffle(order)
    strokes, late = [], []
    for index in order:
        digit = digits[index]
        if len(digit) > 1 and rng.random() < LATE_STROKE:
            strokes += digit[:-1]
            late.append(digit[-1])
        else:
            strokes += digit
    return strokes + late


def numbers_of(
    digits: PenSamples, letters: PenSamples, count: int, rng: np.random.Generator
) -> dict[str, list[Number]]:
    """`count` numbers of each length, and WITH_A_LETTER numbers of three digits with a letter
    among them, each digit from any writer."""

    def digit() -> tuple[list[np.ndarray], str]:
        index = int(rng.integers(len(digits)))
        return digits.strokes[index], str(digits.labels[index])

    composed = {
        str(length): [compose([digit() for _ in range(length)], rng) for _ in range(count)]
        for length in LENGTHS
    }
    with_letter = []
    for _ in range(min(count, WITH_A_LETTER)):
        pieces = [digit() for _ in range(3)]
        letter = letters.strokes[int(rng.integers(len(letters)))]
        pieces.insert(int(rng.integers(0, 4)), (letter, NOT_A_DIGIT_MARK))
        with_letter.append(compose(pieces, rng))
    composed["3 and a letter"] = with_letter
    return composed


def draw(number: Number) -> Canvas:
    canvas = Canvas(CANVAS, number.brush)
    canvas.replay([[tuple(p) for p in np.rint(s).astype(int).tolist()] for s in number.strokes])
    return canvas


def stroke_reading(reader: Reader, number: Number) -> Reading:
    return reader.read_strokes(draw(number).pixel_strokes())


def image_reading(reader: Reader, number: Number, folder: Path) -> Reading:
    return read_as_png(reader, draw(number), folder / "number.png")


def segmented_right(number: Number, reading: Reading) -> bool:
    """Whether the reading found the number's digits as its digits: one found digit per
    written digit, left to right, each centred inside the written digit's extent (give or take a
    little)."""
    if len(reading.digits) != len(number.digits):
        return False
    for found, (left, top, right, bottom) in zip(reading.digits, number.boxes, strict=True):
        box = found.box
        centre_x = (box.left + box.right) / 2
        margin = 0.1 * (bottom - top)
        if not left - margin <= centre_x <= right + margin:
            return False
    return True


def outcome(number: Number, reading: Reading) -> str:
    """One of OUTCOMES: right, or what went wrong first."""
    if reading.number == number.digits:
        return "right"
    if not segmented_right(number, reading):
        return "segmentation"
    rejected = any(
        d.prediction.rejected and want != NOT_A_DIGIT_MARK
        for d, want in zip(reading.digits, number.digits, strict=True)
    )
    return "rejection" if rejected else "misread"


def evaluate(
    reader: Reader, numbers: dict[str, list[Number]], paths=PATHS
) -> tuple[dict, list[str]]:
    """{path: {length: {outcome: count}}}, and examples of the wrong readings."""
    results, examples = {}, []
    with tempfile.TemporaryDirectory() as scratch:
        for path in paths:
            results[path] = {}
            for length, composed in numbers.items():
                counts = Counter()
                for number in composed:
                    reading = (
                        stroke_reading(reader, number)
                        if path == "stroke"
                        else image_reading(reader, number, Path(scratch))
                    )
                    found = outcome(number, reading)
                    counts[found] += 1
                    if found != "right" and len(examples) < 60:
                        examples.append(f"{number.digits} -> {reading.number} ({path}, {found})")
                results[path][length] = {
                    "numbers": len(composed),
                    **{o: counts[o] for o in OUTCOMES},
                }
    return results, examples


def result(results: dict, examples: list[str], count: int, writers: str) -> Result:
    paths = list(results)
    columns = ["digits", "numbers"]
    for path in paths:
        columns += [f"{path} path", "segmentation", "rejected", "misread"]
    rows = []
    for length in next(iter(results.values())):
        cells = [length, str(results[paths[0]][length]["numbers"])]
        for path in paths:
            row = results[path][length]
            cells += [
                f"{row['right'] / row['numbers']:.2%}",
                str(row["segmentation"]),
                str(row["rejection"]),
                str(row["misread"]),
            ]
        rows.append(cells)
    headline = []
    if writers == "test":
        for path in paths:
            four = results[path]["4"]
            headline.append(
                Headline(
                    f"4-digit numbers, {path} path",
                    four["right"] / four["numbers"],
                    bar=f"numbers: 4 digits, {path} path",
                )
            )
        digits_only = [r for length, r in results[paths[0]].items() if length.isdigit()]
        for path in paths:
            by_length = [r for length, r in results[path].items() if length.isdigit()]
            wrong = sum(r["segmentation"] for r in by_length)
            headline.append(
                Headline(
                    f"numbers with segmentation errors, {path} path",
                    wrong / sum(r["numbers"] for r in digits_only),
                    bar="numbers: segmentation errors",
                )
            )
    command = f"{PROG} --count {count}" + ("" if writers == "test" else f" --writers {writers}")
    return Result(
        name="numbers" if writers == "test" else f"numbers-{writers}",
        title=TITLE if writers == "test" else f"{TITLE}: {writers} writers",
        command=command + " --publish",
        intro=__doc__.split("\n\n", 1)[1],
        tables=[Table(columns, rows)],
        notes=["Some wrong readings (written -> read): " + "; ".join(examples[:24])],
        headline=headline,
        figures=results,
    )


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser(PROG, "Whole-number accuracy, 1-6 digits.", PENDIGITS, LETTERS)
    parser.add_argument(
        "--count", type=positive_int, default=DEFAULT_COUNT, help="numbers per length"
    )
    parser.add_argument("--seed", type=seed, default=0, help="for the numbers composed")
    parser.add_argument("--path", choices=PATHS, action="append", help="only this path")
    parser.add_argument(
        "--writers",
        choices=sorted(WRITERS),
        default="test",
        help="the test writers (default), or the validation writers the costs are chosen on",
    )

    def measure(args) -> Result:
        writers, sources = WRITERS[args.writers]
        digits = load_pendigits(args.pen_data).of_groups(writers)
        letters = load_letters(args.letters_data).of_groups(sources)
        numbers = numbers_of(digits, letters, args.count, np.random.default_rng(args.seed))
        results, examples = evaluate(Reader(cli.engine(args)), numbers, args.path or PATHS)
        return result(results, examples, args.count, args.writers)

    return cli.main(PROG, parser, measure, argv)


if __name__ == "__main__":
    sys.exit(main())
