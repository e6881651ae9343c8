"""The one owner of the model: loads an exported ONNX file, checks it, and runs it.

A model is accepted only if its signature and its metadata match the preprocessing contract in
`runtime.preprocess`, so a model trained for other inputs fails at load time with a clear message
instead of giving confident nonsense.
"""

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort

from runtime import preprocess
from runtime.errors import ModelError
from runtime.rejection import Policy

MODELS_DIR = Path(__file__).resolve().parent / "models"
DEFAULT_MODEL = MODELS_DIR / "digits.int8.onnx"
INPUT_NAME = "image"
OUTPUT_NAME = "probabilities"  # [N, 10]: how likely each digit is, if it is a digit
NOT_DIGIT_NAME = "not_digit"  # [N], optional: how likely the drawing is no digit at all
LABELS = tuple(str(digit) for digit in range(10))
NUM_DIGITS = len(LABELS)
# (name, shape after the batch axis) of each float output, the optional one last
OUTPUTS = [(OUTPUT_NAME, [NUM_DIGITS]), (NOT_DIGIT_NAME, [])]

# Metadata keys that export writes and the engine checks, with the values this runtime expects.
CONTRACT = {
    "input_polarity": preprocess.POLARITY,
    "input_range": f"{preprocess.VALUE_RANGE[0]:g}..{preprocess.VALUE_RANGE[1]:g}",
    "image_size": str(preprocess.IMAGE_SIZE),
    "digit_box": str(preprocess.DIGIT_BOX),
    "labels": ",".join(LABELS),
}


@dataclass(frozen=True)
class Prediction:
    """One drawing's reading. `digit` is the likeliest digit even when the drawing is rejected;
    `answer` is what the user is told."""

    digit: int
    confidence: float  # the probability of `digit`, if the drawing is a digit
    probabilities: tuple[float, ...]
    not_digit: float | None  # the probability that it is no digit; None: the model cannot say
    rejected: bool  # the rejection policy says it is not a digit
    unsure: bool  # a digit, but one the model is not sure of
    ms: float  # the inference call alone (for a batch, the whole batch's call)

    @property
    def answer(self) -> int | None:
        return None if self.rejected else self.digit


def session_options() -> ort.SessionOptions:
    """Tuned for one small image at a time, as measured with the shipped model (onnxruntime
    1.32, 2-core x86-64, median of 8 rounds of 500 calls):

    - all graph optimisations: basic ones only ran 2.4x slower (no QLinearConv fusion);
    - one intra-op thread: 54 us a call. Two threads that spin between calls ran at 45 us, but
      keep a second core busy after every call; without spinning, 69 us. For a ~1 ms stroke
      to prediction, the spare core is worth more to the pad and to a small device.
    """
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL  # so no inter-op threads either
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # onnxruntime's warnings are for developers, not pad users
    return options


class Engine:
    """An onnxruntime session for one checked digits model."""

    def __init__(self, path: str | Path = DEFAULT_MODEL):
        self.path = Path(path)
        if not self.path.is_file():
            raise ModelError(f"model file not found: {self.path}")
        try:
            self.session = ort.InferenceSession(
                str(self.path), session_options(), providers=["CPUExecutionProvider"]
            )
        except Exception as error:  # onnxruntime raises several unrelated types for bad files
            raise ModelError(f"cannot load model {self.path}: {_first_line(error)}") from error
        self.metadata = dict(self.session.get_modelmeta().custom_metadata_map)
        self._output_names = self._check_signature()
        self._check_contract()
        self.policy = Policy.from_metadata(self.metadata)
        # onnxruntime plans and allocates on its first run (about 40 ms here): done now, the
        # first stroke is read as quickly as the rest.
        self.session.run(
            self._output_names, {INPUT_NAME: np.zeros((1, *preprocess.INPUT_SHAPE), np.float32)}
        )

    def predict_batch(self, images: np.ndarray) -> list[Prediction]:
        """Read a batch of preprocessed 28x28 images (see `preprocess.to_model_input`) in one
        inference call."""
        started = time.perf_counter()
        probabilities, not_digit = self.outputs(images)
        ms = (time.perf_counter() - started) * 1000
        predictions = []
        for index, row in enumerate(probabilities):
            digit = int(np.argmax(row))
            odds = None if not_digit is None else float(not_digit[index])
            predictions.append(
                Prediction(
                    digit=digit,
                    confidence=float(row[digit]),
                    probabilities=tuple(float(p) for p in row),
                    not_digit=odds,
                    rejected=self.policy.rejects(odds),
                    unsure=self.policy.unsure(float(row[digit])),
                    ms=ms,
                )
            )
        return predictions

    def outputs(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """The digit probabilities [N, 10] and, if the model has it, not_digit [N], for a batch
        of 28x28 images in [0, 1]. Output that is not a number is the model's fault: an error."""
        batch = np.asarray(images, dtype=np.float32).reshape(-1, *preprocess.INPUT_SHAPE)
        results = self.session.run(self._output_names, {INPUT_NAME: batch})
        if not all(np.isfinite(result).all() for result in results):
            raise ModelError(f"{self.path.name} gave an output that is not a number")
        return results[0], (results[1] if len(results) > 1 else None)

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities [N, 10] for a batch of 28x28 images in [0, 1]."""
        return self.outputs(images)[0]

    def _check_signature(self) -> list[str]:
        """The outputs to fetch: `probabilities`, and `not_digit` when the model has it."""
        inputs, outputs = self.session.get_inputs(), self.session.get_outputs()
        if [_signature(arg) for arg in inputs] != [(INPUT_NAME, list(preprocess.INPUT_SHAPE))]:
            raise ModelError(
                f"{self.path.name} is not a digits model: expected one input "
                f"'{INPUT_NAME}' float [N, 28, 28, 1], got {_describe(inputs)}"
            )
        found = sorted(_signature(arg) for arg in outputs)
        if found not in (sorted(OUTPUTS[:1]), sorted(OUTPUTS)):
            raise ModelError(
                f"{self.path.name} is not a digits model: expected an output "
                f"'{OUTPUT_NAME}' float [N, 10] (and optionally '{NOT_DIGIT_NAME}' float [N]), "
                f"got {_describe(outputs)}"
            )
        return [name for name, _ in OUTPUTS[: len(found)]]

    def _check_contract(self) -> None:
        wrong = {
            key: self.metadata.get(key)
            for key, value in CONTRACT.items()
            if self.metadata.get(key) != value
        }
        if wrong:
            found = ", ".join(f"{key}={value!r}" for key, value in wrong.items())
            raise ModelError(
                f"{self.path.name} was not exported for this runtime's preprocessing ({found})"
            )


def _signature(arg) -> tuple[str, list]:
    """(name, shape after the batch axis) of a float tensor; another type never matches."""
    return (arg.name if arg.type == "tensor(float)" else "", list(arg.shape[1:]))


def _describe(args) -> str:
    return ", ".join(f"'{arg.name}' {arg.type} {arg.shape}" for arg in args) or "none"


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
