"""digits-predict: read the digits in image files, or in pen strokes given as JSON (`python -m
runtime.predict`, or `python path/to/runtime/predict.py`).

One JSON line per input, the same for an image and for strokes (see `runtime.reader.Reading`).
An input that cannot be read gets a line with an "error" and the others are still read; the exit
code is then 1. A bad model is different: nothing can be read, so one stderr line and exit 2.

With `--profile PATH` (none unless named: a batch stays reproducible) the readings are tilted
toward a writer's profile, and a stroke line that carries `"label": d` is answered as any line,
then learned, so the next line already benefits; the profile is saved when the run ends, even
after Ctrl+C.
"""

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

if not __package__:  # run as a script (python path/to/runtime...): import the folder as a package
    _folder = Path(__file__).resolve().parent
    sys.path[:] = [str(_folder.parent), *(p for p in sys.path if Path(p).resolve() != _folder)]

from runtime import profile
from runtime.cli import run
from runtime.engine import DEFAULT_MODEL, Engine
from runtime.errors import DigitsError
from runtime.inputs import InputError, load_ink, parse_label, parse_strokes
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
    """The answer to one stroke drawing; with a profile, a line's "label" is learned after it is
    answered (only a drawing read as one part can be learned)."""
    try:
        strokes, label = parse_strokes(text), parse_label(text)
        reading = reader.read_strokes(strokes)
        if label is not None and reader.profile is not None:
            if reading.single is None or reading.single.embedding is None:
                raise InputError('"label" is for a drawing of one digit')
            reader.profile.learn(reading.single.embedding, label)
        return {**where, **reading.as_json()}
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
    parser.add_argument(
        "--no-strokes", action="store_true", help="read strokes with the image model alone"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help='a writer\'s profile to read with; stroke lines with a "label" teach it',
    )
    parser.add_argument("--no-profile", action="store_true", help="use no profile (the default)")
    args = parser.parse_args(argv)
    if bool(args.images) == bool(args.strokes):
        parser.error("give image files or --strokes FILE, not both and not neither")

    def body() -> int:
        engine = Engine(args.model, strokes=not args.no_strokes)
        writer = None
        if args.profile is not None and not args.no_profile:
            loaded = profile.load(args.profile, engine.model_id)
            if loaded.message:
                print(f"{PROG}: {loaded.message}", file=sys.stderr)
            writer = loaded.profile
        reader = Reader(engine, writer)
        answers = (
            predict_strokes(reader, args.strokes)
            if args.strokes
            else (predict_file(reader, path) for path in args.images)
        )
        failed = False
        try:
            for answer in answers:
                failed |= "error" in answer
                print(json.dumps(answer), flush=True)
        finally:
            if writer is not None:
                writer.save(args.profile)
        return 1 if failed else 0

    return run(PROG, body)


if __name__ == "__main__":
    sys.exit(main())
