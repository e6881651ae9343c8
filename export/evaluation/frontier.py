"""python -m export.evaluation.frontier: what each change bought, one row per set of models.

A row is measured when it is added (`--row "what changed=path/to/digits.int8.onnx"`, with
`--no-strokes` for the image model alone): the pendigits test writers (31-44) through the stroke
and the image path (as `export.evaluation.pen` reads them), the worst writer on the stroke path,
MNIST test through the int8 image model, the size of the int8 models a stroke reading uses, and
their cost per digit against the tutorial baseline's single-image call (`--baseline`), timed in
the same run. Rows measured before are kept (a row of the same name is measured again), so the
table is the frontier as it was walked.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np

from export.evaluation import cli, pen
from export.evaluation.report import RESULTS, Result, Table
from runtime.engine import Engine
from runtime.preprocess import model_batch
from training.accuracy import accuracy
from training.data import load_mnist
from training.pen import TEST_WRITERS, load_pendigits
from training.sources import MNIST, PENDIGITS

PROG = "python -m export.evaluation.frontier"
TITLE = "What each change bought"
DEFAULT_BASELINE = Path("artifacts/tutorial/models/digits.fp32.onnx")
STORED = RESULTS / "frontier.json"


def per_digit_us(engine: Engine, baseline: Engine, rounds: int = 7) -> tuple[float, float]:
    """(the models of a stroke reading on one digit, the baseline on one image), medians of
    interleaved rounds, in microseconds."""
    rng = np.random.default_rng(0)
    image = rng.random((1, 28, 28, 1), dtype=np.float32)
    path = rng.random((1, 64, 7), dtype=np.float32)
    calls = {
        "models": lambda: engine.read(image, path if engine.stroke is not None else None),
        "baseline": lambda: baseline.image.run(image),
    }
    medians = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            times = []
            for _ in range(300):
                started = time.perf_counter()
                call()
                times.append(time.perf_counter() - started)
            medians[name].append(np.median(times))
    return float(np.median(medians["models"])) * 1e6, float(np.median(medians["baseline"])) * 1e6


def measure_row(engine: Engine, baseline: Engine, samples, mnist) -> dict:
    figures, _ = pen.evaluate(engine, samples, [pen.STROKES, pen.IMAGE])
    stroke, image = figures["paths"][pen.STROKES], figures["paths"][pen.IMAGE]
    files = [engine.path] + ([engine.stroke.path] if engine.stroke is not None else [])
    models, base = per_digit_us(engine, baseline)
    return {
        "stroke path": stroke["accuracy"],
        "image path": image["accuracy"],
        "worst writer": [stroke["worst_writer"], stroke["per_writer"][stroke["worst_writer"]]],
        "MNIST": accuracy(engine.probabilities(model_batch(mnist.x_test)), mnist.y_test),
        "size": sum(path.stat().st_size for path in files),
        "per digit us": models,
        "baseline us": base,
    }


def result(rows: dict[str, dict]) -> Result:
    table = Table(
        [
            "models",
            "writers 31-44, stroke path",
            "image path",
            "worst writer, stroke path",
            "MNIST test",
            "int8 size",
            "per digit, against the baseline",
        ],
        [
            [
                name,
                f"{row['stroke path']:.2%}",
                f"{row['image path']:.2%}",
                f"{row['worst writer'][1]:.1%} (writer {row['worst writer'][0]})",
                f"{row['MNIST']:.2%}",
                f"{row['size'] / 1024:.1f} KiB",
                f"{row['per digit us'] / row['baseline us']:.2f}x",
            ]
            for name, row in rows.items()
        ],
    )
    return Result(
        name="frontier",
        title=TITLE,
        command=f'{PROG} --row "NAME=MODEL" --publish',
        intro=__doc__.split("\n\n", 1)[1],
        tables=[table],
        figures={"rows": rows},
    )


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser(PROG, "Add a row to the frontier.", MNIST, PENDIGITS)
    parser.add_argument("--row", required=True, help='"what changed=path/to/digits.int8.onnx"')
    parser.add_argument("--baseline", type=Path, default=DEFAULT_BASELINE, help="fp32 tutorial CNN")

    def measure(args) -> Result:
        name, _, model = args.row.partition("=")
        engine = Engine(model or args.model, strokes=not args.no_strokes)
        rows = json.loads(STORED.read_text())["figures"]["rows"] if STORED.exists() else {}
        samples = load_pendigits(args.pen_data).of_groups(TEST_WRITERS)
        rows[name] = measure_row(engine, Engine(args.baseline), samples, load_mnist(args.data))
        return result(rows)

    return cli.main(PROG, parser, measure, argv)


if __name__ == "__main__":
    sys.exit(main())
