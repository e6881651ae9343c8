"""The one owner of the models: loads the exported ONNX files, checks them, and runs them.

A model is accepted only if its signature and its metadata match the contract of its input
(`runtime.preprocess` for the image model, `runtime.trajectory` for the stroke model), so a model
trained for other inputs fails at load time with a clear message instead of giving confident
nonsense. The image model names its stroke model in its metadata; the stroke model names the
image model it was calibrated with, by its sha256, so the two are only ever combined as export
paired them (`runtime.fusion`).
"""

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnxruntime as ort

from runtime import preprocess, trajectory
from runtime.errors import ModelError
from runtime.fusion import Fusion
from runtime.labels import LABELS, NUM_DIGITS
from runtime.profile import Profile
from runtime.rejection import FUSED, Policy

MODELS_DIR = Path(__file__).resolve().parent / "models"
DEFAULT_MODEL = MODELS_DIR / "digits.int8.onnx"
INPUT_NAME = "image"
TRAJECTORY_INPUT_NAME = "trajectory"  # the stroke model's input (see runtime.trajectory)
# [N, 10] or [N, 11]: a score per digit, and in a model that can say it, for "not a digit"
LOGITS_NAME = "logits"
EMBEDDING_NAME = "embedding"  # [N, ...], optional: the last hidden layer, for writer profiles
TEMPERATURE_KEY = "temperature"  # the logits are divided by this before the softmax
STROKE_MODEL_KEY = "stroke_model"  # the image model's: its stroke model's file, beside it
PAIRED_KEY = "image_model_sha256"  # the stroke model's: the image model it was calibrated with

# Metadata keys that export writes and the engine checks, with the values this runtime expects.
CONTRACT = {
    "input_polarity": preprocess.POLARITY,
    "input_range": f"{preprocess.VALUE_RANGE[0]:g}..{preprocess.VALUE_RANGE[1]:g}",
    "image_size": str(preprocess.IMAGE_SIZE),
    "digit_box": str(preprocess.DIGIT_BOX),
    "labels": ",".join(LABELS),
}
STROKE_CONTRACT = {**trajectory.CONTRACT, "labels": ",".join(LABELS)}


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
    ms: float  # the inference calls alone (for a batch, the whole batch's)
    embedding: np.ndarray | None = field(default=None, compare=False, repr=False)

    @property
    def answer(self) -> int | None:
        return None if self.rejected else self.digit


@dataclass(frozen=True)
class Outputs:
    """What one model says of a batch: the probabilities of the ten digits if the drawing is a
    digit [N, 10], the probability that it is none, not_digit [N] (None if the model has no such
    class), the embedding [N, D] (None if it has none)."""

    probabilities: np.ndarray
    not_digit: np.ndarray | None
    embedding: np.ndarray | None

    def rows(self, index: slice) -> "Outputs":
        return Outputs(*(None if a is None else a[index] for a in self._arrays()))

    @classmethod
    def stacked(cls, parts: list["Outputs"]) -> "Outputs":
        columns = zip(*(part._arrays() for part in parts), strict=True)
        return cls(*(None if a[0] is None else np.concatenate(a) for a in columns))

    def _arrays(self) -> tuple:
        return self.probabilities, self.not_digit, self.embedding


@dataclass(frozen=True)
class Readout:
    """What the models said of a batch of drawings: the image model's outputs, the stroke
    model's (None where the strokes were not read), and how long the calls took."""

    image: Outputs
    stroke: Outputs | None
    ms: float

    def __len__(self) -> int:
        return len(self.image.probabilities)

    def split(self) -> list["Readout"]:
        """One readout per drawing, to be remembered apart."""
        return [
            Readout(
                self.image.rows(slice(i, i + 1)),
                None if self.stroke is None else self.stroke.rows(slice(i, i + 1)),
                self.ms,
            )
            for i in range(len(self))
        ]

    @classmethod
    def stacked(cls, parts: list["Readout"]) -> "Readout":
        """Readouts of single drawings as one batch (all read by the same models)."""
        strokes = [part.stroke for part in parts]
        return cls(
            Outputs.stacked([part.image for part in parts]),
            None if any(s is None for s in strokes) else Outputs.stacked(strokes),
            max(part.ms for part in parts),
        )


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


class Model:
    """An onnxruntime session for one checked model: input `input_name` of `input_shape` after
    the batch axis, the digit outputs, and metadata holding `contract`."""

    def __init__(self, path: str | Path, input_name: str, input_shape: tuple, contract: dict):
        self.path = Path(path)
        self.input_name, self.input_shape = input_name, tuple(input_shape)
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
        self._check_contract(contract)
        self.temperature = _temperature(self.metadata)
        # onnxruntime plans and allocates on its first run (about 40 ms here): done now, the
        # first stroke is read as quickly as the rest. (What it answers is judged per reading.)
        blank = np.zeros((1, *self.input_shape), np.float32)
        self.session.run(self._output_names, {self.input_name: blank})

    def run(self, batch: np.ndarray) -> Outputs:
        """The model's outputs for a batch. Output that is not a number is the model's fault."""
        batch = np.asarray(batch, dtype=np.float32).reshape(-1, *self.input_shape)
        found = self.session.run(self._output_names, {self.input_name: batch})
        logits = found[0]
        if not np.isfinite(logits).all():
            raise ModelError(f"{self.path.name} gave an output that is not a number")
        every = np.exp((logits - logits.max(axis=1, keepdims=True)) / self.temperature)
        digits = every[:, :NUM_DIGITS]
        mass = digits.sum(axis=1, keepdims=True)
        not_digit = None
        if logits.shape[1] > NUM_DIGITS:
            not_digit = every[:, NUM_DIGITS] / (mass[:, 0] + every[:, NUM_DIGITS])
        embedding = found[1].reshape(len(batch), -1) if len(found) > 1 else None
        return Outputs(digits / mass, not_digit, embedding)

    def _check_signature(self) -> list[str]:
        """The outputs to fetch: `logits`, and `embedding` if the model has it."""
        inputs, outputs = self.session.get_inputs(), self.session.get_outputs()
        if [_signature(arg) for arg in inputs] != [(self.input_name, list(self.input_shape))]:
            shape = ", ".join(map(str, self.input_shape))
            raise ModelError(
                f"{self.path.name} is not a digits model: expected one input "
                f"'{self.input_name}' float [N, {shape}], got {_describe(inputs)}"
            )
        found = {name: shape for name, shape in map(_signature, outputs)}
        if found.get(LOGITS_NAME) not in ([NUM_DIGITS], [NUM_DIGITS + 1]) or set(found) - {
            LOGITS_NAME,
            EMBEDDING_NAME,
        }:
            raise ModelError(
                f"{self.path.name} is not a digits model: expected an output "
                f"'{LOGITS_NAME}' float [N, 10] or [N, 11] (and optionally '{EMBEDDING_NAME}'), "
                f"got {_describe(outputs)}"
            )
        return [name for name in (LOGITS_NAME, EMBEDDING_NAME) if name in found]

    def _check_contract(self, contract: dict) -> None:
        wrong = {
            key: self.metadata.get(key)
            for key, value in contract.items()
            if self.metadata.get(key) != value
        }
        if wrong:
            found = ", ".join(f"{key}={value!r}" for key, value in wrong.items())
            raise ModelError(
                f"{self.path.name} was not exported for this runtime's preprocessing ({found})"
            )


class Engine:
    """The image model and, when it names one, its stroke model: one reading per drawing, from
    the image alone or, where the strokes are known, from both models combined."""

    def __init__(self, path: str | Path = DEFAULT_MODEL, strokes: bool = True):
        self.image = Model(path, INPUT_NAME, preprocess.INPUT_SHAPE, CONTRACT)
        self.path, self.metadata = self.image.path, self.image.metadata
        self.session = self.image.session
        self.policy = Policy.from_metadata(self.metadata)
        self.stroke: Model | None = None
        if strokes and STROKE_MODEL_KEY in self.metadata:
            self.stroke = _partner(self.image)
            self.fusion = Fusion.from_metadata(self.stroke.metadata)
            self.fused_policy = Policy.from_metadata(self.stroke.metadata, FUSED)

    def predict_batch(
        self,
        images: np.ndarray,
        trajectories: np.ndarray | None = None,
        profile: Profile | None = None,
    ) -> list[Prediction]:
        """Read a batch of preprocessed 28x28 images (see `preprocess.to_model_input`), and with
        the same drawings' `trajectories` (see `runtime.trajectory`) both models combined."""
        return self.decide(self.read(images, trajectories), profile)

    def read(self, images: np.ndarray, trajectories: np.ndarray | None = None) -> Readout:
        """The models' raw outputs for a batch: one inference call per model; the stroke model
        reads only when there are trajectories and a stroke model."""
        started = time.perf_counter()
        image = self.image.run(images)
        stroke = None
        if trajectories is not None and self.stroke is not None:
            stroke = self.stroke.run(trajectories)
        return Readout(image, stroke, (time.perf_counter() - started) * 1000)

    def decide(self, readout: Readout, profile: Profile | None = None) -> list[Prediction]:
        """What each drawing reads as: the image model's answer, or where the stroke model read
        too, the combination of both (`runtime.fusion`), each under its own policy; with a
        writer's `profile`, tilted toward their writing (`runtime.profile`)."""
        image, stroke = readout.image, readout.stroke
        probabilities, not_digit, policy = image.probabilities, image.not_digit, self.policy
        if stroke is not None:
            probabilities, not_digit = self.fusion.combine(
                (image.probabilities, image.not_digit), (stroke.probabilities, stroke.not_digit)
            )
            policy = self.fused_policy
        if profile is not None and image.embedding is not None:
            probabilities = profile.adapt(probabilities, image.embedding)
        predictions = []
        for index, row in enumerate(probabilities):
            digit = int(np.argmax(row))
            chance = None if not_digit is None else float(not_digit[index])
            predictions.append(
                Prediction(
                    digit=digit,
                    confidence=float(row[digit]),
                    probabilities=tuple(float(p) for p in row),
                    not_digit=chance,
                    rejected=policy.rejects(chance),
                    unsure=policy.unsure(float(row[digit])),
                    ms=readout.ms,
                    embedding=None if image.embedding is None else image.embedding[index],
                )
            )
        return predictions

    def outputs(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """The image model's digit probabilities [N, 10] and, if it has it, not_digit [N], for a
        batch of 28x28 images in [0, 1]."""
        found = self.image.run(images)
        return found.probabilities, found.not_digit

    @property
    def model_id(self) -> str:
        """The image model's sha256: what a writer's profile is made with."""
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """The image model's class probabilities [N, 10] for a batch of 28x28 images."""
        return self.outputs(images)[0]


def _partner(image: Model) -> Model:
    """The stroke model the image model names, checked to be the one export paired with it."""
    path = image.path.parent / image.metadata[STROKE_MODEL_KEY]
    if not path.is_file():
        raise ModelError(
            f"{image.path.name} is read with the stroke model {path.name}, which is not "
            f"beside it in {path.parent}"
        )
    stroke = Model(path, TRAJECTORY_INPUT_NAME, trajectory.INPUT_SHAPE, STROKE_CONTRACT)
    if stroke.metadata.get(PAIRED_KEY) != hashlib.sha256(image.path.read_bytes()).hexdigest():
        raise ModelError(
            f"{path.name} was exported with another image model than {image.path.name}: "
            "export both together with digits-export"
        )
    return stroke


def _temperature(metadata: dict[str, str]) -> float:
    """The model's softmax temperature (1 if it has none); not a positive number: an error."""
    try:
        value = float(metadata.get(TEMPERATURE_KEY, "1"))
    except ValueError:
        value = float("nan")
    if not (np.isfinite(value) and value > 0):
        raise ModelError(
            f"the model's {TEMPERATURE_KEY} is {metadata[TEMPERATURE_KEY]!r}, not a positive number"
        )
    return value


def _signature(arg) -> tuple[str, list]:
    """(name, shape after the batch axis) of a float tensor; another type never matches."""
    return (arg.name if arg.type == "tensor(float)" else "", list(arg.shape[1:]))


def _describe(args) -> str:
    return ", ".join(f"'{arg.name}' {arg.type} {arg.shape}" for arg in args) or "none"


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
