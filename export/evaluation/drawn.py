"""python -m export.evaluation.drawn: how accurate the model is on digits drawn with a mouse.

MNIST test accuracy says little about the pad, where a digit is a few strokes of a round brush
drawn at any size and place on a large canvas. This replays such drawings: pen strokes traced
from MNIST *test* images (training traces MNIST's training images into strokes, so those would
flatter it), drawn with the pad's own `Canvas` in placements a person plausibly uses, then read
from their strokes as the pad reads them, by both models. The same canvases also go through a
naive whole-canvas resize, as tutorial apps do, to show what the preprocessing buys.
"""

import sys
from dataclasses import dataclass, fields

import numpy as np
from PIL import Image

from export.evaluation import cli
from export.evaluation.report import Headline, Result, Table
from runtime.canvas import BRUSH_FRACTION, Canvas
from runtime.cli import positive_int, seed
from runtime.engine import Engine
from runtime.preprocess import IMAGE_SIZE, to_model_input
from runtime.reader import Reader
from training.data import load_mnist, sample_indices
from training.sources import MNIST

PROG = "python -m export.evaluation.drawn"
TITLE = "Mouse drawings of MNIST digits"
CANVAS_SIDE = 448  # pixels; close to the pad's canvas in its default window
DEFAULT_COUNT = 3000  # test images traced; each is drawn once per placement


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
    strokes (a `runtime.reader.Reader`: right when it reads exactly that digit), and through
    the naive whole-canvas resize (one batched call per placement)."""
    from training.trace import trace_strokes  # SciPy and scikit-image: the training stack

    reader = Reader(engine)
    traced = [trace_strokes(image) for image in images]
    results = []
    for placement in PLACEMENTS:
        readings, naive = [], []
        for strokes in traced:
            canvas = render(strokes, placement)
            drawn = canvas.pixel_strokes()
            readings.append(reader.read_strokes(drawn).number if drawn else None)
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


def result(evaluation: Evaluation, count: int) -> Result:
    rows = [
        [row.placement, str(row.images), f"{row.accuracy:.2%}", f"{row.naive_accuracy:.2%}"]
        for row in [*evaluation.placements, evaluation.overall]
    ]
    notes = [
        f"The same images undrawn, through the preprocessing and the image model: "
        f"{evaluation.undrawn_accuracy:.2%}. Worst placement: {evaluation.worst.placement} "
        f"({evaluation.worst.accuracy:.2%})."
    ]
    return Result(
        name="drawn",
        title=TITLE,
        command=f"{PROG} --count {count} --publish",
        intro=__doc__.split("\n\n", 1)[1],
        tables=[Table(["placement", "drawings", "read as the pad reads", "naive resize"], rows)],
        notes=notes,
        headline=[
            Headline(
                "traced MNIST test digits, drawn on the pad",
                evaluation.overall.accuracy,
                bar="drawn: overall",
            )
        ],
        figures={
            "placements": {r.placement: r.accuracy for r in evaluation.placements},
            "overall": evaluation.overall.accuracy,
            "naive": evaluation.overall.naive_accuracy,
            "undrawn": evaluation.undrawn_accuracy,
        },
    )


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser(PROG, "Accuracy on mouse-drawn MNIST test digits, by placement.", MNIST)
    parser.add_argument(
        "--count",
        type=positive_int,
        default=DEFAULT_COUNT,
        help="test images to draw (default %(default)s)",
    )
    parser.add_argument("--seed", type=seed, default=0, help="for the choice of images")

    def measure(args) -> Result:
        data = load_mnist(args.data)
        chosen = sample_indices(len(data.y_test), args.count, args.seed)
        evaluation = evaluate(cli.engine(args), data.x_test[chosen], data.y_test[chosen])
        return result(evaluation, len(chosen))

    return cli.main(PROG, parser, measure, argv)


if __name__ == "__main__":
    sys.exit(main())
