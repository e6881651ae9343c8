"""python -m export.evaluation.benchmark: every way to run the model, side by side, in one run.

Rows: Keras (`model(x)` and `predict`), the shipped ONNX fp32 and int8 models, the classic
tutorial CNN exported the same way (the baseline every ratio refers to), any extra candidate
architectures, and LiteRT int8 of the shipped model when `ai-edge-litert` is installed.
Columns: MNIST test accuracy, file size, single-image median and p99 latency, batch-256
latency and throughput, and the single-image ratio to the baseline's fp32 ONNX model.
All ONNX and LiteRT timings use one thread.
"""

import argparse
import json
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from runtime import cli
from runtime.cli import positive_int
from runtime.errors import DigitsError
from training.accuracy import accuracy
from training.stack import training_stack

PROG = "python -m export.evaluation.benchmark"
BASELINE_ROW = "baseline fp32 ONNX"
DEFAULT_BASELINE = Path("artifacts/tutorial/model.keras")


@dataclass(frozen=True)
class Row:
    name: str
    accuracy: float
    size_bytes: int
    single_median_us: float
    single_p99_us: float
    batch_median_ms: float
    throughput: float
    ratio: float = float("nan")  # single-image median / the baseline's


def main(argv: list[str] | None = None) -> int:
    return cli.run(PROG, lambda: _main(argv))


def _main(argv: list[str] | None) -> None:
    with training_stack():
        args = _parse_args(argv)
        rows = run(args)
    print(table(rows))
    if args.json:
        from training.files import atomic_write_text

        atomic_write_text(args.json, json.dumps([asdict(r) for r in rows], indent=2) + "\n")


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    from export.__main__ import DEFAULT_KERAS_MODEL
    from runtime.engine import MODELS_DIR

    parser = argparse.ArgumentParser(prog=PROG, description=__doc__)
    parser.add_argument("--model", type=Path, default=DEFAULT_KERAS_MODEL, help="Keras model")
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR, help="shipped ONNX models")
    parser.add_argument(
        "--baseline",
        type=Path,
        default=DEFAULT_BASELINE,
        help="the tutorial CNN (digits-train --arch tutorial --out artifacts/tutorial)",
    )
    parser.add_argument(
        "--candidate",
        type=Path,
        action="append",
        default=[],
        help="another trained Keras model to export and measure (repeatable)",
    )
    parser.add_argument("--data", help="MNIST .npz or IDX folder (default: $MNIST_DATA or Keras)")
    parser.add_argument(
        "--pen-data", help="pendigits .npz or UCI folder, to calibrate (default: $PENDIGITS_DATA)"
    )
    parser.add_argument(
        "--letters-data", help="UNIPEN letters .npz, to calibrate (default: $LETTERS_DATA)"
    )
    parser.add_argument("--rounds", type=positive_int, default=7, help="timing rounds (default 7)")
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> list[Row]:
    import onnx

    from export.__main__ import FP32_FILE, INT8_FILE
    from export.evaluation.latency import measure, measure_files, runner
    from export.pipeline import export_models, load_keras, load_sources
    from export.quantize import QuantSettings
    from runtime.engine import OUTPUT_NAME
    from runtime.preprocess import model_batch

    def sources(keras_path: Path):
        return load_sources(keras_path, args.data, args.pen_data, args.letters_data)

    shipped = sources(args.model)
    x_test, y_test = model_batch(shipped.mnist.x_test), shipped.mnist.y_test
    with tempfile.TemporaryDirectory() as scratch:
        files = {
            "shipped fp32 ONNX": args.models_dir / FP32_FILE,
            "shipped int8 ONNX": args.models_dir / INT8_FILE,
        }
        for path in files.values():
            if not path.is_file():
                raise DigitsError(f"model not found: {path}")
        exports = {"baseline": args.baseline, **{p.parent.name: p for p in args.candidate}}
        for label, keras_path in exports.items():
            exported = export_models(keras_path, sources(keras_path), QuantSettings())
            for precision, model in (("fp32", exported.fp32), ("int8", exported.int8)):
                path = Path(scratch) / f"{label}.{precision}.onnx"
                onnx.save(model, path)
                files[f"{label} {precision} ONNX"] = path
        if _litert_available():
            files["shipped int8 LiteRT"] = _litert_int8(args.model, shipped, Path(scratch))

        latencies = measure_files(files, rounds=args.rounds)
        keras_model = load_keras(args.model)
        keras_runs = {
            "Keras model(x)": lambda x: keras_model(x, training=False),
            "Keras predict": lambda x: keras_model.predict(x, batch_size=256, verbose=0),
        }
        latencies |= measure(keras_runs, rounds=3, calls=30, batch_calls=3)

        scores = {name: _in_batches(runner(path), x_test) for name, path in files.items()}
        sizes = {name: path.stat().st_size for name, path in files.items()}
    for name in keras_runs:
        scores[name] = keras_runs["Keras predict"](x_test)[OUTPUT_NAME]
        sizes[name] = args.model.stat().st_size
    accuracies = {name: accuracy(probabilities, y_test) for name, probabilities in scores.items()}

    baseline = latencies[BASELINE_ROW].single_median_us
    return [
        Row(
            name=name,
            accuracy=accuracies[name],
            size_bytes=sizes[name],
            single_median_us=latency.single_median_us,
            single_p99_us=latency.single_p99_us,
            batch_median_ms=latency.batch_median_ms,
            throughput=latency.throughput,
            ratio=latency.single_median_us / baseline,
        )
        for name, latency in latencies.items()
    ]


def table(rows: list[Row]) -> str:
    """A Markdown table, ready for the README."""
    header = (
        "| variant | test accuracy | size | 1 image median | 1 image p99 | batch 256 "
        "| throughput | vs baseline |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    )
    lines = [
        f"| {r.name} | {r.accuracy:.2%} | {r.size_bytes / 1024:.1f} KiB "
        f"| {_time(r.single_median_us)} | {_time(r.single_p99_us)} "
        f"| {r.batch_median_ms:.2f} ms | {r.throughput:,.0f}/s | {r.ratio:.2f}x |"
        for r in rows
    ]
    return "\n".join([header, *lines])


def _time(microseconds: float) -> str:
    return f"{microseconds:.0f} µs" if microseconds < 1000 else f"{microseconds / 1000:.2f} ms"


def _in_batches(run, images, batch: int = 256):
    """`run` on all `images`, a batch at a time: LiteRT keeps an interpreter per batch size."""
    import numpy as np

    return np.concatenate(
        [run(images[start : start + batch]) for start in range(0, len(images), batch)]
    )


def _litert_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("ai_edge_litert") is not None


def _litert_int8(keras_path: Path, sources, scratch: Path) -> Path:
    """Full-integer LiteRT model with float input and output, calibrated on training images.

    Through a SavedModel: converting a traced tf.function directly leaves its variables
    unfrozen and calibration fails.
    """
    import tensorflow as tf

    from export.pipeline import load_keras
    from export.quantize import QuantSettings, calibration_images

    load_keras(keras_path).export(scratch / "saved_model", verbose=False)
    calibration = calibration_images(sources, QuantSettings().calibration_images)
    converter = tf.lite.TFLiteConverter.from_saved_model(str(scratch / "saved_model"))
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([image[None]] for image in calibration)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    path = scratch / "shipped.int8.tflite"
    path.write_bytes(converter.convert())
    return path


if __name__ == "__main__":
    sys.exit(main())
