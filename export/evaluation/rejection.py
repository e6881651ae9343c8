"""python -m export.evaluation.rejection: does the model say "not a digit" when it should, and
only then; and does its confidence mean something?

Not digits: the held-apart UNIPEN letters (contributors never used for training or calibration),
rows of them, and every kind of made-up shape, drawn fresh from a seed training never uses. Digits:
MNIST's test set and the pendigits test writers (31-44). Drawings are read as the pad reads them
(`runtime.reader.read_strokes` on mouse positions); a non-digit counts as rejected when no digit
is read from it. The report gives rejection and false-rejection rates, accuracy on all digits and
on the accepted ones, calibration (expected calibration error and a reliability diagram), and the
share of wrong and of right answers the "unsure" mark catches.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from export.evaluation.pen import stroke_path
from runtime.cli import run
from runtime.engine import DEFAULT_MODEL, Engine, Prediction
from runtime.preprocess import model_batch
from runtime.reader import Reading, read_strokes
from training import shapes
from training.accuracy import share
from training.data import load_mnist
from training.files import atomic_write, atomic_write_text
from training.pen import (
    LETTERS_ENV,
    PEN_DATA_OPTION_HELP,
    TEST_LETTER_SOURCES,
    TEST_WRITERS,
    load_letters,
    load_pendigits,
)

PROG = "python -m export.evaluation.rejection"
SHAPE_SEED = 12345  # training draws its shapes from other seeds
SHAPES_PER_KIND = 300
LETTER_ROWS = 500
MOUSE_BOX = 400  # drawings are placed as mouse positions in a box this many pixels across
CALIBRATION_BINS = 15
BAR_LETTERS, BAR_PEN_FALSE, BAR_MNIST_FALSE = 0.90, 0.01, 0.005


def as_mouse(strokes: list[np.ndarray]) -> list[np.ndarray]:
    """Strokes in any units as whole-pixel mouse positions in a MOUSE_BOX box, aspect kept."""
    points = np.concatenate(strokes)
    low = points.min(axis=0)
    scale = MOUSE_BOX / max(float(np.ptp(points, axis=0).max()), 1e-6)
    return [np.rint((stroke - low) * scale) for stroke in strokes]


def rejected(reading: Reading) -> bool:
    """A non-digit is handled right when no digit is read from it."""
    return all(d.prediction.rejected for d in reading.digits)


def non_digits(engine: Engine, letters, rng_seed: int = SHAPE_SEED) -> dict[str, dict]:
    """Rejection rate of each kind of non-digit drawing."""
    rng = np.random.default_rng(rng_seed)
    kinds = {}
    held_apart = letters.of_groups(TEST_LETTER_SOURCES)
    kinds["letters (held-apart writers)"] = held_apart.strokes
    for source in TEST_LETTER_SOURCES:
        kinds[f"letters from {source}"] = held_apart.of_groups([source]).strokes
    kinds["rows of 2-4 letters"] = [
        shapes.letters_in_a_row([held_apart.strokes[i] for i in picks], rng)
        for picks in (
            rng.integers(0, len(held_apart), int(rng.integers(2, 5))) for _ in range(LETTER_ROWS)
        )
    ]
    for name, make in shapes.SHAPES.items():
        kinds[name] = [make(rng) for _ in range(SHAPES_PER_KIND)]
    results = {}
    for kind, drawings in kinds.items():
        caught = [rejected(read_strokes(engine, as_mouse(d))) for d in drawings]
        results[kind] = {"drawings": len(caught), "rejected": share(caught)}
    missed = {}
    for strokes, letter in zip(held_apart.strokes, held_apart.labels, strict=True):
        if not rejected(read_strokes(engine, as_mouse(strokes))):
            missed[chr(letter)] = missed.get(chr(letter), 0) + 1
    results["letters (held-apart writers)"]["most often read as digits"] = dict(
        sorted(missed.items(), key=lambda item: -item[1])[:8]
    )
    return results


def digit_figures(predictions: list[Prediction], labels: np.ndarray) -> dict:
    """False rejections, accuracy, calibration and the unsure mark's catch on real digits."""
    right = np.array([p.digit for p in predictions]) == labels
    rejected_mask = np.array([p.rejected for p in predictions])
    unsure = np.array([p.unsure for p in predictions])
    confidence = np.array([p.confidence for p in predictions])
    accepted = ~rejected_mask
    wrong_accepted = accepted & ~right
    return {
        "digits": len(labels),
        "falsely_rejected": share(rejected_mask),
        "accuracy": share(right & accepted),
        "accuracy_on_accepted": share(right[accepted]),
        "ece": expected_calibration_error(confidence[accepted], right[accepted]),
        "unsure_catches_wrong": share(unsure[wrong_accepted]),
        "unsure_marks_right": share(unsure[accepted & right]),
    }


def calibration_curve(predictions: list[Prediction], labels: np.ndarray):
    """(confidence, right) of the accepted digits."""
    accepted = [i for i, p in enumerate(predictions) if not p.rejected]
    confidence = np.array([predictions[i].confidence for i in accepted])
    right = np.array([predictions[i].digit == labels[i] for i in accepted])
    return confidence, right


def expected_calibration_error(confidence: np.ndarray, right: np.ndarray) -> float:
    """The mean gap between confidence and accuracy over CALIBRATION_BINS equal-width bins,
    weighted by how many answers fall in each."""
    bins = np.minimum((confidence * CALIBRATION_BINS).astype(int), CALIBRATION_BINS - 1)
    total = 0.0
    for b in range(CALIBRATION_BINS):
        inside = bins == b
        if inside.any():
            total += inside.sum() * abs(confidence[inside].mean() - right[inside].mean())
    return float(total / max(len(confidence), 1))


def reliability_diagram(curves: dict[str, tuple[np.ndarray, np.ndarray]], path: Path) -> None:
    """Accuracy against confidence, per bin, for each set of digits."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(5.5, 5))
    axes.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfectly calibrated")
    for name, (confidence, right) in curves.items():
        bins = np.minimum((confidence * CALIBRATION_BINS).astype(int), CALIBRATION_BINS - 1)
        centres, accuracies = [], []
        for b in range(CALIBRATION_BINS):
            inside = bins == b
            if inside.sum() >= 5:
                centres.append(confidence[inside].mean())
                accuracies.append(right[inside].mean())
        ece = expected_calibration_error(confidence, right)
        axes.plot(centres, accuracies, marker="o", label=f"{name} (ECE {ece:.3f})")
    axes.set(xlabel="confidence", ylabel="accuracy", xlim=(0, 1), ylim=(0, 1))
    axes.set_title("Reliability of the confidence (accepted digits)")
    axes.legend(loc="lower right")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100, format="png")
    plt.close(figure)


def evaluate(engine: Engine, mnist, pen, letters) -> tuple[dict, dict]:
    """All figures, and the (confidence, right) pairs of the reliability diagram."""
    results = {"not digits": non_digits(engine, letters), "digits": {}}
    mnist_predictions = engine.predict_batch(model_batch(mnist.x_test))
    readings = stroke_path(engine, pen.strokes)
    one_digit = [i for i, r in enumerate(readings) if r.single is not None]
    pen_predictions = [readings[i].single for i in one_digit]
    sets = {
        "MNIST test": (mnist_predictions, mnist.y_test),
        "pendigits writers 31-44 (stroke path)": (pen_predictions, pen.labels[one_digit]),
    }
    curves = {}
    for name, (predictions, labels) in sets.items():
        results["digits"][name] = digit_figures(predictions, labels)
        curves[name] = calibration_curve(predictions, labels)
    results["digits"]["pendigits writers 31-44 (stroke path)"]["read_as_several_or_none"] = len(
        readings
    ) - len(one_digit)
    results["policy"] = {
        "reject_at": engine.policy.reject_at,
        "unsure_below": engine.policy.unsure_below,
    }
    return results, curves


def table(results: dict) -> str:
    lines = ["| not a digit | drawings | rejected |", "| --- | ---: | ---: |"]
    for kind, row in results["not digits"].items():
        lines.append(f"| {kind} | {row['drawings']} | {row['rejected']:.1%} |")
    missed = results["not digits"]["letters (held-apart writers)"]["most often read as digits"]
    lines += [
        "",
        "Held-apart letters most often read as digits: "
        + ", ".join(f"{letter} ({count})" for letter, count in missed.items()),
    ]
    lines += [
        "",
        "| digits | count | falsely rejected | accuracy | on accepted | ECE "
        "| unsure: wrong caught | unsure: right marked |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, row in results["digits"].items():
        lines.append(
            f"| {kind} | {row['digits']} | {row['falsely_rejected']:.2%} | {row['accuracy']:.2%} "
            f"| {row['accuracy_on_accepted']:.2%} | {row['ece']:.3f} "
            f"| {row['unsure_catches_wrong']:.1%} | {row['unsure_marks_right']:.1%} |"
        )
    policy = results["policy"]
    lines += [
        "",
        f"policy: reject when not_digit >= {policy['reject_at']}; "
        f"unsure below {policy['unsure_below']:.3f}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=PROG, description="Rejection and calibration.")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="ONNX model")
    parser.add_argument("--data", help="MNIST .npz or IDX folder (default: $MNIST_DATA)")
    parser.add_argument("--pen-data", help=PEN_DATA_OPTION_HELP)
    parser.add_argument("--letters-data", help=f"UNIPEN letters (default: ${LETTERS_ENV})")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--diagram", type=Path, help="write the reliability diagram PNG here")
    args = parser.parse_args(argv)

    def body() -> None:
        engine = Engine(args.model)
        mnist = load_mnist(args.data)
        pen = load_pendigits(args.pen_data).of_groups(TEST_WRITERS)
        letters = load_letters(args.letters_data)
        results, curves = evaluate(engine, mnist, pen, letters)
        print(table(results))
        if args.json:
            atomic_write_text(args.json, json.dumps(results, indent=2) + "\n")
        if args.diagram:
            atomic_write(args.diagram, lambda tmp: reliability_diagram(curves, tmp))

    return run(PROG, body)


if __name__ == "__main__":
    sys.exit(main())
