"""python -m export.evaluation.adaptation: how much a writer's profile helps, writer by writer.

Each pendigits test writer (31-44) writes their 250 digits, drawn as the pad draws them, through
the code `digits-predict --strokes - --profile P` runs for every line (a line with "label" is
answered, then learned):
(A) enrolment: k = 1, 3, 5 of the writer's digits of each kind are given first, labelled; the
    accuracy is on the rest;
(B) a correction stream: the writer's digits in a random order (10 orders); a digit read wrong is
    corrected (its line carries its label) and learned; the errors are counted over the stream,
    against the same stream read without a profile. "confirmed" also learns the digits left
    uncorrected that were read surely (as the pad does when its canvas is cleared); "some
    corrected" has the writer correct only half of the errors, the others confirmed if sure.
With `--writers validation`, the same on writers 26-30, where the profile's rule and constants
are chosen.
"""

import json
import sys
import time

import numpy as np

from export.evaluation import cli
from export.evaluation.report import Headline, Result, Table
from runtime import profile as profile_module
from runtime.pad.teacher import CONFIRM_ABOVE
from runtime.predict import _strokes_answer
from runtime.reader import Reader
from training.pen import TEST_WRITERS, UCI_BOX, VALIDATION_WRITERS, load_pendigits
from training.sources import PENDIGITS

PROG = "python -m export.evaluation.adaptation"
TITLE = "Learning a writer"
ORDERS = 10
ENROLMENT = (1, 3, 5)
CANVAS = 532  # the pad's canvas, as the pen evaluation draws
WRITERS = {"test": TEST_WRITERS, "validation": VALIDATION_WRITERS}
STREAMS = ("corrections only", "confirmed", "some corrected")


def line(strokes: list[np.ndarray], label: int | None = None) -> str:
    """A stroke line as the pad's canvas would give it, with its label when it is learned."""
    scale = CANVAS / UCI_BOX
    document = {"strokes": [np.rint(s * scale).tolist() for s in strokes]}
    if label is not None:
        document["label"] = int(label)
    return json.dumps(document)


def read(reader: Reader, strokes, label: int | None = None) -> dict:
    return _strokes_answer(reader, line(strokes, label), {})


def enrolment(engine, samples, k: int, rng) -> tuple[int, int, int]:
    """(digits read, errors without a profile, errors with k samples of each digit learned)."""
    digits = base_errors = errors = 0
    plain = Reader(engine)
    taught = Reader(engine, profile_module.Profile(engine.model_id))
    enrol = np.concatenate(
        [rng.choice(np.flatnonzero(samples.labels == d), k, replace=False) for d in range(10)]
    )
    for index in enrol:
        read(taught, samples.strokes[index], samples.labels[index])
    for index in np.setdiff1d(np.arange(len(samples)), enrol):
        want = str(samples.labels[index])
        digits += 1
        base_errors += read(plain, samples.strokes[index]).get("number") != want
        errors += read(taught, samples.strokes[index]).get("number") != want
    return digits, base_errors, errors


def stream(engine, samples, order, mode: str, rng) -> tuple[int, int]:
    """(errors without a profile, errors with one) over the writer's digits in `order`."""
    plain = Reader(engine)
    taught = Reader(engine, profile_module.Profile(engine.model_id))
    base_errors = errors = 0
    for index in order:
        strokes, want = samples.strokes[index], int(samples.labels[index])
        base_errors += read(plain, strokes).get("number") != str(want)
        answer = read(taught, strokes)
        wrong = answer.get("number") != str(want)
        errors += wrong
        corrects = wrong and (mode != "some corrected" or rng.random() < 0.5)
        if corrects:
            read(taught, strokes, want)
        elif mode != "corrections only" and _sure(answer):
            read(taught, strokes, int(answer["digit"]))  # what the writer let stand
    return base_errors, errors


def _sure(answer: dict) -> bool:
    return (
        answer.get("digit") is not None
        and not answer.get("unsure")
        and answer.get("confidence", 0) >= CONFIRM_ABOVE
    )


def added_cost_ms(engine, samples) -> float:
    """The median extra time a digit's reading takes with a full profile (CAPACITY samples)."""
    full = profile_module.Profile(engine.model_id)
    rng = np.random.default_rng(0)
    for _ in range(profile_module.CAPACITY):
        full.learn(rng.normal(0, 1, 1600), int(rng.integers(10)))
    reader = Reader(engine)
    strokes = [s.astype(float) for s in samples.strokes[0]]
    reading = reader.read_strokes(strokes)  # remembered: what is left to time is deciding
    times = {None: [], "full": []}
    for _ in range(300):
        for key in times:
            reader.profile = None if key is None else full
            started = time.perf_counter()
            reader.read_strokes(strokes)
            times[key].append(time.perf_counter() - started)
    assert reading.digits
    return (np.median(times["full"]) - np.median(times[None])) * 1000


def evaluate(engine, digits, writers) -> dict:
    figures = {"enrolment": {}, "stream": {}}
    rng = np.random.default_rng(0)
    for k in ENROLMENT:
        totals = np.zeros(3, int)
        for writer in writers:
            totals += enrolment(engine, digits.of_groups([writer]), k, rng)
        figures["enrolment"][k] = dict(
            zip(("digits", "without", "with"), totals.tolist(), strict=True)
        )
    for mode in STREAMS:
        per_writer = {}
        for writer in writers:
            mine = digits.of_groups([writer])
            counts = np.zeros(2, int)
            for _ in range(ORDERS):
                counts += stream(engine, mine, rng.permutation(len(mine)), mode, rng)
            per_writer[int(writer)] = {
                "digits": len(mine) * ORDERS,
                "without": int(counts[0]),
                "with": int(counts[1]),
            }
        figures["stream"][mode] = per_writer
    figures["added_ms"] = added_cost_ms(engine, digits)
    return figures


def result(figures: dict, writers: str) -> Result:
    enrol = Table(
        ["enrolment", "digits read", "errors without a profile", "with", "fewer errors"],
        [
            [
                f"{k} of each digit",
                str(row["digits"]),
                str(row["without"]),
                str(row["with"]),
                _fewer(row),
            ]
            for k, row in figures["enrolment"].items()
        ],
    )
    streams = figures["stream"]
    writers_seen = list(next(iter(streams.values())))
    rows = []
    for writer in writers_seen:
        cells = [f"writer {writer}", str(streams[STREAMS[0]][writer]["without"])]
        for mode in STREAMS:
            cells.append(str(streams[mode][writer]["with"]))
        rows.append(cells)
    totals = {mode: _total(streams[mode]) for mode in STREAMS}
    rows.append(
        ["all", str(totals[STREAMS[0]]["without"]), *(str(totals[m]["with"]) for m in STREAMS)]
    )
    rows.append(["fewer errors", "", *(_fewer(totals[m]) for m in STREAMS)])
    stream_table = Table(
        ["stream of 250 digits x 10 orders", "errors without a profile", *STREAMS], rows
    )
    worse = {
        mode: [w for w, row in streams[mode].items() if row["with"] > row["without"]]
        for mode in STREAMS
    }
    notes = [
        "Writers with more errors than without a profile: "
        + "; ".join(f"{mode}: {', '.join(map(str, w)) or 'none'}" for mode, w in worse.items()),
        f"Reading a digit with a full profile ({profile_module.CAPACITY} samples) took "
        f"{figures['added_ms']:.3f} ms longer (median).",
    ]
    headline = []
    if writers == "test":
        headline = [
            Headline(
                "fewer errors over a correction stream",
                _share(totals["corrections only"]),
                bar="adaptation: fewer errors, corrections only",
            ),
            Headline(
                "fewer errors, uncorrected digits confirmed",
                _share(totals["confirmed"]),
                bar="adaptation: fewer errors, uncorrected confirmed",
            ),
        ]
        if 43 in streams["corrections only"]:
            row = streams["corrections only"][43]
            headline.append(
                Headline(
                    "writer 43 over the stream",
                    1 - row["with"] / row["digits"],
                    bar="adaptation: writer 43 over the stream",
                )
            )
        headline.append(
            Headline(
                "added cost of a full profile, per digit",
                round(figures["added_ms"], 3),
                "ms",
                "adaptation: added reading cost",
            )
        )
    suffix = "" if writers == "test" else f" --writers {writers}"
    return Result(
        name="adaptation" if writers == "test" else f"adaptation-{writers}",
        title=TITLE if writers == "test" else f"{TITLE}: {writers} writers",
        command=f"{PROG}{suffix} --publish",
        intro=__doc__.split("\n\n", 1)[1],
        tables=[enrol, stream_table],
        notes=notes,
        headline=headline,
        figures=figures,
    )


def _total(per_writer: dict) -> dict:
    return {
        key: sum(row[key] for row in per_writer.values()) for key in ("digits", "without", "with")
    }


def _share(row: dict) -> float:
    return 1 - row["with"] / row["without"] if row["without"] else 0.0


def _fewer(row: dict) -> str:
    return f"{_share(row):.0%}"


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser(PROG, "How much a writer's profile helps.", PENDIGITS)
    parser.add_argument(
        "--writers", choices=sorted(WRITERS), default="test", help="(default: test)"
    )

    def measure(args) -> Result:
        writers = WRITERS[args.writers]
        digits = load_pendigits(args.pen_data).of_groups(writers)
        return result(evaluate(cli.engine(args), digits, writers), args.writers)

    return cli.main(PROG, parser, measure, argv)


if __name__ == "__main__":
    sys.exit(main())
