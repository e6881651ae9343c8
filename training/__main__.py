"""digits-train: train the image and stroke models; write them and their report to an artifacts
folder."""

import argparse
import json
import sys
from pathlib import Path

from runtime import cli
from training.artifacts import DEFAULT_FOLDER
from training.stack import training_stack

PROG = "digits-train"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    from training.options import add_options
    from training.sources import LETTERS, MNIST, PENDIGITS, add_data_options
    from training.train import TrainConfig

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Train the digit models on MNIST and pen strokes.",
    )
    add_data_options(parser, MNIST, PENDIGITS, LETTERS)
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_FOLDER, help="artifacts folder (default: artifacts)"
    )
    add_options(parser, TrainConfig, "training (all hyper-parameters: training/train.py)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    return cli.run(PROG, lambda: _main(argv))


def _main(argv: list[str] | None) -> int:
    with training_stack():
        return run(parse_args(argv))


def run(args: argparse.Namespace) -> int:
    import time

    from training.artifacts import FIGURE_FILE, MODEL_FILE, REPORT_FILE, STROKE_MODEL_FILE
    from training.data import load_mnist
    from training.dataset import build
    from training.files import check_writable, publish, text_writer
    from training.options import from_options
    from training.pen import load_letters, load_pendigits
    from training.report import build_report, save_figure, summary_table
    from training.train import TrainConfig, train

    config = from_options(TrainConfig, args)
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

    models = {args.out / MODEL_FILE: result.image.model}
    if result.stroke is not None:
        models[args.out / STROKE_MODEL_FILE] = result.stroke.model
    stale = args.out / STROKE_MODEL_FILE
    publish(
        {
            **{path: lambda tmp, model=model: model.save(tmp) for path, model in models.items()},
            args.out / REPORT_FILE: text_writer(json.dumps(report, indent=2) + "\n"),
            args.out / FIGURE_FILE: lambda tmp: save_figure(report, tmp),
        }
    )
    if result.stroke is None:
        stale.unlink(missing_ok=True)  # an earlier run's stroke model is not this run's
    print(summary_table(report))
    print(f"wrote {', '.join(path.name for path in models)}, {REPORT_FILE} and {FIGURE_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
