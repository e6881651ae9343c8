"""python -m export.evaluation.drawn: how accurate the model is on digits drawn with a mouse.

MNIST test accuracy says little about the pad, where a digit is a few strokes of a round brush
drawn at any size and place on a large canvas. This replays such drawings: pen strokes traced
from MNIST *training* images (the test set stays untouched for the export gate), rendered with the
pad's own `Canvas` in placements a person plausibly uses, then classified through the runtime's
preprocessing and engine. The same canvases also go through a naive whole-canvas resize, as
tutorial apps do, to show what the preprocessing buys.
"""

import argparse
import json
import sys
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
from PIL import Image

from runtime import cli
from runtime.canvas import BRUSH_FRACTION, Canvas
from runtime.cli import positive_int, seed
from runtime.engine import DEFAULT_MODEL, Engine
from runtime.preprocess import IMAGE_SIZE, to_model_input
from runtime.reader import read_strokes
from training.data import load_mnist, sample_indices
from training.files import atomic_write_text
from training.stack import training_stack

PROG = "python -m export.evaluation.drawn"
CANVAS_SIDE = 448  # pixels; close to the pad's canvas in its default window
DEFAULT_COUNT = 1000  # training images traced; each is drawn once per placement
BAR_OVERALL = 0.98  # the product bar: accuracy over all drawings...
BAR_WORST = 0.97  # ...and in the weakest placement


@dataclass(frozen=True)
class Placement:
    """Where and how large a person draws the digit, and with which brush."""

    name: str
    box: float  # the pen path's longer side, as a fraction of the canvas side
    centre: tuple[float, float]  # the pen path's centre (x, y), as fractions of the canvas side
    brush: float = BRUSH_FRACTION  # brush diameter, as a fraction of the canvas side


PLACEMENTS = (
    Placement("centred", 0.60, (0.50, 0.50)),
    Placement("small", 0.25, (0.50, 0.50)),
    Placement("large", 0.90, (0.50, 0.50)),
    Placement("off-centre", 0.40, (0.28, 0.28)),
    Placement("thin brush", 0.60, (0.50, 0.50), BRUSH_FRACTION * 0.5),
    Placement("thick brush", 0.60, (0.50, 0.50), BRUSH_FRACTION * 1.7),
)


@dataclass(frozen=True)
class PlacementResult:
    placement: str
    images: int
    correct: int  # through the runtime's preprocessing; an empty input counts as wrong
    naive_correct: int  # through the naive whole-canvas resize
    empty: int  # drawings the preprocessing found no ink in

    @property
    def accuracy(self) -> float:
        return self.correct / self.images

    @property
    def naive_accuracy(self) -> float:
        return self.naive_correct / self.images


@dataclass(frozen=True)
class Evaluation:
    placements: list[PlacementResult]
    undrawn_accuracy: float  # the MNIST images themselves: the ceiling drawing can reach

    @property
    def overall(self) -> PlacementResult:
        """All placements together."""
        counts = [field.name for field in fields(PlacementResult) if field.name != "placement"]
        sums = {key: sum(getattr(result, key) for result in self.placements) for key in counts}
        return PlacementResult(placement="overall", **sums)

    @property
    def worst(self) -> PlacementResult:
        return min(self.placements, key=lambda result: result.accuracy)

    @property
    def meets_bar(self) -> bool:
        return self.overall.accuracy >= BAR_OVERALL and self.worst.accuracy >= BAR_WORST


# --- Drawing: the strokes, placed on a canvas, through the pad's own brush -----------------------


def place(strokes: list[np.ndarray], placement: Placement, side: int) -> list[np.ndarray]:
    """Mouse positions (integer canvas pixels) for the strokes: aspect kept, the pen path's
    longer side `placement.box` of the canvas side, centred on `placement.centre`."""
    if not strokes:
        return []
    points = np.concatenate(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    scale = placement.box * side / max(float((high - low).max()), 1.0)
    centre = np.asarray(placement.centre) * side
    return [np.rint(centre + (stroke - (low + high) / 2) * scale).astype(int) for stroke in strokes]


def render(strokes: list[np.ndarray], placement: Placement, side: int = CANVAS_SIDE) -> Canvas:
    """The pad's canvas after a user draws `strokes` on it in `placement`."""
    canvas = Canvas((side, side), placement.brush)
    canvas.replay([map(tuple, stroke.tolist()) for stroke in place(strokes, placement, side)])
    return canvas


def naive_input(ink: np.ndarray) -> np.ndarray:
    """The tutorial-app baseline: the whole canvas area-averaged to 28x28, no crop or centring."""
    small = Image.fromarray(ink).resize((IMAGE_SIZE, IMAGE_SIZE), Image.Resampling.BOX)
    return np.asarray(small, dtype=np.float32) / 255.0


# --- Evaluation ----------------------------------------------------------------------------------


def evaluate(engine: Engine, images: np.ndarray, labels: np.ndarray) -> Evaluation:
    """Draw every image in every placement and read each drawing both ways: as the pad reads its
    strokes (`runtime.reader.read_strokes`: right when it reads exactly that digit), and through
    the naive whole-canvas resize (one batched call per placement)."""
    from training.trace import trace_strokes  # SciPy and scikit-image: the training stack

    traced = [trace_strokes(image) for image in images]
    results = []
    for placement in PLACEMENTS:
        readings, naive = [], []
        for strokes in traced:
            canvas = render(strokes, placement)
            drawn = canvas.pixel_strokes()
            readings.append(read_strokes(engine, drawn).number if drawn else None)
            naive.append(naive_input(canvas.ink()))
        predicted = engine.probabilities(np.stack(naive)).argmax(axis=1)
        results.append(
            PlacementResult(
                placement=placement.name,
                images=len(labels),
                correct=sum(r == str(label) for r, label in zip(readings, labels, strict=True)),
                naive_correct=int((predicted == labels).sum()),
                empty=sum(r is None for r in readings),
            )
        )
    undrawn = [to_model_input(image) for image in images]
    inked = [i for i, image in enumerate(undrawn) if image is not None]
    predicted = engine.probabilities(np.stack([undrawn[i] for i in inked])).argmax(axis=1)
    undrawn_right = int((predicted == labels[inked]).sum()) if inked else 0
    return Evaluation(results, undrawn_right / len(labels))


def table(evaluation: Evaluation) -> str:
    """An aligned text table: the placements, overall, the worst placement and the bar."""
    overall, worst = evaluation.overall, evaluation.worst
    lines = [f"{'placement':<12} {'images':>6} {'ours':>8} {'naive':>8} {'empty':>5}"]
    for row in [*evaluation.placements, overall]:
        lines.append(
            f"{row.placement:<12} {row.images:>6} {row.accuracy:>8.2%} "
            f"{row.naive_accuracy:>8.2%} {row.empty:>5}"
        )
    lines += [
        f"worst placement: {worst.placement} {worst.accuracy:.2%}",
        f"the same images undrawn, through our preprocessing: {evaluation.undrawn_accuracy:.2%}",
        f"product bar (overall >= {BAR_OVERALL:.0%}, worst >= {BAR_WORST:.0%}): "
        + ("met" if evaluation.meets_bar else "NOT met"),
    ]
    return "\n".join(lines)


def as_json(evaluation: Evaluation, context: dict) -> dict:
    """The results, with each placement's settings and accuracies, for --json."""
    settings = {
        placement.name: {key: value for key, value in asdict(placement).items() if key != "name"}
        for placement in PLACEMENTS
    }

    def row(result: PlacementResult) -> dict:
        return {
            **settings.get(result.placement, {}),
            **asdict(result),
            "accuracy": result.accuracy,
            "naive_accuracy": result.naive_accuracy,
        }

    return {
        **context,
        "canvas_side": CANVAS_SIDE,
        "placements": [row(result) for result in evaluation.placements],
        "overall": row(evaluation.overall),
        "worst": evaluation.worst.placement,
        "undrawn_accuracy": evaluation.undrawn_accuracy,
        "meets_bar": evaluation.meets_bar,
    }


# --- Command line --------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Accuracy of the model on mouse-drawn digits, by placement."
    )
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="ONNX model")
    parser.add_argument("--data", help="MNIST .npz or IDX folder (default: $MNIST_DATA or Keras)")
    parser.add_argument(
        "--count",
        type=positive_int,
        default=DEFAULT_COUNT,
        help="training images to draw (default %(default)s)",
    )
    parser.add_argument("--seed", type=seed, default=0, help="for the choice of images")
    parser.add_argument("--json", type=Path, help="also write the results here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    return cli.run(PROG, lambda: _main(argv))


def _main(argv: list[str] | None) -> None:
    with training_stack(tensorflow=False):
        run(parse_args(argv))


def run(args: argparse.Namespace) -> None:
    engine = Engine(args.model)
    data = load_mnist(args.data)
    chosen = sample_indices(len(data.y_train), args.count, args.seed)
    started = time.perf_counter()
    evaluation = evaluate(engine, data.x_train[chosen], data.y_train[chosen])
    seconds = time.perf_counter() - started
    print(table(evaluation))
    print(f"{len(chosen)} training images x {len(PLACEMENTS)} placements drawn in {seconds:.0f} s")
    if args.json:
        context = {
            "model": str(args.model),
            "data": data.source,
            "data_sha256": data.sha256,
            "count": len(chosen),
            "seed": args.seed,
        }
        atomic_write_text(args.json, json.dumps(as_json(evaluation, context), indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
