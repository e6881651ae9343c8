"""python -m export.evaluation.rejection: does the model say "not a digit" when it should, and
only then; and does its confidence mean something?

Not digits: the held-apart UNIPEN letters (contributors never used for training or calibration),
rows of them, and every kind of made-up shape, drawn fresh from a seed training never uses.
Digits: MNIST's test set (an image, read by the image model) and the pendigits test writers
(31-44, strokes, read by both models). Drawings are read as the pad reads them (a
`runtime.reader.Reader` on mouse positions); a non-digit counts as rejected when no digit is
read from it. The report gives rejection and false-rejection rates, accuracy on all digits and
on the accepted ones, calibration (expected calibration error and a reliability diagram), and
the share of wrong and of right answers the "unsure" mark catches.
"""

import sys
from pathlib import Path

import numpy as np

from export.evaluation import cli
from export.evaluation.pen import stroke_path
from export.evaluation.report import Headline, Result, Table
from runtime.engine import Engine, Prediction
from runtime.preprocess import model_batch
from runtime.reader import Reader, Reading
from training import shapes
from training.accuracy import share
from training.data import load_mnist
from training.files import atomic_write
from training.pen import TEST_LETTER_SOURCES, TEST_WRITERS, load_letters, load_pendigits
from training.sources import LETTERS, MNIST, PENDIGITS

PROG = "python -m export.evaluation.rejection"
TITLE = "Not a digit, and what the confidence means"
SHAPE_SEED = 12345  # training draws its shapes from other seeds
SHAPES_PER_KIND = 300
LETTER_ROWS = 500
MOUSE_BOX = 400  # drawings are placed as mouse positions in a box this many pixels across
CALIBRATION_BINS = 15
LETTERS_KIND = "letters (held-apart writers)"
PEN_KIND = "pendigits writers 31-44 (stroke path)"


def as_mouse(strokes: list[np.ndarray]) -> list[np.ndarray]:
    """Strokes in any units as whole-pixel mouse positions in a MOUSE_BOX box, aspect kept."""
    points = np.concatenate(strokes)
    low = points.min(axis=0)
    scale = MOUSE_BOX / max(float(np.ptp(points, axis=0).max()), 1e-6)
    return [np.rint((stroke - low) * scale) for stroke in strokes]


def rejected(reading: Reading) -> bool:
    """A non-digit is handled right when no digit is read from it."""
    return all(d.prediction.rejected for d in reading.digits)


def non_digits(reader: Reader, letters, rng_seed: int = SHAPE_SEED) -> dict[str, dict]:
    """Rejection rate of each kind of non-digit drawing."""
    rng = np.random.default_rng(rng_seed)
    kinds = {}
    held_apart = letters.of_groups(TEST_LETTER_SOURCES)
    kinds[LETTERS_KIND] = held_apart.strokes
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
        caught = [rejected(reader.read_strokes(as_mouse(d))) for d in drawings]
        results[kind] = {"drawings": len(caught), "rejected": share(caught)}
    missed = {}
    for strokes, letter in zip(held_apart.strokes, held_apart.labels, strict=True):
        if not rejected(reader.read_strokes(as_mouse(strokes))):
            missed[chr(letter)] = missed.get(chr(letter), 0) + 1
    results[LETTERS_KIND]["most often read as digits"] = dict(
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
    reader = Reader(engine)
    results = {"not digits": non_digits(reader, letters), "digits": {}}
    mnist_predictions = engine.predict_batch(model_batch(mnist.x_test))
    readings = stroke_path(reader, pen.strokes)
    one_digit = [i for i, r in enumerate(readings) if r.single is not None]
    pen_predictions = [readings[i].single for i in one_digit]
    sets = {
        "MNIST test": (mnist_predictions, mnist.y_test),
        PEN_KIND: (pen_predictions, pen.labels[one_digit]),
    }
    curves = {}
    for name, (predictions, labels) in sets.items():
        results["digits"][name] = digit_figures(predictions, labels)
        curves[name] = calibration_curve(predictions, labels)
    pen_figures = results["digits"][PEN_KIND]
    pen_figures["read_as_several_or_none"] = len(readings) - len(one_digit)
    rejected_count = pen_figures["falsely_rejected"] * len(one_digit)
    pen_figures["rejected_or_split"] = (rejected_count + len(readings) - len(one_digit)) / len(
        readings
    )
    policy = engine.fused_policy if engine.stroke is not None else engine.policy
    results["policy"] = {
        "image": {"reject_at": engine.policy.reject_at, "unsure_below": engine.policy.unsure_below},
        "strokes": {"reject_at": policy.reject_at, "unsure_below": policy.unsure_below},
    }
    return results, curves


def result(figures: dict) -> Result:
    kinds = Table(
        ["not a digit", "drawings", "rejected"],
        [
            [kind, str(row["drawings"]), f"{row['rejected']:.1%}"]
            for kind, row in figures["not digits"].items()
        ],
    )
    missed = figures["not digits"][LETTERS_KIND]["most often read as digits"]
    digits = Table(
        [
            "digits",
            "count",
            "falsely rejected",
            "accuracy",
            "on accepted",
            "ECE",
            "unsure: wrong caught",
            "unsure: right marked",
        ],
        [
            [
                kind,
                str(row["digits"]),
                f"{row['falsely_rejected']:.2%}",
                f"{row['accuracy']:.2%}",
                f"{row['accuracy_on_accepted']:.2%}",
                f"{row['ece']:.3f}",
                f"{row['unsure_catches_wrong']:.1%}",
                f"{row['unsure_marks_right']:.1%}",
            ]
            for kind, row in figures["digits"].items()
        ],
    )
    policy = figures["policy"]
    pen = figures["digits"][PEN_KIND]
    notes = [
        "Held-apart letters most often read as digits: "
        + ", ".join(f"{letter} ({count})" for letter, count in missed.items()),
        f"Pen digits read as several digits or none: {pen['read_as_several_or_none']}.",
        "Policy: images reject when not_digit >= {reject_at}, unsure below {unsure_below:.3f}; "
        "strokes (both models) reject when not_digit >= {s_reject}, unsure below "
        "{s_unsure:.3f}.".format(
            **policy["image"],
            s_reject=policy["strokes"]["reject_at"],
            s_unsure=policy["strokes"]["unsure_below"],
        ),
    ]
    headline = [
        Headline(
            "held-apart letters rejected",
            figures["not digits"][LETTERS_KIND]["rejected"],
            bar="rejection: held-apart letters",
        ),
        Headline(
            "pen digits (writers 31-44) rejected or split",
            pen["rejected_or_split"],
            bar="rejection: pen digits rejected or split",
        ),
        Headline(
            "MNIST test falsely rejected",
            figures["digits"]["MNIST test"]["falsely_rejected"],
            bar="rejection: MNIST falsely rejected",
        ),
    ]
    return Result(
        name="rejection",
        title=TITLE,
        command=f"{PROG} --diagram artifacts/evaluation/reliability.png --publish",
        intro=__doc__.split("\n\n", 1)[1],
        tables=[kinds, digits],
        notes=notes,
        headline=headline,
        figures=figures,
    )


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser(PROG, "Rejection and calibration.", MNIST, PENDIGITS, LETTERS)
    parser.add_argument("--diagram", type=Path, help="write the reliability diagram PNG here")

    def measure(args) -> Result:
        mnist = load_mnist(args.data)
        pen = load_pendigits(args.pen_data).of_groups(TEST_WRITERS)
        letters = load_letters(args.letters_data)
        figures, curves = evaluate(cli.engine(args), mnist, pen, letters)
        if args.diagram:
            atomic_write(args.diagram, lambda tmp: reliability_diagram(curves, tmp))
        return result(figures)

    return cli.main(PROG, parser, measure, argv)


if __name__ == "__main__":
    sys.exit(main())
