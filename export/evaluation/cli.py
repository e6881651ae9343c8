"""The command line every evaluation shares: which models, which data, where the results go.

`--model` names the image model (its stroke model is found beside it; `--no-strokes` reads with
the image model alone), the data options are those of training and export, the table is printed,
`--json` writes the figures for machines and `--publish` writes the evaluation's section of
EVALUATION.md, its stored result and the README's headline table (`export.evaluation.report`).
"""

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from export.evaluation.report import Result, publish
from runtime.cli import run
from runtime.engine import DEFAULT_MODEL, Engine
from training.files import atomic_write_text
from training.sources import Source, add_data_options
from training.stack import training_stack


def parser(prog: str, description: str, *sources: Source) -> argparse.ArgumentParser:
    """The shared options, with the data options of `sources`."""
    made = argparse.ArgumentParser(prog=prog, description=description)
    made.add_argument(
        "--model",
        type=Path,
        default=DEFAULT_MODEL,
        help="the image model; its stroke model is read from beside it (default: shipped)",
    )
    made.add_argument("--no-strokes", action="store_true", help="read with the image model alone")
    add_data_options(made, *sources)
    made.add_argument("--json", type=Path, help="also write the figures here")
    made.add_argument(
        "--publish",
        action="store_true",
        help="write the table into EVALUATION.md and the headline figures into README.md",
    )
    return made


def engine(args: argparse.Namespace) -> Engine:
    return Engine(args.model, strokes=not args.no_strokes)


def main(
    prog: str,
    made: argparse.ArgumentParser,
    evaluate: Callable[[argparse.Namespace], Result],
    argv: list[str] | None,
    tensorflow: bool = False,
) -> int:
    """Parse, evaluate, print the Markdown and write what was asked; errors as one line."""
    args = made.parse_args(argv)

    def body() -> None:
        with training_stack(tensorflow=tensorflow):
            result = evaluate(args)
        print(result.markdown())
        if args.json:
            atomic_write_text(args.json, json.dumps(result.as_json(), indent=2) + "\n")
        if args.publish:
            publish(result)

    return run(prog, body)
