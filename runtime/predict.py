"""digits-predict: read the digits in image files, or in pen strokes given as JSON (`python -m
runtime.predict`, or `python path/to/runtime/predict.py`).

One JSON line per input, the same for an image and for strokes (see `runtime.reader.Reading`).
An input that cannot be read gets a line with an "error" and the others are still read; the exit
code is then 1. A bad model is different: nothing can be read, so one stderr line and exit 2.
"""

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

if not __package__:  # run as a script (python path/to/runtime...): import the folder as a package
    _folder = Path(__file__).resolve().parent
    sys.path[:] = [str(_folder.parent), *(p for p in sys.path if Path(p).resolve() != _folder)]

from runtime.cli import run
from runtime.engine import DEFAULT_MODEL, Engine
from runtime.errors import DigitsError
from runtime.inputs import load_ink, parse_strokes
from runtime.reader import Reader

PROG = "digits-predict"
STDIN = "-"


def predict_file(reader: Reader, path: str) -> dict:
    """The JSON-ready answer for one image file, named as the user gave it (as a stroke file is);
    a blank image gets nulls, never a guess."""
    try:
        return {"file": path, **reader.read_ink(load_ink(Path(path))).as_json()}
    except DigitsError as error:
        return {"file": path, "error": str(error)}


def predict_strokes(reader: Reader, source: str) -> Iterator[dict]:
    """The answers for a stroke file (one JSON object) or for standard input (one a line)."""
    if source != STDIN:
        try:
            text = Path(source).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            yield {"file": source, "error": f"cannot read: {getattr(error, 'strerror', error)}"}
            return
        yield _strokes_answer(reader, text, {"file": source})
        return
    for number, line in enumerate(sys.stdin, 1):
        if line.strip():
            yield _strokes_answer(reader, line, {"file": STDIN, "line": number})


def _strokes_answer(reader: Reader, text: str, where: dict) -> dict:
    try:
        return {**where, **reader.read_strokes(parse_strokes(text)).as_json()}
    except DigitsError as error:
        return {**where, "error": str(error)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Read the digits in images or strokes (JSON lines on stdout)."
    )
    parser.add_argument("images", nargs="*", metavar="IMAGE")
    parser.add_argument(
        "--strokes",
        metavar="FILE",
        help='read {"strokes": [[[x, y], ...], ...]} from FILE, or one object a line from - '
        "(standard input), instead of images",
    )
    parser.add_argument("--model", default=DEFAULT_MODEL, help="ONNX model (default: %(default)s)")
    args = parser.parse_args(argv)
    if bool(args.images) == bool(args.strokes):
        parser.error("give image files or --strokes FILE, not both and not neither")

    def body() -> int:
        reader = Reader(Engine(args.model))
        answers = (
            predict_strokes(reader, args.strokes)
            if args.strokes
            else (predict_file(reader, path) for path in args.images)
        )
        failed = False
        for answer in answers:
            failed |= "error" in answer
            print(json.dumps(answer), flush=True)
        return 1 if failed else 0

    return run(PROG, body)


if __name__ == "__main__":
    sys.exit(main())
