"""What a training run produced, for people and for the export step: JSON, a figure, a table."""

import platform
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import keras
import numpy as np

from runtime.engine import NUM_DIGITS
from training.accuracy import accuracy
from training.dataset import TrainingSet
from training.model import multiply_adds
from training.train import Fitted, TrainConfig, TrainResult


def build_report(
    config: TrainConfig, sources: list, data: TrainingSet, result: TrainResult
) -> dict:
    """`sources` are the loaded data sets (MNIST, pen digits, letters; None if not used)."""
    predicted = result.test_scores.argmax(axis=1)
    confusion = _confusion(result.test_labels, predicted)
    per_class = np.diag(confusion) / np.maximum(confusion.sum(axis=1), 1)
    return {
        "architecture": config.architecture,
        "test_accuracy": accuracy(result.test_scores, result.test_labels),
        "test_images": len(result.test_labels),
        "per_class_accuracy": {str(d): round(float(a), 5) for d, a in enumerate(per_class)},
        "confusion_matrix": confusion.tolist(),
        "composition": data.composition(),
        "models": {
            name: _model_report(fitted)
            for name, fitted in (("image", result.image), ("stroke", result.stroke))
            if fitted is not None
        },
        "config": asdict(config),
        "data": [{"source": s.source, "sha256": s.sha256} for s in sources if s is not None],
        "versions": _versions(),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _model_report(fitted: Fitted) -> dict:
    return {
        "name": fitted.model.name,
        "validation_accuracy": {k: round(v, 5) for k, v in fitted.validation_accuracy.items()},
        "parameters": int(fitted.model.count_params()),
        "multiply_adds": multiply_adds(fitted.model),
        "epochs_run": len(fitted.history.get("loss", [])),
        "train_seconds": round(fitted.seconds, 1),
        "history": fitted.history,
    }


def summary_table(report: dict) -> str:
    """The few figures a person wants at the end of a run, as an aligned table."""
    rows = [
        (
            "test accuracy (image model)",
            f"{report['test_accuracy']:.2%} of {report['test_images']}",
        ),
        ("worst digit", _worst_digit(report["per_class_accuracy"])),
    ]
    for role, model in report["models"].items():
        rows += [
            (f"{role} model", model["name"]),
            *(
                (f"  validation: {kind}", f"{share:.2%}")
                for kind, share in model["validation_accuracy"].items()
            ),
            ("  parameters", f"{model['parameters']:,}"),
            ("  multiply-adds", f"{model['multiply_adds']:,} per drawing"),
            ("  epochs", f"{model['epochs_run']}"),
            ("  training time", f"{model['train_seconds'] / 60:.1f} min"),
        ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def save_figure(report: dict, path: Path) -> None:
    """Loss and accuracy curves of each model beside the image model's confusion matrix."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (loss_axes, accuracy_axes, confusion_axes) = plt.subplots(1, 3, figsize=(16, 4.8))
    for role, model in report["models"].items():
        history = model["history"]
        epochs = range(1, len(history["loss"]) + 1)
        for axes, metric in ((loss_axes, "loss"), (accuracy_axes, "accuracy")):
            axes.plot(epochs, history[metric], label=f"{role}: train")
            if f"val_{metric}" in history:
                axes.plot(epochs, history[f"val_{metric}"], label=f"{role}: validation")
    for axes, metric in ((loss_axes, "loss"), (accuracy_axes, "accuracy")):
        axes.set(xlabel="epoch", title=metric)
        axes.grid(alpha=0.3)
        axes.legend()
    confusion = np.array(report["confusion_matrix"])
    confusion_axes.imshow(np.log1p(confusion), cmap="Blues")
    for (true, guess), count in np.ndenumerate(confusion):
        if count:
            colour = "white" if true == guess else "black"
            confusion_axes.text(
                guess, true, count, ha="center", va="center", fontsize=7, color=colour
            )
    confusion_axes.set(
        xticks=range(NUM_DIGITS),
        yticks=range(NUM_DIGITS),
        xlabel="predicted",
        ylabel="true",
        title=f"image model, MNIST test accuracy {report['test_accuracy']:.2%}",
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110, format="png")
    plt.close(figure)


def _confusion(labels: np.ndarray, predicted: np.ndarray) -> np.ndarray:
    confusion = np.zeros((NUM_DIGITS, NUM_DIGITS), dtype=np.int64)
    np.add.at(confusion, (labels.astype(np.int64), predicted.astype(np.int64)), 1)
    return confusion


def _worst_digit(per_class: dict[str, float]) -> str:
    digit = min(per_class, key=per_class.get)
    return f"{digit} ({per_class[digit]:.2%})"


def _versions() -> dict[str, str]:
    import tensorflow as tf

    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
    }
