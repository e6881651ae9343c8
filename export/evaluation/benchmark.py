"""python -m export.evaluation.benchmark: every way to run the models, side by side, in one run.

Rows: a stroke reading as the pad runs it (the shipped int8 image and stroke models, one call
each), each shipped model alone, the classic tutorial CNN exported the same way (the baseline
every ratio refers to: its fp32 ONNX model on one image), any extra candidate models, LiteRT
int8 of the shipped image model when `ai-edge-litert` is installed, and Keras itself.
Columns: MNIST test accuracy (image models), file size, single-drawing median and p99 latency,
batch-256 latency and throughput, and the single-drawing ratio to the baseline. All ONNX and
LiteRT timings use one thread, through the runtime's engine.
"""

import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from export.evaluation import cli
from export.evaluation.report import Headline, Result, Table
from runtime.cli import positive_int
from runtime.engine import MODELS_DIR
from runtime.errors import DigitsError
from training.accuracy import accuracy
from training.artifacts import DEFAULT_FOLDER, MODEL_FILE
from training.sources import LETTERS, MNIST, PENDIGITS

PROG = "python -m export.evaluation.benchmark"
TITLE = "Speed, size and accuracy"
BASELINE_ROW = "baseline fp32 ONNX"
PAIR_ROW = "shipped: a stroke reading (image + stroke int8)"
DEFAULT_BASELINE = DEFAULT_FOLDER / "tutorial" / MODEL_FILE


@dataclass(frozen=True)
class Row:
    name: str
    accuracy: float  # MNIST test; NaN for the stroke model, which reads no images
    size_bytes: int
    single_median_us: float
    single_p99_us: float
    batch_median_ms: float
    throughput: float
    ratio: float = float("nan")  # single-drawing median / the baseline's


def measure(args) -> Result:
    import numpy as np
    import onnx

    from export.evaluation.latency import Variant, measure, measure_files
    from export.pipeline import Sources, export_models, load_keras, load_sources, model_file
    from export.quantize import QuantSettings
    from runtime.engine import LOGITS_NAME, NUM_DIGITS, Engine
    from runtime.preprocess import model_batch
    from training.data import load_mnist

    def sources(keras_path: Path):
        return load_sources(keras_path, args.data, args.pen_data, args.letters_data)

    with_keras = args.keras_model is not None
    shipped = sources(args.keras_model) if with_keras else Sources(load_mnist(args.data))
    x_test, y_test = model_batch(shipped.mnist.x_test), shipped.mnist.y_test
    image, stroke = (args.models_dir / model_file(stem, "int8") for stem in ("digits", "strokes"))
    with tempfile.TemporaryDirectory() as scratch:
        variants = {
            PAIR_ROW: Variant(image, "pair"),
            "shipped image int8 ONNX": Variant(image, "image"),
            "shipped stroke int8 ONNX": Variant(image, "stroke"),
            "shipped image fp32 ONNX": Variant(
                args.models_dir / model_file("digits", "fp32"), "image"
            ),
        }
        for variant in variants.values():
            if not variant.path.is_file():
                raise DigitsError(f"model not found: {variant.path}")
        exports = {"baseline": args.baseline, **{p.parent.name: p for p in args.candidate}}
        sizes = {PAIR_ROW: image.stat().st_size + stroke.stat().st_size}
        sizes["shipped stroke int8 ONNX"] = stroke.stat().st_size
        for label, keras_path in exports.items():
            exported = export_models(keras_path, sources(keras_path), QuantSettings())
            folder = Path(scratch) / label
            folder.mkdir()
            for name, model in exported.models.items():
                onnx.save(model, folder / name)
            for precision in ("fp32", "int8"):
                variants[f"{label} {precision} ONNX"] = Variant(
                    folder / model_file("digits", precision), "image"
                )
            if (folder / model_file("strokes", "int8")).is_file():
                pair = f"{label}: a stroke reading (image + stroke int8)"
                variants[pair] = Variant(folder / model_file("digits", "int8"), "pair")
                sizes[pair] = sum(
                    (folder / model_file(s, "int8")).stat().st_size for s in ("digits", "strokes")
                )
        if with_keras and _litert_available():
            variants["shipped image int8 LiteRT"] = Variant(
                _litert_int8(args.keras_model, shipped, Path(scratch)), "litert"
            )
        latencies = measure_files(variants, rounds=args.rounds)
        keras_runs = {}
        if with_keras:
            keras_model = load_keras(args.keras_model)
            keras_runs = {
                "Keras model(x)": lambda n: lambda x=x_test[:n]: keras_model(x, training=False),
                "Keras predict": lambda n: (
                    lambda x=x_test[:n]: keras_model.predict(x, batch_size=256, verbose=0)
                ),
            }
            latencies |= measure(keras_runs, rounds=3, calls=30, batch_calls=3)
        scores = {}
        for name, variant in variants.items():
            if variant.kind == "stroke":
                continue
            if variant.kind == "litert":
                from export.evaluation.latency import LiteRtRunner

                run = LiteRtRunner(variant.path)
            else:
                run = Engine(variant.path, strokes=False).probabilities
            scores[name] = np.concatenate(
                [run(x_test[i : i + 256]) for i in range(0, len(x_test), 256)]
            )
            sizes.setdefault(name, variant.path.stat().st_size)
    for name in keras_runs:
        logits = keras_model.predict(x_test, batch_size=256, verbose=0)[LOGITS_NAME]
        scores[name] = logits[:, :NUM_DIGITS]
        sizes[name] = args.keras_model.stat().st_size
    baseline = latencies[BASELINE_ROW].single_median_us
    rows = [
        Row(
            name=name,
            accuracy=accuracy(scores[name], y_test) if name in scores else float("nan"),
            size_bytes=sizes[name],
            single_median_us=latency.single_median_us,
            single_p99_us=latency.single_p99_us,
            batch_median_ms=latency.batch_median_ms,
            throughput=latency.throughput,
            ratio=latency.single_median_us / baseline,
        )
        for name, latency in latencies.items()
    ]
    return result(rows, args.rounds)


def result(rows: list[Row], rounds: int) -> Result:
    table = Table(
        [
            "variant",
            "MNIST test",
            "size",
            "1 drawing median",
            "1 drawing p99",
            "batch 256",
            "throughput",
            "vs baseline",
        ],
        [
            [
                r.name,
                "-" if r.accuracy != r.accuracy else f"{r.accuracy:.2%}",
                f"{r.size_bytes / 1024:.1f} KiB",
                _time(r.single_median_us),
                _time(r.single_p99_us),
                f"{r.batch_median_ms:.2f} ms",
                f"{r.throughput:,.0f}/s",
                f"{r.ratio:.2f}x",
            ]
            for r in rows
        ],
    )
    by_name = {r.name: r for r in rows}
    pair = by_name[PAIR_ROW]
    headline = [
        Headline(
            "per digit, both models of a stroke reading, vs the baseline",
            round(pair.ratio, 2),
            "x",
            "per-digit latency, all models",
        ),
        Headline(
            "shipped int8 models together",
            round(pair.size_bytes / 1000, 1),
            "KB",
            "shipped int8 models together",
        ),
        Headline(
            "MNIST test, shipped int8 image model",
            by_name["shipped image int8 ONNX"].accuracy,
            bar="MNIST test, shipped int8",
        ),
    ]
    return Result(
        name="benchmark",
        title=TITLE,
        command=f"{PROG} --rounds {rounds} --publish",
        intro=__doc__.split("\n\n", 1)[1],
        tables=[table],
        headline=headline,
        figures={"rows": [asdict(r) for r in rows]},
    )


def _call(function, *inputs, **options):
    return lambda: function(*inputs, **options)


def _time(microseconds: float) -> str:
    return f"{microseconds:.0f} µs" if microseconds < 1000 else f"{microseconds / 1000:.2f} ms"


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
    from export.quantize import QuantSettings, calibration_inputs

    load_keras(keras_path).export(scratch / "saved_model", verbose=False)
    calibration, _ = calibration_inputs(sources, QuantSettings().calibration_images)
    converter = tf.lite.TFLiteConverter.from_saved_model(str(scratch / "saved_model"))
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([image[None]] for image in calibration)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    path = scratch / "shipped.int8.tflite"
    path.write_bytes(converter.convert())
    return path


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser(PROG, __doc__.splitlines()[0], MNIST, PENDIGITS, LETTERS)
    parser.add_argument(
        "--keras-model",
        type=Path,
        help="the shipped models' Keras image model, for the Keras and LiteRT rows (without "
        "it, those are left out)",
    )
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR, help="shipped ONNX models")
    parser.add_argument(
        "--baseline",
        type=Path,
        default=DEFAULT_BASELINE,
        help="the tutorial CNN, the baseline (digits-train --arch tutorial --stroke-epochs 0 "
        "--out artifacts/tutorial)",
    )
    parser.add_argument(
        "--candidate",
        type=Path,
        action="append",
        default=[],
        help="another trained Keras image model to export and measure (repeatable)",
    )
    parser.add_argument("--rounds", type=positive_int, default=7, help="timing rounds (default 7)")
    return cli.main(PROG, parser, measure, argv, tensorflow=True)


if __name__ == "__main__":
    sys.exit(main())
