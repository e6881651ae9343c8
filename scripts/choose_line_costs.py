"""Choose the costs of reading a line as a whole (runtime/lattice.py, runtime/rejection.py) on the
validation writers' numbers, never the test writers'.

Every number of `export.evaluation.numbers --writers validation` is read once, through both paths;
each reading's candidates and their predictions are kept, so the line's choice can be made again
under other costs without reading anything again. The costs are then improved one at a time
(coordinate ascent over a few values each) for the share of numbers read right, over all lengths,
both paths, and the numbers with a letter among their digits. Prints the costs and what they
give; the constants in the runtime are set by hand from its output.

    .venv/bin/python scripts/choose_line_costs.py --count 200
"""

import argparse
import itertools
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from export.evaluation import numbers
from runtime import lattice, rejection
from runtime.engine import Engine
from runtime.reader import Reader
from training.pen import load_letters, load_pendigits

GRID = {
    (lattice, "MERGE_COST"): [0.0, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0],
    (lattice, "SPLIT_COST"): [0.3, 0.7, 1.2, 2.0, 3.0],
    (lattice, "NOT_DIGIT_COST"): [0.0, 0.25, 0.5, 1.0, 2.0],
    (lattice, "WIDE_COST"): [0.0, 1.5, 3.0, 6.0, 10.0],
    (lattice, "WIDE"): [0.7, 0.8, 0.9, 1.0],
    (rejection, "IN_A_LINE"): [0.8, 0.85, 0.9, 0.95, 0.99, 2.0],
}


class Recorder(Reader):
    """A reader that keeps what each line's choice was made from."""

    def __init__(self, engine: Engine):
        super().__init__(engine)
        self.kept = []

    def _reading(self, *arguments):
        self.kept.append(arguments)
        return super()._reading(*arguments)


def recorded(reader: Recorder, composed: dict, folder: Path) -> list[tuple]:
    """(path, number, what its line's choice was made from) of every number, read once."""
    lines = []
    for path in numbers.PATHS:
        for number in itertools.chain(*composed.values()):
            reader.kept.clear()
            if path == "stroke":
                numbers.stroke_reading(reader, number)
            else:
                numbers.image_reading(reader, number, folder)
            lines.append((path, number, reader.kept[-1]))
    return lines


def right_share(reader: Recorder, lines: list[tuple]) -> dict[str, float]:
    found = {}
    for path, number, kept in lines:
        reading = Reader._reading(reader, *kept)
        found.setdefault(path, []).append(reading.number == number.digits)
    return {path: float(np.mean(right)) for path, right in found.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="numbers per length")
    parser.add_argument("--model", default=None, help="image model (default: shipped)")
    parser.add_argument(
        "--split-width",
        type=float,
        default=lattice.SPLIT_WIDTH,
        help="the narrowest part tried as two digits, in line heights (it sets the candidates)",
    )
    args = parser.parse_args()
    lattice.SPLIT_WIDTH = args.split_width
    writers, sources = numbers.WRITERS["validation"]
    digits = load_pendigits(None).of_groups(writers)
    letters = load_letters(None).of_groups(sources)
    composed = numbers.numbers_of(digits, letters, args.count, np.random.default_rng(1))
    reader = Recorder(Engine(args.model) if args.model else Engine())
    with tempfile.TemporaryDirectory() as folder:
        lines = recorded(reader, composed, Path(folder))

    def objective() -> float:
        return float(np.mean(list(right_share(reader, lines).values())))

    best = objective()
    print(f"as shipped: {right_share(reader, lines)}")
    for _ in range(2):
        for (module, name), values in GRID.items():
            scores = {}
            for value in values:
                setattr(module, name, value)
                scores[value] = objective()
            chosen = max(scores, key=scores.get)
            setattr(module, name, chosen)
            best = scores[chosen]
            tried = ", ".join(f"{v}: {s:.4f}" for v, s in scores.items())
            print(f"{name} = {chosen}: {best:.4f}  ({tried})", flush=True)
    print(
        "chosen:",
        {name: getattr(module, name) for module, name in GRID},
        right_share(reader, lines),
    )


if __name__ == "__main__":
    main()
