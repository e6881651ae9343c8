"""digits-pad: the drawing pad from the command line (`python -m runtime`, or `python
path/to/runtime`).

The model is loaded before the window opens, so a bad model costs one stderr line and exit code
2 and never flashes a window.
"""

import argparse
import json
import math
import sys
from pathlib import Path

if not __package__:  # run as a script (python path/to/runtime...): import the folder as a package
    _folder = Path(__file__).resolve().parent
    sys.path[:] = [str(_folder.parent), *(p for p in sys.path if Path(p).resolve() != _folder)]

from runtime import canvas, pad, profile
from runtime.cli import run
from runtime.engine import DEFAULT_MODEL, Engine

PROG = "digits-pad"
BRUSH_RANGE = (0.01, 0.3)  # thinner is invisible on a small canvas, thicker is one blob


def main(argv: list[str] | None = None) -> int:
    """Run the pad until the user quits: 0, or 2 with one stderr line for a user's error (and 2
    from argparse for bad arguments); 130 after Ctrl+C, without a traceback (`runtime.cli`)."""
    args = _parser().parse_args(argv)

    def body() -> None:
        engine = Engine(args.model, strokes=not args.no_strokes)
        writer, path = None, None
        if not args.no_profile:
            path = args.profile or profile.default_path()
            loaded = profile.load(path, engine.model_id)
            if loaded.message:
                print(f"{PROG}: {loaded.message}", file=sys.stderr)
            writer = loaded.profile
        emit = _print_event if args.print_predictions else None
        pad.run(
            engine,
            window_size=args.size,
            brush_fraction=args.brush,
            emit=emit,
            profile=writer,
            profile_path=path,
        )

    return run(PROG, body)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Draw a digit with the mouse and see what the model reads."
    )
    parser.add_argument(
        "--model", type=Path, default=DEFAULT_MODEL, help="ONNX model (default: %(default)s)"
    )
    parser.add_argument(
        "--brush",
        type=_brush,
        default=canvas.BRUSH_FRACTION,
        help="brush width as a fraction of the canvas (default: %(default)s)",
    )
    parser.add_argument(
        "--size",
        type=_window_size,
        default=pad.WINDOW_SIZE,
        metavar="WxH",
        help="initial window size in pixels (default: {}x{})".format(*pad.WINDOW_SIZE),
    )
    parser.add_argument("--no-strokes", action="store_true", help="read with the image model alone")
    parser.add_argument(
        "--profile",
        type=Path,
        help="the writer's profile, what the pad learns of them (default: "
        f"{profile.default_path()})",
    )
    parser.add_argument("--no-profile", action="store_true", help="learn nothing, use no profile")
    parser.add_argument(
        "--print-predictions",
        action="store_true",
        help="write ready/prediction/clear events to stdout as JSON lines",
    )
    return parser


def _brush(text: str) -> float:
    low, high = BRUSH_RANGE
    try:
        fraction = float(text)
    except ValueError:
        fraction = math.nan  # fails the range check below, with the same message
    if not low <= fraction <= high:
        raise argparse.ArgumentTypeError(f"must be a number from {low} to {high}, got {text!r}")
    return fraction


def _window_size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    min_w, min_h = pad.MIN_WINDOW_SIZE
    if not (width.isdigit() and height.isdigit()) or int(width) < min_w or int(height) < min_h:
        raise argparse.ArgumentTypeError(f"must be WxH, at least {min_w}x{min_h}, got {text!r}")
    return (int(width), int(height))


def _print_event(event: dict) -> None:
    print(json.dumps(event), flush=True)


if __name__ == "__main__":
    sys.exit(main())
