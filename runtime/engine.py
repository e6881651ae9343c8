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
from runtime.errors import DigitsError

MODELS_DIR = Path(__file__).resolve().parent / "models"
DEFAULT_MODEL = MODELS_DIR / "digits.int8.onnx"
INPUT_NAME = "image"
OUTPUT_NAME = "probabilities"
LABELS = tuple(str(digit) for digit in range(10))

# Metadata keys that export writes and the engine checks, with the values this runtime expects.
CONTRACT = {
    "input_polarity": preprocess.POLARITY,
    "input_range": f"{preprocess.VALUE_RANGE[0]:g}..{preprocess.VALUE_RANGE[1]:g}",
    "image_size": str(preprocess.IMAGE_SIZE),
    "digit_box": str(preprocess.DIGIT_BOX),
    "labels": ",".join(LABELS),
}


class ModelError(DigitsError):
    """The model file is missing, corrupt, or not a digits model."""


@dataclass(frozen=True)
class Prediction:
    digit: int
    confidence: float
    probabilities: tuple[float, ...]
    ms: float  # preprocessing is not included: the inference call alone


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
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
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
        self._check_signature()
        self._check_contract()

    def predict(self, image: np.ndarray) -> Prediction:
        """Classify one preprocessed 28x28 image (see `preprocess.to_model_input`)."""
        batch = np.asarray(image, dtype=np.float32).reshape(1, *preprocess.INPUT_SHAPE)
        started = time.perf_counter()
        probabilities = self.session.run(None, {INPUT_NAME: batch})[0][0]
        ms = (time.perf_counter() - started) * 1000
        digit = int(np.argmax(probabilities))
        return Prediction(
            digit=digit,
            confidence=float(probabilities[digit]),
            probabilities=tuple(float(p) for p in probabilities),
            ms=ms,
        )

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities [N, 10] for a batch of 28x28 images in [0, 1]."""
        batch = np.asarray(images, dtype=np.float32).reshape(-1, *preprocess.INPUT_SHAPE)
        return self.session.run(None, {INPUT_NAME: batch})[0]

    def _check_signature(self) -> None:
        inputs, outputs = self.session.get_inputs(), self.session.get_outputs()
        expected_in = [INPUT_NAME, "tensor(float)", list(preprocess.INPUT_SHAPE)]
        expected_out = [OUTPUT_NAME, "tensor(float)", [len(LABELS)]]
        if len(inputs) != 1 or [inputs[0].name, inputs[0].type, inputs[0].shape[1:]] != expected_in:
            raise ModelError(
                f"{self.path.name} is not a digits model: expected one input "
                f"'{INPUT_NAME}' float [N, 28, 28, 1], got {_describe(inputs)}"
            )
        if (
            len(outputs) != 1
            or [outputs[0].name, outputs[0].type, outputs[0].shape[1:]] != expected_out
        ):
            raise ModelError(
                f"{self.path.name} is not a digits model: expected one output "
                f"'{OUTPUT_NAME}' float [N, 10], got {_describe(outputs)}"
            )

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


def _describe(args) -> str:
    return ", ".join(f"'{arg.name}' {arg.type} {arg.shape}" for arg in args) or "none"


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
