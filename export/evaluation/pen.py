"""python -m export.evaluation.pen: how the shipped model reads real pen digits from writers it
never saw, through both paths a user has.

All 3498 digits of the pendigits test writers (31-44; see `training.pen.TEST_WRITERS`) go
(a) the stroke path: drawn as mouse moves on the pad's canvas, then `Canvas.model_ink`,
    the preprocessing and the model, as in the pad; and
(b) the image path: drawn with the pad's brush, saved as a PNG, and read back by the predict
    CLI's own code; and
(c) the thin-pen path: the same with a 3 px pen on a 1000 px picture, as a scan or a drawing
    app's fine pen gives them.
A rejected digit ("not a digit") counts as wrong. The report gives accuracy per digit, per
writer (naming the worst), per writing style where the style can be told from the strokes,
and for continental styles added to these writers' own digits; the top confusions; and a
contact sheet of the errors.
"""

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from export.metadata import with_section
from runtime.canvas import Canvas
from runtime.cli import run
from runtime.engine import DEFAULT_MODEL, Engine
from runtime.inputs import load_ink
from runtime.preprocess import IMAGE_SIZE
from runtime.reader import Reading, read_ink, read_strokes
from training import styles
from training.accuracy import share
from training.files import atomic_write, atomic_write_text
from training.pen import (
    PEN_DATA_OPTION_HELP,
    TEST_WRITERS,
    UCI_BOX,
    PenSamples,
    load_pendigits,
)

PROG = "python -m export.evaluation.pen"
STROKE_CANVAS = 532  # the pad's canvas in its default window, in pixels
IMAGE_CANVAS = 448  # a drawing app's canvas...
IMAGE_BRUSH = 1 / 18  # ...and its round brush, as a share of the canvas side
THIN_CANVAS, THIN_BRUSH = 1000, 3 / 1000  # a large picture written with a fine pen
STYLE_SEED = 0  # for the continental styles added to the test writers' digits
PATHS = ("stroke", "image", "thin-pen")
CARD_SECTION = "Real pen handwriting: pendigits writers 31-44, never seen in training"


def stroke_path(engine: Engine, drawings: list[list[np.ndarray]]) -> list[Reading]:
    """The pad: mouse moves on its canvas, read from its strokes."""
    readings = []
    for strokes in drawings:
        canvas = Canvas((STROKE_CANVAS, STROKE_CANVAS))
        canvas.replay(_positions(strokes, STROKE_CANVAS))
        readings.append(read_strokes(engine, canvas.pixel_strokes()))
    return readings


def image_path(
    engine: Engine,
    drawings: list[list[np.ndarray]],
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
            readings.append(read_as_png(engine, canvas, path))
    return readings


def read_as_png(engine: Engine, canvas: Canvas, path: Path) -> Reading:
    """The canvas saved at `path` as a PNG, dark ink on white like a screenshot, and read back
    by the predict CLI's own code."""
    Image.fromarray(255 - canvas.ink()).save(path)
    return read_ink(engine, load_ink(path))


def thin_pen_path(engine: Engine, drawings: list[list[np.ndarray]]) -> list[Reading]:
    """A large PNG written with a fine pen, read by the predict CLI's own code."""
    return image_path(engine, drawings, THIN_CANVAS, THIN_BRUSH)


def answer(reading: Reading) -> int | None:
    """The digit a reading gives for a drawing of one digit: None if it found no digit, not
    exactly one, or one that is not a digit."""
    return None if reading.single is None else reading.single.answer


def style_of(strokes: list[np.ndarray], label: int) -> str | None:
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


def styled(samples: PenSamples) -> tuple[list[list[np.ndarray]], np.ndarray, list[str]]:
    """The test writers' own 0s, 1s and 7s with a slash, flag or bar added."""
    rng = np.random.default_rng(STYLE_SEED)
    drawings, labels, names = [], [], []
    for digit, add_style in styles.STYLES.items():
        for index in np.flatnonzero(samples.labels == digit):
            drawings.append(add_style(samples.strokes[index], rng))
            labels.append(digit)
            names.append(f"{add_style.__name__.replace('_', ' ')} (made)")
    return drawings, np.array(labels), names


def evaluate(engine: Engine, samples: PenSamples, paths=PATHS) -> dict:
    """Every test digit, and the styled ones, through each path: the results as a dict."""
    made, made_labels, made_styles = styled(samples)
    found = [
        style_of(strokes, int(label))
        for strokes, label in zip(samples.strokes, samples.labels, strict=True)
    ]
    run = {"stroke": stroke_path, "image": image_path, "thin-pen": thin_pen_path}
    results = {"digits": len(samples), "writers": sorted(set(samples.groups.tolist())), "paths": {}}
    readings = {}
    for path in paths:
        plain = run[path](engine, samples.strokes)
        extra = run[path](engine, made)
        readings[path] = plain
        results["paths"][path] = _summary(
            plain, samples.labels, samples.groups, found, extra, made_labels, made_styles
        )
    return results, readings


def _summary(
    readings, labels, writers, found_styles, made_readings, made_labels, made_styles
) -> dict:
    answers = np.array([-1 if answer(r) is None else answer(r) for r in readings])
    right = answers == labels
    rejected = np.array([r.single is not None and r.single.rejected for r in readings])
    per_writer = {int(w): share(right[writers == w]) for w in np.unique(writers)}
    worst = min(per_writer, key=per_writer.get)
    styles_found = {}
    for name in sorted({s for s in found_styles if s}):
        mask = np.array([s == name for s in found_styles])
        styles_found[name] = {"count": int(mask.sum()), "accuracy": share(right[mask])}
    made_answers = np.array([-1 if answer(r) is None else answer(r) for r in made_readings])
    for name in sorted(set(made_styles)):
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
        "accuracy_on_accepted": share(right[~rejected]),
        "per_digit": {int(d): share(right[labels == d]) for d in np.unique(labels)},
        "per_writer": per_writer,
        "worst_writer": worst,
        "styles": styles_found,
        "confusions": [[f"{a} as {b}", n] for (a, b), n in confusions.most_common(10)],
    }


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


def table(results: dict) -> str:
    paths = list(results["paths"])
    summaries = [results["paths"][p] for p in paths]
    head = "| | " + " | ".join(f"{p} path" for p in paths) + " |"
    rule = "| --- |" + " ---: |" * len(paths)
    lines = [head, rule]
    lines.append(
        f"| all {results['digits']} digits | "
        + " | ".join(f"**{s['accuracy']:.2%}**" for s in summaries)
        + " |"
    )
    lines.append(
        "| rejected as not a digit | " + " | ".join(str(s["rejected"]) for s in summaries) + " |"
    )
    lines.append(
        "| read as several digits or none | "
        + " | ".join(str(s["not_one_digit"]) for s in summaries)
        + " |"
    )
    for digit in summaries[0]["per_digit"]:
        lines.append(
            f"| digit {digit} | "
            + " | ".join(f"{s['per_digit'][digit]:.2%}" for s in summaries)
            + " |"
        )
    for writer in summaries[0]["per_writer"]:
        lines.append(
            f"| writer {writer} | "
            + " | ".join(f"{s['per_writer'][writer]:.2%}" for s in summaries)
            + " |"
        )
    for name, style in summaries[0]["styles"].items():
        lines.append(
            f"| {name} ({style['count']}) | "
            + " | ".join(f"{s['styles'][name]['accuracy']:.2%}" for s in summaries)
            + " |"
        )
    for path, summary in zip(paths, summaries, strict=True):
        worst = summary["worst_writer"]
        lines.append("")
        confusions = ", ".join(f"{c} ({n})" for c, n in summary["confusions"])
        worst_share = summary["per_writer"][worst]
        lines.append(
            f"{path} path: worst writer {worst} ({worst_share:.2%}); top confusions: {confusions}"
        )
    return "\n".join(lines)


def _positions(strokes: list[np.ndarray], side: int) -> list[list[tuple[int, int]]]:
    """Pen positions in the 500-unit writing box as integer pixels of a canvas `side` across."""
    return [
        [tuple(p) for p in np.rint(stroke * side / UCI_BOX).astype(int).tolist()]
        for stroke in strokes
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description="Accuracy on pendigits writers 31-44.")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="ONNX model")
    parser.add_argument("--pen-data", help=PEN_DATA_OPTION_HELP)
    parser.add_argument(
        "--path", choices=PATHS, action="append", help="only this path (repeatable)"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--errors", type=Path, help="write contact sheets of the errors: PATH-stroke.png, ..."
    )
    parser.add_argument(
        "--card", type=Path, help="also put the table in this model card (MODEL_CARD.md)"
    )
    args = parser.parse_args(argv)

    def body() -> None:
        engine = Engine(args.model)
        samples = load_pendigits(args.pen_data).of_groups(TEST_WRITERS)
        results, readings = evaluate(engine, samples, args.path or PATHS)
        print(table(results))
        if args.json:
            atomic_write_text(args.json, json.dumps(results, indent=2) + "\n")
        if args.card:
            card = with_section(
                args.card.read_text(), CARD_SECTION, f"`{PROG}`:\n\n{table(results)}"
            )
            atomic_write_text(args.card, card)
        if args.errors:
            for path, found in readings.items():
                sheet = contact_sheet(found, samples.labels)
                target = args.errors.with_name(f"{args.errors.stem}-{path}.png")
                atomic_write(target, lambda tmp, s=sheet: s.save(tmp, format="PNG"))

    return run(PROG, body)


if __name__ == "__main__":
    sys.exit(main())
