"""python -m export.evaluation.pen: how the shipped models read real pen digits from writers they
never saw, through every path a user has.

All 3498 digits of the pendigits test writers (31-44; see `training.pen.TEST_WRITERS`) go
(a) the stroke path: drawn as mouse moves on the pad's canvas and read from the strokes as the
    pad reads them, by both models combined; and, for comparison, by the image model alone;
(b) the image path: drawn with a drawing app's brush, saved as a PNG, and read back by the
    predict CLI's own code;
(c) the thin-pen path: the same with a 3 px pen on a 1000 px picture, as a scan or a drawing
    app's fine pen gives them.
A digit rejected as "not a digit", or read as several digits, counts as wrong. The report gives
accuracy per digit, per writer (naming the worst), per writing style where the style can be
told from the strokes and for every made style (`training.styles`) added to these writers' own
digits; the top confusions; and, with --errors, a contact sheet of what the model saw of each
error.
"""

import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from export.evaluation import cli
from export.evaluation.report import Headline, Result, Table
from runtime.canvas import Canvas
from runtime.engine import Engine
from runtime.inputs import load_ink
from runtime.preprocess import IMAGE_SIZE
from runtime.reader import Reader, Reading
from training import styles
from training.accuracy import share
from training.files import atomic_write
from training.pen import TEST_WRITERS, UCI_BOX, PenSamples, load_pendigits
from training.sources import PENDIGITS

PROG = "python -m export.evaluation.pen"
TITLE = "Real pen handwriting: pendigits writers 31-44, never seen in training"
STROKE_CANVAS = 532  # the pad's canvas in its default window, in pixels
IMAGE_CANVAS = 448  # a drawing app's canvas...
IMAGE_BRUSH = 1 / 18  # ...and its round brush, as a share of the canvas side
THIN_CANVAS, THIN_BRUSH = 1000, 3 / 1000  # a large picture written with a fine pen
STYLE_SEED = 0  # for the made styles added to the test writers' digits
STROKES, IMAGE_ALONE, IMAGE, THIN = "stroke", "stroke, image model alone", "image", "thin-pen"
PATHS = (STROKES, IMAGE_ALONE, IMAGE, THIN)
Drawing = list[np.ndarray]


def stroke_path(reader: Reader, drawings: list[Drawing]) -> list[Reading]:
    """The pad: mouse moves on its canvas, read from its strokes."""
    readings = []
    for strokes in drawings:
        canvas = Canvas((STROKE_CANVAS, STROKE_CANVAS))
        canvas.replay(_positions(strokes, STROKE_CANVAS))
        readings.append(reader.read_strokes(canvas.pixel_strokes()))
    return readings


def image_path(
    reader: Reader,
    drawings: list[Drawing],
    side: int = IMAGE_CANVAS,
    brush: float = IMAGE_BRUSH,
) -> list[Reading]:
    """A drawing app's PNG, read by the predict CLI's own code."""
    readings = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "digit.png"
        for strokes in drawings:
            canvas = Canvas((side, side), brush)
            canvas.replay(_positions(strokes, side))
            readings.append(read_as_png(reader, canvas, path))
    return readings


def read_as_png(reader: Reader, canvas: Canvas, path: Path) -> Reading:
    """The canvas saved at `path` as a PNG, dark ink on white like a screenshot, and read back
    by the predict CLI's own code."""
    Image.fromarray(255 - canvas.ink()).save(path)
    return reader.read_ink(load_ink(path))


def thin_pen_path(reader: Reader, drawings: list[Drawing]) -> list[Reading]:
    """A large PNG written with a fine pen, read by the predict CLI's own code."""
    return image_path(reader, drawings, THIN_CANVAS, THIN_BRUSH)


def answer(reading: Reading) -> int | None:
    """The digit a reading gives for a drawing of one digit: None if it found no digit, not
    exactly one, or one that is not a digit."""
    return None if reading.single is None else reading.single.answer


def style_of(strokes: Drawing, label: int) -> str | None:
    """The continental style a digit is written in, where the strokes show it."""
    if label == 4 and len(strokes) == 1:
        return "4 in one stroke"
    if label == 7 and len(strokes) > 1:
        return "crossed 7"
    if label == 0 and len(strokes) > 1:
        return "0 with a slash or extra stroke"
    if label == 1:
        points = np.concatenate(strokes)
        height = float(np.ptp(points[:, 1])) or 1.0
        top, start = points[np.argmin(points[:, 1])], strokes[0][0]
        if start[1] - top[1] > 0.2 * height and top[0] - start[0] > 0.1 * height:
            return "1 with an up-stroke flag"
    return None


def styled(samples: PenSamples) -> tuple[list[Drawing], np.ndarray, list[str]]:
    """The test writers' own digits made into each style of `training.styles`."""
    rng = np.random.default_rng(STYLE_SEED)
    drawings, labels, names = [], [], []
    for style in styles.STYLES:
        for index in np.flatnonzero(samples.labels == style.digit):
            drawings.append(style.make(samples.strokes[index], rng))
            labels.append(style.digit)
            names.append(f"{style.name} (made)")
    return drawings, np.array(labels), names


def paths_of(engine: Engine) -> dict[str, Callable[[list[Drawing]], list[Reading]]]:
    """Each path a user has, with a reader of the engine (and the image model alone on the same
    strokes, when the engine has a stroke model to compare with)."""
    reader = Reader(engine)
    paths = {STROKES: lambda drawings: stroke_path(reader, drawings)}
    if engine.stroke is not None:
        alone = Reader(Engine(engine.path, strokes=False))
        paths[IMAGE_ALONE] = lambda drawings: stroke_path(alone, drawings)
    paths[IMAGE] = lambda drawings: image_path(reader, drawings)
    paths[THIN] = lambda drawings: thin_pen_path(reader, drawings)
    return paths


def evaluate(engine: Engine, samples: PenSamples, only: list[str] | None = None):
    """Every test digit, and the styled ones, through each path: (figures, readings by path)."""
    made, made_labels, made_styles = styled(samples)
    found = [
        style_of(s, int(label)) for s, label in zip(samples.strokes, samples.labels, strict=True)
    ]
    figures = {"digits": len(samples), "paths": {}}
    readings = {}
    for name, read in paths_of(engine).items():
        if only and name not in only:
            continue
        plain = read(samples.strokes)
        readings[name] = plain
        figures["paths"][name] = _summary(
            plain, samples, found, read(made), made_labels, made_styles
        )
    return figures, readings


def _summary(readings, samples: PenSamples, found_styles, made_readings, made_labels, made_styles):
    labels, writers = samples.labels, samples.groups
    answers = np.array([-1 if answer(r) is None else answer(r) for r in readings])
    right = answers == labels
    rejected = np.array([r.single is not None and r.single.rejected for r in readings])
    unrejected = np.array([r.single is not None and r.single.digit for r in readings]) == labels
    per_writer = {int(w): share(right[writers == w]) for w in np.unique(writers)}
    styles_found = {}
    for name in sorted({s for s in found_styles if s}):
        mask = np.array([s == name for s in found_styles])
        styles_found[name] = {"count": int(mask.sum()), "accuracy": share(right[mask])}
    made_answers = np.array([-1 if answer(r) is None else answer(r) for r in made_readings])
    for name in dict.fromkeys(made_styles):
        mask = np.array([s == name for s in made_styles])
        styles_found[name] = {
            "count": int(mask.sum()),
            "accuracy": share((made_answers == made_labels)[mask]),
        }
    confusions = Counter(
        (int(label), "no digit" if found == -1 else int(found))
        for label, found in zip(labels[~right], answers[~right], strict=True)
    )
    return {
        "accuracy": share(right),
        "rejected": int(rejected.sum()),
        "not_one_digit": int(sum(len(r.digits) != 1 for r in readings)),
        "accuracy_if_none_rejected": share(unrejected | right),
        "per_digit": {int(d): share(right[labels == d]) for d in np.unique(labels)},
        "per_writer": per_writer,
        "worst_writer": min(per_writer, key=per_writer.get),
        "styles": styles_found,
        "confusions": [[f"{a} as {b}", n] for (a, b), n in confusions.most_common(10)],
    }


def result(figures: dict) -> Result:
    paths = list(figures["paths"])
    summaries = [figures["paths"][p] for p in paths]

    def row(label: str, cell) -> list[str]:
        return [label, *(cell(s) for s in summaries)]

    rows = [
        row(f"all {figures['digits']} digits", lambda s: f"**{s['accuracy']:.2%}**"),
        row("rejected as not a digit", lambda s: str(s["rejected"])),
        row("read as several digits or none", lambda s: str(s["not_one_digit"])),
        row("right if nothing were rejected", lambda s: f"{s['accuracy_if_none_rejected']:.2%}"),
    ]
    rows += [
        row(f"digit {d}", lambda s, d=d: f"{s['per_digit'][d]:.2%}")
        for d in summaries[0]["per_digit"]
    ]
    rows += [
        row(f"writer {w}", lambda s, w=w: f"{s['per_writer'][w]:.2%}")
        for w in summaries[0]["per_writer"]
    ]
    rows += [
        row(f"{name} ({style['count']})", lambda s, n=name: f"{s['styles'][n]['accuracy']:.2%}")
        for name, style in summaries[0]["styles"].items()
    ]
    notes = [
        f"{path} path: worst writer {s['worst_writer']} "
        f"({s['per_writer'][s['worst_writer']]:.2%}); top confusions: "
        + ", ".join(f"{c} ({n})" for c, n in s["confusions"])
        for path, s in zip(paths, summaries, strict=True)
    ]
    by_path = figures["paths"]
    headline = []
    if STROKES in by_path:
        stroke = by_path[STROKES]
        headline += [
            Headline("writers 31-44, stroke path", stroke["accuracy"], bar="pen: stroke path"),
            Headline(
                f"worst writer ({stroke['worst_writer']}), stroke path",
                stroke["per_writer"][stroke["worst_writer"]],
                bar="pen: worst writer",
            ),
        ]
    if IMAGE in by_path:
        headline.append(
            Headline("writers 31-44, image path", by_path[IMAGE]["accuracy"], bar="pen: image path")
        )
    if THIN in by_path:
        headline.append(
            Headline("writers 31-44, thin pen", by_path[THIN]["accuracy"], bar="pen: thin-pen path")
        )
    return Result(
        name="pen",
        title=TITLE,
        command=f"{PROG} --errors artifacts/evaluation/pen-errors.png --publish",
        intro=__doc__.split("\n\n", 1)[1],
        tables=[Table(["", *(f"{p} path" for p in paths)], rows)],
        notes=notes,
        headline=headline,
        figures=figures,
    )


def contact_sheet(readings: list[Reading], labels: np.ndarray, columns: int = 16) -> Image.Image:
    """What the model saw of every wrong answer, captioned "true>answer" ("-": no digit); a
    drawing read as several digits shows them side by side."""
    wrong = [i for i, r in enumerate(readings) if answer(r) != labels[i]]
    tile, caption = IMAGE_SIZE * 3, 12
    rows = max(1, -(-len(wrong) // columns))
    sheet = Image.new("L", (columns * tile, rows * (tile + caption)), 40)
    draw = ImageDraw.Draw(sheet)
    for place, index in enumerate(wrong):
        x, y = place % columns * tile, place // columns * (tile + caption)
        seen = [d.image for d in readings[index].digits]
        if seen:
            pixels = np.concatenate([np.clip(image, 0, 1) for image in seen], axis=1)
            strip = Image.fromarray(np.uint8(pixels * 255)).resize((tile, tile))
            sheet.paste(strip, (x, y))
        found = answer(readings[index])
        draw.text((x + 2, y + tile), f"{labels[index]}>{'-' if found is None else found}", fill=255)
    return sheet


def _positions(strokes: Drawing, side: int) -> list[list[tuple[int, int]]]:
    """Pen positions in the 500-unit writing box as integer pixels of a canvas `side` across."""
    return [
        [tuple(p) for p in np.rint(stroke * side / UCI_BOX).astype(int).tolist()]
        for stroke in strokes
    ]


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser(PROG, "Accuracy on pendigits writers 31-44.", PENDIGITS)
    parser.add_argument(
        "--path", choices=PATHS, action="append", help="only this path (repeatable)"
    )
    parser.add_argument(
        "--errors", type=Path, help="write contact sheets of the errors: PATH-stroke.png, ..."
    )

    def measure(args) -> Result:
        samples = load_pendigits(args.pen_data).of_groups(TEST_WRITERS)
        figures, readings = evaluate(cli.engine(args), samples, args.path)
        if args.errors:
            for path, found in readings.items():
                sheet = contact_sheet(found, samples.labels)
                name = path.replace(", ", "-").replace(" ", "-")
                target = args.errors.with_name(f"{args.errors.stem}-{name}.png")
                atomic_write(target, lambda tmp, s=sheet: s.save(tmp, format="PNG"))
        return result(figures)

    return cli.main(PROG, parser, measure, argv)


if __name__ == "__main__":
    sys.exit(main())
