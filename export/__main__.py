"""digits-export: convert, check, quantize, gate and publish the models the runtime ships.

Nothing is published unless every step passes: the previous models stay in place, byte for byte.
Exit codes: 0 published, 1 refused by the accuracy gate or the parity check, 2 bad input.
"""

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from runtime import cli
from runtime.cli import non_negative_number, positive_int
from runtime.engine import DEFAULT_MODEL, MODELS_DIR
from training.stack import training_stack

PROG = "digits-export"
DEFAULT_KERAS_MODEL = Path("artifacts/model.keras")
FP32_FILE = "digits.fp32.onnx"
INT8_FILE = DEFAULT_MODEL.name
CARD_FILE = "MODEL_CARD.md"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from export.gate import DEFAULT_MAX_DROP
    from export.quantize import QuantSettings

    parser = argparse.ArgumentParser(
        prog=PROG, description="Export the trained model to fp32 and int8 ONNX."
    )
    parser.add_argument("--model", type=Path, default=DEFAULT_KERAS_MODEL, help="Keras model")
    parser.add_argument("--data", help="MNIST .npz or IDX folder (default: $MNIST_DATA or Keras)")
    parser.add_argument(
        "--pen-data", help="pendigits .npz or UCI folder, to calibrate (default: $PENDIGITS_DATA)"
    )
    parser.add_argument(
        "--letters-data", help="UNIPEN letters .npz, to calibrate (default: $LETTERS_DATA)"
    )
    parser.add_argument("--out", type=Path, default=MODELS_DIR, help="where to publish")
    parser.add_argument(
        "--max-drop",
        type=non_negative_number,
        default=DEFAULT_MAX_DROP,
        help="largest int8 accuracy loss allowed, in percentage points (default %(default)s)",
    )
    parser.add_argument(
        "--calibration-images",
        type=positive_int,
        default=QuantSettings().calibration_images,
        help="training images used to calibrate int8 ranges (default %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    return cli.run(PROG, lambda: _main(argv))


def _main(argv: list[str] | None) -> None:
    with training_stack():
        run(parse_args(argv))


def run(args: argparse.Namespace) -> None:
    import onnx

    from export.gate import check_drop
    from export.metadata import model_card
    from export.pipeline import PARITY_IMAGES, export_models, load_sources, metadata_of
    from export.quantize import QuantSettings
    from training.files import check_writable, publish, text_writer

    sources = load_sources(args.model, args.data, args.pen_data, args.letters_data)
    settings = replace(QuantSettings(), calibration_images=args.calibration_images)
    check_writable(args.out)
    exported = export_models(args.model, sources, settings)
    check_drop(exported.fp32_accuracy, exported.int8_accuracy, args.max_drop)

    models = {FP32_FILE: exported.fp32, INT8_FILE: exported.int8}
    # ByteSize is the size onnx.save writes: the card is written with the models, not after them
    published = {name: (metadata_of(model), model.ByteSize()) for name, model in models.items()}
    writers = {
        args.out / name: lambda tmp, model=model: onnx.save(model, tmp)
        for name, model in models.items()
    }
    publish({**writers, args.out / CARD_FILE: text_writer(model_card(published))})

    for name, (meta, size) in published.items():
        accuracy = float(meta["test_accuracy"])
        print(f"{name:18s} test accuracy {accuracy:.2%}  {size / 1024:6.1f} KiB")
    print(f"parity: max |keras - onnx| = {exported.parity:.1e} on {PARITY_IMAGES} test images")
    print(f"published to {args.out}")


if __name__ == "__main__":
    sys.exit(main())
