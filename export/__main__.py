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
from runtime.engine import MODELS_DIR
from training.artifacts import DEFAULT_FOLDER, MODEL_FILE
from training.stack import training_stack

PROG = "digits-export"
DEFAULT_KERAS_MODEL = DEFAULT_FOLDER / MODEL_FILE
CARD_FILE = "MODEL_CARD.md"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from export.gate import DEFAULT_MAX_DROP
    from export.quantize import QuantSettings
    from training.sources import LETTERS, MNIST, PENDIGITS, add_data_options

    parser = argparse.ArgumentParser(
        prog=PROG, description="Export the trained models to fp32 and int8 ONNX."
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=DEFAULT_KERAS_MODEL,
        help="the image model; its stroke model is read from beside it (default: %(default)s)",
    )
    add_data_options(parser, MNIST, PENDIGITS, LETTERS)
    parser.add_argument(
        "--out", type=Path, default=MODELS_DIR, help="where to publish (default: %(default)s)"
    )
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
        help="training drawings used to calibrate int8 ranges (default %(default)s)",
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
    from export.pipeline import export_models, load_sources, metadata_of
    from export.quantize import QuantSettings
    from training.files import check_writable, publish, text_writer

    sources = load_sources(args.model, args.data, args.pen_data, args.letters_data)
    settings = replace(QuantSettings(), calibration_images=args.calibration_images)
    check_writable(args.out)
    exported = export_models(args.model, sources, settings)
    for role, gate in exported.gates.items():
        check_drop(gate.fp32, gate.int8, args.max_drop, role)

    # ByteSize is the size onnx.save writes: the card is written with the models, not after them
    published = {
        name: (metadata_of(model), model.ByteSize()) for name, model in exported.models.items()
    }
    writers = {
        args.out / name: lambda tmp, model=model: onnx.save(model, tmp)
        for name, model in exported.models.items()
    }
    publish({**writers, args.out / CARD_FILE: text_writer(model_card(published))})

    for name, (_, size) in published.items():
        print(f"{name:20s} {size / 1024:6.1f} KiB")
    for role, gate in exported.gates.items():
        print(
            f"{role} model, {gate.measured_on}: fp32 {gate.fp32:.2%}, int8 {gate.int8:.2%}; "
            f"parity max |keras - onnx| = {exported.parity[role]:.1e}"
        )
    print(f"published to {args.out}")


if __name__ == "__main__":
    sys.exit(main())
