"""Latency measurement that compares variants fairly on a noisy shared machine.

Every variant is timed in the same rounds, one after another, and the figures are medians over
rounds, so a burst of load from elsewhere hits all variants alike. ONNX models are timed in a
fresh process that never imports TensorFlow: TensorFlow's idle thread pools measurably slow
onnxruntime down in the same process, and the pad never has TensorFlow loaded either.
"""

import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runtime.labels import NUM_DIGITS

BATCH = 256
Prepare = Callable[[int], Callable[[], object]]  # batch size -> one call on such a batch


@dataclass(frozen=True)
class Latency:
    single_median_us: float
    single_p99_us: float
    batch_median_ms: float  # one call on BATCH drawings

    @property
    def throughput(self) -> float:
        """Drawings per second at batch BATCH."""
        return BATCH / (self.batch_median_ms / 1000)


@dataclass(frozen=True)
class Variant:
    """A model file and how it is run: "image" (the image model alone), "stroke" (the stroke
    model alone), "pair" (both, as a stroke reading runs them), or "litert"."""

    path: Path
    kind: str


def measure(
    runners: dict[str, Prepare], rounds: int = 7, calls: int = 300, batch_calls: int = 5
) -> dict[str, Latency]:
    """Time each runner on one drawing and on a batch of BATCH, interleaved by round."""
    singles = {name: prepare(1) for name, prepare in runners.items()}
    batches = {name: prepare(BATCH) for name, prepare in runners.items()}
    one_times: dict[str, list[np.ndarray]] = {name: [] for name in runners}
    batch_times: dict[str, list[float]] = {name: [] for name in runners}
    for name in runners:  # warm-up: first calls allocate and plan
        singles[name]()
        batches[name]()
    for _ in range(rounds):
        for name in runners:
            one_times[name].append(_times(singles[name], calls))
            batch_times[name].append(float(np.median(_times(batches[name], batch_calls))))
    results = {}
    for name in runners:
        per_round = np.array([np.median(t) for t in one_times[name]])
        everything = np.concatenate(one_times[name])
        results[name] = Latency(
            single_median_us=float(np.median(per_round)) * 1e6,
            single_p99_us=float(np.percentile(everything, 99)) * 1e6,
            batch_median_ms=float(np.median(batch_times[name])) * 1e3,
        )
    return results


def measure_files(variants: dict[str, Variant], **options) -> dict[str, Latency]:
    """`measure` for model files, in a fresh process without TensorFlow (see the module doc)."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(_measure_files_here, (variants, options))


def _measure_files_here(variants: dict[str, Variant], options: dict) -> dict[str, Latency]:
    return measure({name: runner(variant) for name, variant in variants.items()}, **options)


def runner(variant: Variant) -> Prepare:
    """How to call a variant on a batch of random inputs of its kind."""
    from runtime import preprocess, trajectory
    from runtime.engine import Engine

    rng = np.random.default_rng(0)

    def images(n: int) -> np.ndarray:
        return rng.random((n, *preprocess.INPUT_SHAPE), dtype=np.float32)

    def paths(n: int) -> np.ndarray:
        return rng.random((n, *trajectory.INPUT_SHAPE), dtype=np.float32)

    if variant.kind == "litert":
        litert = LiteRtRunner(variant.path)
        return lambda n: _call(litert, images(n))
    engine = Engine(variant.path, strokes=variant.kind in ("pair", "stroke"))
    if variant.kind == "image":
        return lambda n: _call(engine.image.run, images(n))
    if variant.kind == "stroke":
        return lambda n: _call(engine.stroke.run, paths(n))
    return lambda n: _call(engine.read, images(n), paths(n))


def _call(function: Callable, *inputs) -> Callable[[], object]:
    return lambda: function(*inputs)


_SCORES = ([NUM_DIGITS], [NUM_DIGITS + 1])  # a score per digit, and one for "not a digit"


class LiteRtRunner:
    """LiteRT's interpreter has fixed input shapes: keep one interpreter per batch size."""

    def __init__(self, path: Path):
        self.model = path.read_bytes()
        self.interpreters = {}  # batch size -> (interpreter, input index, output index)

    def __call__(self, images: np.ndarray) -> np.ndarray:
        if len(images) not in self.interpreters:
            self.interpreters[len(images)] = self._interpreter(len(images))
        interpreter, input_index, output_index = self.interpreters[len(images)]
        interpreter.set_tensor(input_index, images)
        interpreter.invoke()
        return interpreter.get_tensor(output_index)[:, :NUM_DIGITS]

    def _interpreter(self, batch: int):
        from ai_edge_litert.interpreter import Interpreter

        interpreter = Interpreter(model_content=self.model, num_threads=1)
        details = interpreter.get_input_details()[0]
        interpreter.resize_tensor_input(details["index"], [batch, *details["shape"][1:]])
        interpreter.allocate_tensors()
        # the [N, 10 or 11] logits, whatever order the converter gave the outputs
        (output,) = (
            d for d in interpreter.get_output_details() if d["shape"][1:].tolist() in _SCORES
        )
        return interpreter, details["index"], output["index"]


def _times(call: Callable[[], object], calls: int) -> np.ndarray:
    times = np.empty(calls)
    for i in range(calls):
        started = time.perf_counter()
        call()
        times[i] = time.perf_counter() - started
    return times
