"""python -m export.evaluation.pad_figures: the pad's own figures, measured on the real pad.

Everything runs with SDL's dummy video driver, on the model given (the shipped one by default):

- start-up: `python -m runtime --print-predictions` launched until its "ready" line, N runs;
- idle CPU: the share of one core such a pad uses while nobody touches it (Linux /proc), N runs;
- latencies: the real loop (`runtime.pad.run`) in this process, fed events by a second thread as
  a user makes them (mouse moves every MOTION_INTERVAL_S). A stroke end or an undo is timed
  from the loop handing the event to the Pad until the Pad emits its prediction (redraw,
  preprocessing, inference), on drawings of 1-3 strokes cleared after each and on a canvas
  holding 2000 strokes; the loop thread's CPU time beside it tells the Pad's own cost from
  waits for a core on a busy machine. The loop's wake-up is timed on its own, where it matters:
  from posting a key press after a random idle pause until the loop hands it to the Pad.

Imports the runtime and the evaluations' report, never TensorFlow, like the pad itself.
"""

import argparse
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # stdout is for the table
import pygame

from export.evaluation import cli
from export.evaluation.report import Headline, Result, Table
from runtime import pad
from runtime.cli import positive_int
from runtime.engine import Engine
from runtime.errors import DigitsError

PROG = "python -m export.evaluation.pad_figures"
TITLE = "The pad's own figures"
ENVIRONMENT = {"SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
SETTLE_S = 1.0  # after "ready", before the idle CPU is measured
MOTION_INTERVAL_S = 0.005  # between mouse moves: a 200 Hz mouse
STROKE_POINTS = 16
IDLE_PAUSE_S = (0.1, 0.3)  # before a first event after idling: random, so it lands anywhere
ANSWER_TIMEOUT_S = 30  # a pad that never answers is a failure, not a figure
RUNTIME_HOME = Path(pad.__file__).resolve().parents[2]  # so the pad process runs this runtime
SEED = 1


def main(argv: list[str] | None = None) -> int:
    parser = cli.parser(PROG, __doc__.splitlines()[0])
    parser.add_argument("--runs", type=positive_int, default=5, help="start-up and idle runs")
    parser.add_argument("--idle-seconds", type=positive_int, default=10, help="per idle run")
    parser.add_argument(
        "--drawings", type=positive_int, default=300, help="drawings of 1-3 strokes"
    )
    parser.add_argument("--strokes", type=positive_int, default=2000, help="on the full canvas")
    parser.add_argument(
        "--samples", type=positive_int, default=100, help="strokes and undos timed on it"
    )
    parser.add_argument(
        "--wake-samples", type=positive_int, default=50, help="first events after idling"
    )
    parser.add_argument(
        "--numbers", type=positive_int, default=100, help="six-digit numbers written"
    )
    return cli.main(PROG, parser, measure, argv)


def measure(args: argparse.Namespace) -> Result:
    """Every figure, in the order of the table."""
    engine = cli.engine(args)  # a bad model: one error line before anything starts
    os.environ.update(ENVIRONMENT)
    starts = [start_up_seconds(args.model) for _ in range(args.runs)]
    idle = [idle_cpu_share(args.model, args.idle_seconds) for _ in range(args.runs)]
    timed = drive(engine, args)
    canvas = "x".join(str(side) for side in timed.pop("canvas"))
    few = timed["few"]
    rows = {
        f"process start to the `ready` event ({args.runs} runs)": (
            f"median {np.median(starts):.2f} s ({min(starts):.2f}-{max(starts):.2f} s)"
        ),
        f"CPU while idle ({args.idle_seconds} s, {args.runs} runs)": (
            f"median {np.median(idle):.1%} of a core ({min(idle):.1%}-{max(idle):.1%})"
        ),
        f"stroke end to prediction, {len(few)} strokes in {args.drawings} drawings of 1-3 "
        f"strokes, {canvas} px canvas": work(few),
        f"stroke end to prediction, on a canvas holding {args.strokes} strokes "
        f"({len(timed['full'])} strokes)": work(timed["full"]),
        f"undo to prediction, on a canvas holding {args.strokes} strokes "
        f"({len(timed['undo'])} undos)": work(timed["undo"]),
        f"first event after idling, posted to handled ({len(timed['wake'])} key presses after "
        f"{IDLE_PAUSE_S[0]}-{IDLE_PAUSE_S[1]} s idle)": spread([a.wake for a in timed["wake"]]),
        f"last stroke end of a six-digit number to the number on screen ({args.numbers} "
        f"numbers of 6-12 strokes)": spread([a.work for a in timed["numbers"]]),
    }
    medians = {
        name: float(np.median([a.work for a in timed[name]])) * 1000
        for name in ("few", "full", "numbers")
    }
    wake = float(np.median([a.wake for a in timed["wake"]])) * 1000
    headline = [
        Headline(
            "six-digit number on screen, median",
            round(medians["numbers"], 2),
            "ms",
            "six-digit number on screen",
        ),
        Headline(
            "stroke end on 2000 strokes against a fresh canvas",
            round(medians["full"] / medians["few"], 2),
            "x",
            "stroke end, 2000 strokes vs fresh",
        ),
        Headline("pad idle CPU, median", float(np.median(idle)), bar="idle CPU"),
        Headline(
            "first event after idling, median", round(wake, 2), "ms", "first event after idling"
        ),
    ]
    return Result(
        name="pad_figures",
        title=TITLE,
        command=f"{PROG} --publish",
        intro=__doc__.split("\n\n", 1)[1],
        tables=[Table(["measured", "value"], [[k, v] for k, v in rows.items()])],
        headline=headline,
        figures={"medians_ms": medians, "idle": idle, "start_s": starts, "wake_ms": wake},
    )


def work(answers: list["Answer"]) -> str:
    """The Pad's time to answer, and its CPU time, which load from elsewhere cannot inflate."""
    cpu = np.asarray([answer.work_cpu for answer in answers]) * 1000
    return (
        f"{spread([answer.work for answer in answers])} "
        f"(CPU time: median {np.median(cpu):.2f} ms, max {cpu.max():.2f} ms)"
    )


def spread(seconds: list[float]) -> str:
    ms = np.asarray(seconds) * 1000
    return (
        f"median {np.median(ms):.2f} ms, 90th percentile {np.percentile(ms, 90):.2f} ms, "
        f"max {ms.max():.2f} ms"
    )


# --- The pad as a separate process -------------------------------------------------------------


def start_pad(model: Path) -> tuple[subprocess.Popen, float]:
    """A pad process and the seconds from its launch to its "ready" line."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "runtime", "--print-predictions", "--model", str(model)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=RUNTIME_HOME,
        env={**os.environ, **ENVIRONMENT},
    )
    line = process.stdout.readline()
    seconds = time.perf_counter() - started
    if not line.startswith('{"event": "ready"'):
        process.kill()
        raise DigitsError(f"the pad did not start: {process.communicate()[1].strip()!r}")
    return process, seconds


def stop_pad(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)  # SDL turns it into a QUIT event
    process.communicate(timeout=ANSWER_TIMEOUT_S)


def start_up_seconds(model: Path) -> float:
    process, seconds = start_pad(model)
    stop_pad(process)
    return seconds


def idle_cpu_share(model: Path, seconds: int) -> float:
    """The share of one core the idle pad used over `seconds` (user + system time)."""
    process, _ = start_pad(model)
    try:
        time.sleep(SETTLE_S)
        cpu, wall = cpu_seconds(process.pid), time.perf_counter()
        time.sleep(seconds)
        return (cpu_seconds(process.pid) - cpu) / (time.perf_counter() - wall)
    finally:
        stop_pad(process)


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used so far, all its threads, from /proc/<pid>/stat."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError as error:
        raise DigitsError(f"idle CPU is read from /proc (Linux): {error}") from error
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


# --- The real loop, driven from a second thread ------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """How long the pad took to answer one event, in seconds."""

    wake: float  # posted, until the loop handed it to the Pad
    work: float  # handed over, until the Pad emitted its answer
    work_cpu: float  # the loop thread's CPU time during `work`


class Driver:
    """Posts events to the running pad as a user would and times the lines it emits in answer."""

    def __init__(self):
        self.answers: queue.Queue = queue.Queue()  # (handled, emitted, event)
        self.handled = (0.0, 0.0)  # clock and loop thread's CPU time, as it last handed an event
        self.presented: queue.Queue = queue.Queue()  # clocks as each frame went to the screen

    def watch(self, moment: str) -> None:
        """The pad's watcher: told on the loop's thread as it hands over an event, and as a
        frame goes to the screen."""
        if moment == pad.loop.HANDLING:
            self.handled = _clocks()
        else:
            self.presented.put(_clocks())

    def emit(self, event: dict) -> None:
        """The pad's emit: called on the loop's thread, while it handles an event."""
        self.answers.put((self.handled, _clocks(), event))

    def next_answer(self, kind: str) -> tuple[tuple[float, float], tuple[float, float], dict]:
        try:
            handled, emitted, event = self.answers.get(timeout=ANSWER_TIMEOUT_S)
        except queue.Empty:
            raise DigitsError(f"the pad gave no {kind!r} event in {ANSWER_TIMEOUT_S} s") from None
        if event["event"] != kind:
            raise DigitsError(f"expected a {kind!r} event from the pad, got {event}")
        return handled, emitted, event

    def answer(self, event: pygame.event.Event, kind: str, shown: bool = False) -> Answer:
        """Post event and wait for the pad's `kind` event, and with `shown` for the frame that
        shows it: then `work` lasts until that frame is on the screen."""
        posted = time.perf_counter()
        while not self.presented.empty():
            self.presented.get_nowait()
        pygame.event.post(event)
        handled, emitted, _ = self.next_answer(kind)
        if shown:
            emitted = self._frame_after(emitted[0])
        return Answer(handled[0] - posted, emitted[0] - handled[0], emitted[1] - handled[1])

    def _frame_after(self, moment: float) -> tuple[float, float]:
        while True:
            try:
                frame = self.presented.get(timeout=ANSWER_TIMEOUT_S)
            except queue.Empty:
                raise DigitsError(f"the pad drew no frame in {ANSWER_TIMEOUT_S} s") from None
            if frame[0] >= moment:
                return frame

    def stroke(
        self, points: list[tuple[int, int]], paced: bool = True, shown: bool = False
    ) -> Answer:
        """Draw a stroke through points; the answer to the button's release."""
        pygame.event.post(_mouse(pygame.MOUSEBUTTONDOWN, points[0]))
        for point in points[1:]:
            if paced:
                time.sleep(MOTION_INTERVAL_S)
            pygame.event.post(_mouse(pygame.MOUSEMOTION, point))
        if paced:
            time.sleep(MOTION_INTERVAL_S)
        return self.answer(_mouse(pygame.MOUSEBUTTONUP, points[-1]), "prediction", shown)

    def key(self, key: int, kind: str) -> Answer:
        return self.answer(pygame.event.Event(pygame.KEYDOWN, key=key, mod=0), kind)


def drive(engine: Engine, args: argparse.Namespace) -> dict:
    """Run the real pad loop here while a second thread plays the user; the timings it took."""
    driver, timed, failure = Driver(), {}, []

    def user() -> None:
        try:
            timed.update(play(driver, args))
        except BaseException as error:  # handed to the main thread, which raises it
            failure.append(error)
        finally:
            pygame.event.post(pygame.event.Event(pygame.QUIT))

    thread = threading.Thread(target=user, daemon=True)
    thread.start()
    pad.run(engine, emit=driver.emit, watch=driver.watch)
    thread.join()
    if failure:
        raise failure[0]
    return timed


def play(driver: Driver, args: argparse.Namespace) -> dict:
    rng = np.random.default_rng(SEED)
    _, _, ready = driver.next_answer("ready")
    canvas = pygame.Rect(ready["canvas"])
    few, wake = [], []
    for _ in range(args.drawings):
        digit = _digit_box(rng, canvas)
        few += [driver.stroke(_pen_path(rng, digit)) for _ in range(rng.integers(1, 4))]
        driver.key(pygame.K_c, "clear")
    for _ in range(args.wake_samples):
        time.sleep(rng.uniform(*IDLE_PAUSE_S))
        wake.append(driver.key(pygame.K_c, "clear"))
    for _ in range(args.strokes):
        driver.stroke(_pen_path(rng, _digit_box(rng, canvas)), paced=False)
    full, undo = [], []
    for _ in range(args.samples):
        full.append(driver.stroke(_pen_path(rng, _digit_box(rng, canvas))))
        undo.append(driver.key(pygame.K_u, "prediction"))
    driver.key(pygame.K_c, "clear")
    numbers = []
    for _ in range(args.numbers):
        strokes = [
            _pen_path(rng, box) for box in _number_boxes(canvas) for _ in range(rng.integers(1, 3))
        ]
        for points in strokes[:-1]:
            driver.stroke(points)
        numbers.append(driver.stroke(strokes[-1], shown=True))
        driver.key(pygame.K_c, "clear")
    return {
        "canvas": canvas.size,
        "few": few,
        "wake": wake,
        "full": full,
        "undo": undo,
        "numbers": numbers,
    }


def _number_boxes(canvas: pygame.Rect, digits: int = 6) -> list[pygame.Rect]:
    """Where the digits of a number go: side by side across the canvas, a third of a digit
    apart, as tall as fits (at most 60% of the canvas)."""
    height = min(canvas.h * 0.6, canvas.w / (digits * 0.6 + (digits - 1) * 0.3))
    width, gap = height * 0.6, height * 0.3
    left = canvas.centerx - (digits * width + (digits - 1) * gap) / 2
    top = canvas.centery - height / 2
    return [
        pygame.Rect(round(left + i * (width + gap)), round(top), round(width), round(height))
        for i in range(digits)
    ]


def _digit_box(rng: np.random.Generator, canvas: pygame.Rect) -> pygame.Rect:
    """Where a digit goes: 30-90% of the canvas's height, anywhere on it."""
    side = round(min(canvas.size) * rng.uniform(0.3, 0.9))
    left = canvas.left + rng.integers(0, canvas.w - side + 1)
    top = canvas.top + rng.integers(0, canvas.h - side + 1)
    return pygame.Rect(int(left), int(top), side, side)


def _pen_path(rng: np.random.Generator, box: pygame.Rect) -> list[tuple[int, int]]:
    """A smooth stroke inside box: a cubic Bezier curve through four random points."""
    controls = rng.uniform((box.left, box.top), (box.right - 1, box.bottom - 1), size=(4, 2))
    t = np.linspace(0, 1, STROKE_POINTS)[:, None]
    weights = [(1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t**2 * (1 - t), t**3]
    curve = sum(weight * control for weight, control in zip(weights, controls, strict=True))
    return [(int(x), int(y)) for x, y in np.rint(curve)]


def _clocks() -> tuple[float, float]:
    """The clock, and the CPU time of the calling thread."""
    return time.perf_counter(), time.thread_time()


def _mouse(kind: int, position: tuple[int, int]) -> pygame.event.Event:
    if kind == pygame.MOUSEMOTION:
        return pygame.event.Event(kind, pos=position, rel=(0, 0), buttons=(1, 0, 0))
    return pygame.event.Event(kind, pos=position, button=pygame.BUTTON_LEFT)


if __name__ == "__main__":
    sys.exit(main())
