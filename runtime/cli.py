"""What every digits command line shares: its argument types, and its errors as one stderr line.

A user's mistake must cost one line and an exit code, never a traceback, and a bad number must
be refused before any work starts rather than run into a useless result. Programming errors
still raise. The exit codes given here: 1 when a tool refused its own result (see `Refusal`),
2 for a user's error, as argparse uses for bad arguments; a body may return its own, as
digits-predict returns 1 when some of its files could not be read.
"""

import argparse
import math
import os
import sys
from collections.abc import Callable

from runtime.errors import DigitsError, Refusal

REFUSED = 1
USER_ERROR = 2
INTERRUPTED = 130  # the shell's code for a program stopped by Ctrl+C (128 + SIGINT)


def run(prog: str, body: Callable[[], int | None]) -> int:
    """Run a CLI's body and return its exit code (the body's, or 0 when it returns None).

    A DigitsError becomes `PROG: error: message` (`PROG: refused: ...` for a Refusal); an
    OSError, such as a full disk while writing, becomes one line naming the file; a reader that
    closes stdout early (`| head`) ends the run quietly, and so does Ctrl+C (exit code 130):
    the user stopped it, nothing went wrong, and whatever was published stays as it was.
    """
    try:
        code = body() or 0
        sys.stdout.flush()  # a closed pipe shows here, not in Python's own flush at exit
        return code
    except Refusal as error:
        print(f"{prog}: refused: {error}", file=sys.stderr)
        return REFUSED
    except DigitsError as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        return USER_ERROR
    except BrokenPipeError:
        # Point stdout at devnull so the interpreter's last flush has nowhere to fail.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:
        print(f"{prog}: error: {_describe(error)}", file=sys.stderr)
        return USER_ERROR
    except KeyboardInterrupt:
        return INTERRUPTED


def integer(low: int, high: int | None = None) -> Callable[[str], int]:
    """An argparse type: an integer from `low` to `high` (no upper bound if None)."""
    span = f"at least {low}" if high is None else f"from {low} to {high}"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be an integer {span}, got {text!r}")
        return value

    return parse


def number(
    low: float, high: float = math.inf, *, above: bool = False, below: bool = False
) -> Callable[[str], float]:
    """An argparse type: a finite number from `low` to `high`, excluding `low` if `above` and
    `high` if `below`. NaN and infinity are refused: NaN passes every `<` check unnoticed."""
    if high == math.inf:
        span = f"{'above' if above else 'at least'} {low:g}"
    else:
        span = f"in {'(' if above else '['}{low:g}, {high:g}{')' if below else ']'}"

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        fits = (low < value if above else low <= value) and (
            value < high if below else value <= high
        )
        if not (math.isfinite(value) and fits):
            raise argparse.ArgumentTypeError(f"must be a finite number {span}, got {text!r}")
        return value

    return parse


positive_int = integer(1)
non_negative_int = integer(0)
seed = integer(0, 2**32 - 1)  # NumPy's seeding, under keras.utils.set_random_seed, takes these
fraction = number(0, 1, below=True)  # a share of something that cannot be all of it
positive_number = number(0, above=True)
non_negative_number = number(0)


def _describe(error: OSError) -> str:
    if error.filename is not None and error.strerror:
        return f"{error.filename}: {error.strerror}"
    return str(error)
