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

BATCH = 256


@dataclass(frozen=True)
class Latency:
    single_median_us: float
    single_p99_us: float
    batch_median_ms: float  # one call on BATCH images

    @property
    def throughput(self) -> float:
        """Images per second at batch BATCH."""
        return BATCH / (self.batch_median_ms / 1000)


def measure(
    runners: dict[str, Callable[[np.ndarray], object]],
    rounds: int = 7,
    calls: int = 300,
    batch_calls: int = 5,
) -> dict[str, Latency]:
    """Time each runner on one image and on a batch of BATCH images, interleaved by round."""
    rng = np.random.default_rng(0)
    one = rng.random((1, 28, 28, 1), dtype=np.float32)
    batch = rng.random((BATCH, 28, 28, 1), dtype=np.float32)
    singles: dict[str, list[np.ndarray]] = {name: [] for name in runners}
    batches: dict[str, list[float]] = {name: [] for name in runners}
    for run in runners.values():  # warm-up: first calls allocate and plan
        run(one)
        run(batch)
    for _ in range(rounds):
        for name, run in runners.items():
            singles[name].append(_times(run, one, calls))
            batches[name].append(float(np.median(_times(run, batch, batch_calls))))
    results = {}
    for name in runners:
        per_round = np.array([np.median(t) for t in singles[name]])
        everything = np.concatenate(singles[name])
        results[name] = Latency(
            single_median_us=float(np.median(per_round)) * 1e6,
            single_p99_us=float(np.percentile(everything, 99)) * 1e6,
            batch_median_ms=float(np.median(batches[name])) * 1e3,
        )
    return results


def measure_files(models: dict[str, Path], **options) -> dict[str, Latency]:
    """`measure` for model files (.onnx via the runtime's engine, .tflite via LiteRT), in a fresh
    process without TensorFlow (see the module doc)."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(_measure_files_here, (models, options))


def _measure_files_here(models: dict[str, Path], options: dict) -> dict[str, Latency]:
    return measure({name: runner(path) for name, path in models.items()}, **options)


def runner(path: Path) -> Callable[[np.ndarray], np.ndarray]:
    """A function from a float32 [N, 28, 28, 1] batch to probabilities, for either format."""
    if path.suffix == ".tflite":
        return LiteRtRunner(path)
    from runtime.engine import Engine

    return Engine(path).probabilities


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
        return interpreter.get_tensor(output_index)

    def _interpreter(self, batch: int):
        from ai_edge_litert.interpreter import Interpreter

        interpreter = Interpreter(model_content=self.model, num_threads=1)
        details = interpreter.get_input_details()[0]
        interpreter.resize_tensor_input(details["index"], [batch, *details["shape"][1:]])
        interpreter.allocate_tensors()
        # the [N, 10] probabilities, whatever order the converter gave the outputs
        (output,) = (d for d in interpreter.get_output_details() if list(d["shape"][1:]) == [10])
        return interpreter, details["index"], output["index"]


def _times(run: Callable[[np.ndarray], object], images: np.ndarray, calls: int) -> np.ndarray:
    times = np.empty(calls)
    for i in range(calls):
        started = time.perf_counter()
        run(images)
        times[i] = time.perf_counter() - started
    return times
