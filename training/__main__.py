"""digits-train: train the digit model on MNIST; write it and its report to an artifacts folder."""

import argparse
import json
import sys
from dataclasses import fields, replace
from pathlib import Path

from runtime import cli
from runtime.cli import fraction, non_negative_int, positive_int, positive_number, seed
from training.stack import training_stack

PROG = "digits-train"
DEFAULT_OUT = Path("artifacts")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from training.model import ARCHITECTURES
    from training.pen import LETTERS_ENV, PEN_DATA_OPTION_HELP
    from training.train import TrainConfig

    defaults = TrainConfig()
    parser = argparse.ArgumentParser(prog=PROG, description="Train the digit classifier on MNIST.")
    parser.add_argument(
        "--data",
        help="MNIST as a Keras-layout .npz or a folder of the four IDX files (gzipped or not); "
        "default: $MNIST_DATA, else Keras's download",
    )
    parser.add_argument("--pen-data", help=PEN_DATA_OPTION_HELP)
    parser.add_argument(
        "--letters-data", help=f"UNIPEN letters .npz, the negatives (default: ${LETTERS_ENV})"
    )
    parser.add_argument(
        "--mnist-only",
        action="store_true",
        default=None,
        help="train on MNIST alone: no pen digits and no 'not a digit' class",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="artifacts folder")
    parser.add_argument("--arch", dest="architecture", choices=sorted(ARCHITECTURES))
    parser.add_argument("--epochs", type=positive_int)
    parser.add_argument("--batch-size", type=positive_int)
    parser.add_argument(
        "--learning-rate", type=positive_number, help="peak of the warm-up + cosine schedule"
    )
    parser.add_argument("--seed", type=seed, help="for the data split, weights and augmentation")
    parser.add_argument("--val-split", type=fraction, help="share of training images held out")
    parser.add_argument(
        "--patience", type=positive_int, help="early stopping: epochs without improvement"
    )
    parser.add_argument(
        "--label-smoothing", type=fraction, help="share of each target spread over all classes"
    )
    parser.add_argument(
        "--clean-epochs", type=non_negative_int, help="last epochs trained without augmentation"
    )
    parser.add_argument(
        "--limit", type=positive_int, help="use only the first N train and test images"
    )
    mix = parser.add_argument_group("the pen drawings in training (see training/dataset.py)")
    mix.add_argument(
        "--pen-variants", type=non_negative_int, help="varied renderings per pen digit"
    )
    mix.add_argument(
        "--styled-per-digit", type=non_negative_int, help="slashed 0s, flagged 1s, crossed 7s"
    )
    mix.add_argument("--elastic", type=fraction, help="size of the strokes' elastic warp")
    parser.set_defaults(**{f.name: None for f in fields(defaults)})
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    return cli.run(PROG, lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    with training_stack():
        return run(parse_args(argv))


def _config(args: argparse.Namespace):
    """TrainConfig's defaults, with whatever the command line set."""
    from training.train import TrainConfig

    def given(names, into):
        values = {name: getattr(args, name, None) for name in names}
        return replace(into, **{k: v for k, v in values.items() if v is not None})

    defaults = TrainConfig()
    stroke = given(["elastic"], defaults.mix.stroke_augmentation)
    mix = given(["pen_variants", "styled_per_digit"], defaults.mix)
    config = given([f.name for f in fields(TrainConfig)], defaults)
    return replace(config, mix=replace(mix, stroke_augmentation=stroke))


def run(args: argparse.Namespace) -> int:
    import time

    from training.artifacts import FIGURE_FILE, MODEL_FILE, REPORT_FILE
    from training.data import load_mnist
    from training.dataset import build
    from training.files import check_writable, publish, text_writer
    from training.pen import load_letters, load_pendigits
    from training.report import build_report, save_figure, summary_table
    from training.train import train

    config = _config(args)
    started = time.perf_counter()
    mnist = load_mnist(args.data)
    pen = letters = None
    if not config.mnist_only:
        pen, letters = load_pendigits(args.pen_data), load_letters(args.letters_data)
    data = build(mnist, pen, letters, config.mix, config.val_split, config.seed, config.limit)
    x_test, y_test = mnist.x_test, mnist.y_test
    if config.limit is not None:
        x_test, y_test = x_test[: config.limit], y_test[: config.limit]
    check_writable(args.out)
    result = train(config, data, x_test, y_test)
    report = build_report(config, [mnist, pen, letters], data, result)
    report["total_seconds"] = round(time.perf_counter() - started, 1)

    publish(
        {
            args.out / MODEL_FILE: lambda tmp: result.model.save(tmp),
            args.out / REPORT_FILE: text_writer(json.dumps(report, indent=2) + "\n"),
            args.out / FIGURE_FILE: lambda tmp: save_figure(report, tmp),
        }
    )
    print(summary_table(report))
    print(f"wrote {args.out / MODEL_FILE}, {REPORT_FILE} and {FIGURE_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
