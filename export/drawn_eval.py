"""python -m export.drawn_eval: how accurate the model is on digits drawn with a mouse.

MNIST test accuracy says little about the pad, where a digit is a few strokes of a round brush
drawn at any size and place on a large canvas. This replays such drawings: pen strokes traced
from MNIST *training* images (the test set stays untouched for the export gate), rendered with the
pad's own `Canvas` in placements a person plausibly uses, then classified through the runtime's
preprocessing and engine. The same canvases also go through a naive whole-canvas resize, as
tutorial apps do, to show what the preprocessing buys.
"""

import argparse
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage
from skimage.measure import approximate_polygon
from skimage.morphology import skeletonize

from runtime.canvas import BRUSH_FRACTION, Canvas
from runtime.engine import DEFAULT_MODEL, Engine
from runtime.errors import DigitsError
from runtime.preprocess import IMAGE_SIZE, to_model_input
from training.cli import positive_int
from training.data import load_mnist, sample_indices
from training.files import atomic_write_text

PROG = "python -m export.drawn_eval"
CANVAS_SIDE = 448  # pixels; close to the pad's canvas in its default window
DEFAULT_COUNT = 1000  # training images traced; each is drawn once per placement
BAR_OVERALL = 0.98  # the product bar: accuracy over all drawings...
BAR_WORST = 0.97  # ...and in the weakest placement

# Tracing. Upsampling before thinning gives a smoother skeleton with fewer false junctions.
UPSAMPLE = 4
INK_LEVEL = 0.5  # an MNIST pixel at least this bright (of 1.0) is part of the pen's path
SPUR_LENGTH = 1.0  # side branches shorter than this (in 28x28 pixels) are thinning noise
SIMPLIFY_TOLERANCE = 0.2  # in 28x28 pixels: straight runs become one mouse move, as when drawn fast
DIRECTION_LOOKBACK = 4  # skeleton steps used to judge which way the pen is heading at a junction
# Filled loops, measured in the digit's own typical stroke half-width (the median distance from the
# skeleton to the paper). Ink deeper inside than this is the core of a loop the pen filled in...
BLOB_DEPTH = 1.6
# ...if the core is at least this wide its narrowest way: thick corners, crossings and pen blots
# are deep only in a sliver. Both chosen by looking at every digit they change in two samples
# of 1,000 (--seed 1 and 2): lower, corners and crossings grow loops a hand would not draw.
BLOB_WIDTH = 1.5


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


# --- Tracing: an MNIST image becomes the pen strokes that would have drawn it ---------------------

Pixel = tuple[int, int]
_OFFSETS = [(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if (dr, dc) != (0, 0)]


def trace_strokes(image: np.ndarray) -> list[np.ndarray]:
    """The pen strokes along the centre line of a 28x28 digit (uint8 0..255 or float 0..1).

    Each stroke is an (n, 2) float array of (x, y) points in the order a pen visits them, in the
    image's pixel coordinates (pixel [r, c] spans x in [c, c + 1), y in [r, r + 1)). Strokes run
    from the skeleton's end points first, continuing straight through junctions as a hand
    would; closed loops such as a "0" start and end at the same point. A blank image has none.
    """
    image = np.asarray(image)
    image = image.astype(np.float32) / (255.0 if image.dtype == np.uint8 else 1.0)
    big = Image.fromarray(image).resize(
        (image.shape[1] * UPSAMPLE, image.shape[0] * UPSAMPLE), Image.Resampling.BILINEAR
    )
    skeleton = skeletonize(_hollow_blobs(np.asarray(big) > INK_LEVEL))
    graph = _prune_spurs(_pixel_graph(skeleton), round(SPUR_LENGTH * UPSAMPLE))
    strokes = []
    for path in _walk(graph):
        rows_cols = approximate_polygon(
            np.array(path, dtype=np.float64), SIMPLIFY_TOLERANCE * UPSAMPLE
        )
        strokes.append((rows_cols[:, ::-1] + 0.5) / UPSAMPLE)
    return strokes


def _hollow_blobs(ink: np.ndarray) -> np.ndarray:
    """`ink` (a boolean image) with the cores of filled-in loops cut out, leaving a ring about a
    stroke wide around each, which thins to a loop.

    A bold pen, or one that circles a small loop, fills the loop's hole: a "9" whose top is a
    solid blob. Thinning collapses a blob to a line, and the redrawn "9" becomes a "1", where a
    person with a mouse draws the loop. Depth is judged against the digit's own stroke, so a
    uniformly bold digit is left whole.
    """
    depth = ndimage.distance_transform_edt(ink)
    half_width = float(np.median(depth[skeletonize(ink)])) if ink.any() else 0.0
    cores, count = ndimage.label(depth > BLOB_DEPTH * half_width)
    if not count:
        return ink
    widths = 2 * ndimage.maximum(ndimage.distance_transform_edt(cores), cores, range(1, count + 1))
    blobs = np.flatnonzero(np.asarray(widths) >= BLOB_WIDTH * half_width) + 1
    return ink & ~np.isin(cores, blobs)


def _pixel_graph(skeleton: np.ndarray) -> dict[Pixel, set[Pixel]]:
    """8-connected neighbours, minus diagonals that cut a corner the skeleton already turns:
    those make triangles that look like junctions but are just a bend."""
    pixels = {(int(r), int(c)) for r, c in zip(*np.nonzero(skeleton), strict=True)}
    graph: dict[Pixel, set[Pixel]] = {}
    for r, c in pixels:
        neighbours = set()
        for dr, dc in _OFFSETS:
            if (r + dr, c + dc) not in pixels:
                continue
            if dr and dc and ((r + dr, c) in pixels or (r, c + dc) in pixels):
                continue
            neighbours.add((r + dr, c + dc))
        graph[(r, c)] = neighbours
    return graph


def _prune_spurs(graph: dict[Pixel, set[Pixel]], max_length: int) -> dict[Pixel, set[Pixel]]:
    """Remove short branches from an end point to a junction: thinning leaves them at blunt
    stroke ends and corners, and nobody draws them."""
    graph = {pixel: set(neighbours) for pixel, neighbours in graph.items()}
    for end in [pixel for pixel, neighbours in graph.items() if len(neighbours) == 1]:
        if len(graph.get(end, ())) != 1:
            continue
        branch = [end, *graph[end]]
        while len(graph[branch[-1]]) == 2 and len(branch) <= max_length:
            branch.extend(graph[branch[-1]] - {branch[-2]})
        if len(graph[branch[-1]]) >= 3 and len(branch) - 1 <= max_length:
            for pixel in branch[:-1]:
                for neighbour in graph.pop(pixel):
                    graph[neighbour].discard(pixel)
    return graph


def _walk(graph: dict[Pixel, set[Pixel]]) -> list[list[Pixel]]:
    """Cover every skeleton edge once with as few, as straight, strokes as a hand would draw.

    Strokes start at end points (top first, as people write), then at junctions with edges left
    (odd degree first), then anywhere on what remains: loops.
    """
    unused = {pixel: set(neighbours) for pixel, neighbours in graph.items()}

    def starts() -> list[Pixel]:
        return sorted(
            (p for p in unused if unused[p]),
            key=lambda p: (len(graph[p]) != 1, len(unused[p]) % 2 == 0, p),
        )

    strokes = [[pixel] for pixel, neighbours in graph.items() if not neighbours]
    while remaining := starts():
        path = [remaining[0]]
        while unused[path[-1]]:
            current = path[-1]
            following = min(unused[current], key=lambda p: _turn(path, p))
            unused[current].discard(following)
            unused[following].discard(current)
            path.append(following)
        strokes.append(path)
    return strokes


def _turn(path: list[Pixel], following: Pixel) -> float:
    """How sharply the pen turns to go on to `following`: 0 straight on, 2 straight back.
    At a stroke's first point there is no heading yet, so every way counts as straight on."""
    (r0, c0), (r1, c1) = path[max(0, len(path) - 1 - DIRECTION_LOOKBACK)], path[-1]
    heading_r, heading_c = r1 - r0, c1 - c0
    step_r, step_c = following[0] - r1, following[1] - c1
    lengths = math.hypot(heading_r, heading_c) * math.hypot(step_r, step_c)
    return 1.0 - (heading_r * step_r + heading_c * step_c) / lengths if lengths else 0.0


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
    for stroke in place(strokes, placement, side):
        canvas.begin_stroke(tuple(stroke[0]))
        for point in stroke[1:]:
            canvas.extend_stroke(tuple(point))
    return canvas


def naive_input(ink: np.ndarray) -> np.ndarray:
    """The tutorial-app baseline: the whole canvas area-averaged to 28x28, no crop or centring."""
    small = Image.fromarray(ink).resize((IMAGE_SIZE, IMAGE_SIZE), Image.Resampling.BOX)
    return np.asarray(small, dtype=np.float32) / 255.0


# --- Evaluation ----------------------------------------------------------------------------------


def evaluate(
    probabilities: Callable[[np.ndarray], np.ndarray], images: np.ndarray, labels: np.ndarray
) -> Evaluation:
    """Draw every image in every placement and classify each drawing both ways.

    `probabilities` maps a batch [N, 28, 28] to [N, 10] (`Engine.probabilities`); it is called
    on whole batches: twice per placement, once for the undrawn images.
    """
    traced = [trace_strokes(image) for image in images]
    results = []
    for placement in PLACEMENTS:
        ours, naive = [], []
        for strokes in traced:
            canvas = render(strokes, placement)
            ours.append(to_model_input(canvas.model_ink()))  # what the pad feeds the model
            naive.append(naive_input(canvas.ink()))
        correct, empty = _score(probabilities, ours, labels)
        naive_correct, _ = _score(probabilities, naive, labels)
        results.append(
            PlacementResult(
                placement=placement.name,
                images=len(labels),
                correct=correct,
                naive_correct=naive_correct,
                empty=empty,
            )
        )
    undrawn, _ = _score(probabilities, [to_model_input(image) for image in images], labels)
    return Evaluation(results, undrawn / len(labels))


def _score(
    probabilities: Callable[[np.ndarray], np.ndarray],
    inputs: list[np.ndarray | None],
    labels: np.ndarray,
) -> tuple[int, int]:
    """(correct, empty) for model inputs, where None (no ink found) counts as wrong."""
    blank = np.zeros((IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    drawn = np.array([image is not None for image in inputs])
    predicted = probabilities(np.stack([blank if i is None else i for i in inputs])).argmax(1)
    return int(((predicted == labels) & drawn).sum()), int((~drawn).sum())


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
    parser.add_argument("--seed", type=int, default=0, help="for the choice of images")
    parser.add_argument("--json", type=Path, help="also write the results here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        run(args)
    except DigitsError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"{PROG}: error: cannot write {args.json}: {error}", file=sys.stderr)
        return 2
    return 0


def run(args: argparse.Namespace) -> None:
    engine = Engine(args.model)
    data = load_mnist(args.data)
    chosen = sample_indices(len(data.y_train), args.count, args.seed)
    started = time.perf_counter()
    evaluation = evaluate(engine.probabilities, data.x_train[chosen], data.y_train[chosen])
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
