"""digits-export: convert, check, quantize, gate and publish the models the runtime ships.

Nothing is published unless every step passes: the previous models stay in place, byte for byte.
Exit codes: 0 published, 1 refused by the accuracy gate or the parity check, 2 bad input.
"""

import argparse
import json
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from runtime.engine import DEFAULT_MODEL, MODELS_DIR
from runtime.errors import DigitsError

DEFAULT_KERAS_MODEL = Path("artifacts/model.keras")
FP32_FILE = "digits.fp32.onnx"
INT8_FILE = DEFAULT_MODEL.name
CARD_FILE = "MODEL_CARD.md"
PARITY_IMAGES = 1000


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from export.gate import DEFAULT_MAX_DROP
    from export.quantize import QuantSettings

    parser = argparse.ArgumentParser(
        prog="digits-export", description="Export the trained model to fp32 and int8 ONNX."
    )
    parser.add_argument("--model", type=Path, default=DEFAULT_KERAS_MODEL, help="Keras model")
    parser.add_argument("--data", help="MNIST .npz or IDX folder (default: $MNIST_DATA or Keras)")
    parser.add_argument("--out", type=Path, default=MODELS_DIR, help="where to publish")
    parser.add_argument(
        "--max-drop",
        type=float,
        default=DEFAULT_MAX_DROP,
        help="largest int8 accuracy loss allowed, in percentage points (default %(default)s)",
    )
    parser.add_argument(
        "--calibration-images",
        type=int,
        default=QuantSettings().calibration_images,
        help="training images used to calibrate int8 ranges (default %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    args = parse_args(argv)
    from export.convert import ExportError
    from export.gate import GateError

    try:
        run(args)
    except (GateError, ExportError) as error:
        print(f"digits-export: refused: {error}", file=sys.stderr)
        return 1
    except DigitsError as error:
        print(f"digits-export: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"digits-export: error: cannot write to {args.out}: {error}", file=sys.stderr)
        return 2
    return 0


def run(args: argparse.Namespace) -> None:
    import onnx

    from export import quantize
    from export.convert import check_parity, keras_to_onnx
    from export.gate import accuracy, check_drop
    from export.metadata import describe, model_card, with_metadata
    from export.quantize import QuantSettings
    from training.data import load_mnist
    from training.files import atomic_write, atomic_write_text
    from training.train import as_model_input

    keras_model = _load_keras(args.model)
    data = load_mnist(args.data)
    x_test, y_test = as_model_input(data.x_test), data.y_test

    fp32 = keras_to_onnx(keras_model)
    difference = check_parity(keras_model, fp32, x_test[:PARITY_IMAGES])

    settings = replace(QuantSettings(), calibration_images=args.calibration_images)
    calibration = quantize.calibration_images(data.x_train, settings.calibration_images)
    int8 = quantize.quantize_int8(fp32, calibration, settings)

    common = {
        "keras_model": args.model,
        "training_data_sha256": _training_data_sha256(args.model),
        "evaluation_data_sha256": data.sha256,
    }
    tagged = {
        FP32_FILE: with_metadata(fp32, describe(**common, precision="fp32")),
        INT8_FILE: with_metadata(
            int8, {**describe(**common, precision="int8"), **settings.as_metadata()}
        ),
    }
    with tempfile.TemporaryDirectory() as staging:
        accuracies = {}
        for name, model in tagged.items():
            onnx.save(model, Path(staging) / name)
            accuracies[name] = accuracy(Path(staging) / name, x_test, y_test)
    check_drop(accuracies[FP32_FILE], accuracies[INT8_FILE], args.max_drop)

    published = {}
    for name, model in tagged.items():
        meta = {p.key: p.value for p in model.metadata_props}
        final = with_metadata(model, {**meta, "test_accuracy": f"{accuracies[name]:.4f}"})
        atomic_write(args.out / name, lambda tmp, m=final: onnx.save(m, tmp))
        metadata = {p.key: p.value for p in final.metadata_props}
        published[name] = (metadata, (args.out / name).stat().st_size)
    atomic_write_text(args.out / CARD_FILE, model_card(published))

    for name, (meta, size) in published.items():
        print(
            f"{name:20s} test accuracy {float(meta['test_accuracy']):.2%}  {size / 1024:6.1f} KiB"
        )
    print(f"parity: max |keras - onnx| = {difference:.1e} on {PARITY_IMAGES} test images")
    print(f"published to {args.out}")


def _load_keras(path: Path):
    import keras

    if not path.is_file():
        raise DigitsError(f"Keras model not found: {path} (train one with digits-train)")
    try:
        return keras.models.load_model(path)
    except Exception as error:  # Keras raises many types for a bad file
        raise DigitsError(f"cannot load Keras model {path}: {error}") from error


def _training_data_sha256(keras_model: Path) -> str:
    """From the training report written beside the model, when there is one."""
    from training.__main__ import REPORT_FILE

    try:
        return json.loads((keras_model.parent / REPORT_FILE).read_text())["data"]["sha256"]
    except (OSError, ValueError, KeyError):
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
