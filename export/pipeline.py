"""One training run -> checked, quantized, calibrated ONNX models, ready to publish: the image
model and, when the run trained one, the stroke model paired with it."""

import hashlib
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import onnx

from export import quantize
from export.calibrate import Calibration, calibrate, fit_fusion, fit_temperature
from export.convert import check_parity, keras_to_onnx
from export.metadata import describe, with_metadata
from runtime.engine import (
    CONTRACT,
    INPUT_NAME,
    LOGITS_NAME,
    NUM_DIGITS,
    PAIRED_KEY,
    STROKE_CONTRACT,
    STROKE_MODEL_KEY,
    TEMPERATURE_KEY,
    TRAJECTORY_INPUT_NAME,
    Model,
    Outputs,
)
from runtime.errors import DigitsError
from runtime.preprocess import INPUT_SHAPE, model_batch
from runtime.rejection import FUSED
from runtime.trajectory import INPUT_SHAPE as TRAJECTORY_SHAPE
from training.accuracy import accuracy
from training.artifacts import REPORT_FILE, STROKE_MODEL_FILE
from training.data import Mnist, load_mnist
from training.dataset import PEN_DIGITS, Kind, validation
from training.pen import PenSamples, load_letters, load_pendigits

PARITY_IMAGES = 1000
PRECISIONS = ("fp32", "int8")


def model_file(stem: str, precision: str) -> str:
    """`digits.int8.onnx` and the like: the image model's stem is "digits", the stroke model's
    "strokes"."""
    return f"{stem}.{precision}.onnx"


@dataclass(frozen=True)
class Sources:
    """The data export reads: MNIST (test set for the gate, training images for quantization)
    and, for a model with a "not a digit" output, the pen data its thresholds are calibrated on."""

    mnist: Mnist
    pen: PenSamples | None = None
    letters: PenSamples | None = None


@dataclass(frozen=True)
class Gate:
    """An accuracy the int8 model must keep: on what, in fp32 and in int8."""

    measured_on: str
    fp32: float
    int8: float


@dataclass(frozen=True)
class Exported:
    """The models to publish ({file name: model with its metadata}) and their checks."""

    models: dict[str, onnx.ModelProto]
    gates: dict[str, Gate]  # "image", "stroke"
    parity: dict[str, float]  # max |Keras - ONNX fp32| per model


def load_keras(path: Path) -> keras.Model:
    if not path.is_file():
        raise DigitsError(f"Keras model not found: {path} (train one with digits-train)")
    try:
        import training.model  # noqa: F401  (registers the custom output layer for loading)

        return keras.models.load_model(path)
    except Exception as error:  # Keras raises many types for a bad file
        raise DigitsError(f"cannot load Keras model {path}: {error}") from error


def load_sources(
    keras_path: Path, data: str | None, pen_data: str | None, letters_data: str | None
) -> Sources:
    """What exporting the model reads: MNIST and, when the model has the "not a digit" output,
    the pen data its thresholds are calibrated on (the paths may be None: see the loaders)."""
    mnist = load_mnist(data)
    if not rejects(load_keras(keras_path)):
        return Sources(mnist)
    return Sources(mnist, load_pendigits(pen_data), load_letters(letters_data))


def rejects(model: keras.Model) -> bool:
    """Whether the model has the "not a digit" class, and so needs pen data to calibrate."""
    return model.output[LOGITS_NAME].shape[-1] > NUM_DIGITS


def export_models(keras_path: Path, sources: Sources, settings: quantize.QuantSettings) -> Exported:
    """Convert, check parity, quantize, calibrate on held-out data and evaluate: the image model
    on MNIST's test set through the runtime's own engine, the stroke model (found beside the
    image model) on the validation writers, and the fusion of the two."""
    image = load_keras(keras_path)
    stroke_path = keras_path.parent / STROKE_MODEL_FILE
    stroke = load_keras(stroke_path) if stroke_path.is_file() else None
    report = _training_report(keras_path)
    development = _development(image, sources, report.get("config", {}))
    x_test = model_batch(sources.mnist.x_test)
    images, trajectories = quantize.calibration_inputs(sources, settings.calibration_images)
    temperature = {"image": _fit_temperature(image, development, _image_inputs)}
    onnx_models = {"image": _onnx_pair(image, x_test[:PARITY_IMAGES], images, settings)}
    if stroke is not None:
        temperature["stroke"] = _fit_temperature(stroke, development, _stroke_inputs)
        parity_inputs = np.concatenate([k.trajectories for k in _drawn(development).values()])
        onnx_models["stroke"] = _onnx_pair(stroke, parity_inputs, trajectories, settings)
    common = {
        "keras_model": keras_path,
        "training_data_sha256": _training_data_sha256(report),
        "evaluation_data_sha256": sources.mnist.sha256,
    }
    models, gates, image_accuracy, stroke_accuracy = {}, {}, {}, {}
    with tempfile.TemporaryDirectory() as staging:
        for precision in PRECISIONS:
            extra = settings.as_metadata() if precision == "int8" else {}
            tags = {
                **describe(CONTRACT, **common, precision=precision),
                **extra,
                TEMPERATURE_KEY: f"{temperature['image']:.4g}",
            }
            if stroke is not None:
                tags[STROKE_MODEL_KEY] = model_file("strokes", precision)
            proto, reader, image_accuracy[precision] = _finished_image(
                with_metadata(onnx_models["image"][0][precision], tags),
                x_test,
                sources.mnist.y_test,
                development,
                Path(staging),
            )
            models[model_file("digits", precision)] = proto
            if stroke is not None:
                stroke_tags = {
                    **describe(
                        STROKE_CONTRACT,
                        **common | {"keras_model": stroke_path},
                        precision=precision,
                    ),
                    **extra,
                    TEMPERATURE_KEY: f"{temperature['stroke']:.4g}",
                    PAIRED_KEY: _sha256(proto),
                }
                stroke_proto, stroke_accuracy[precision] = _finished_stroke(
                    with_metadata(onnx_models["stroke"][0][precision], stroke_tags),
                    reader,
                    development,
                    Path(staging),
                )
                models[model_file("strokes", precision)] = stroke_proto
    gates["image"] = Gate("MNIST test", image_accuracy["fp32"], image_accuracy["int8"])
    if stroke is not None:
        gates["stroke"] = Gate(
            "the validation writers' digits", stroke_accuracy["fp32"], stroke_accuracy["int8"]
        )
    parity = {role: pair[1] for role, pair in onnx_models.items()}
    return Exported(models, gates, parity)


def metadata_of(model: onnx.ModelProto) -> dict[str, str]:
    return {prop.key: prop.value for prop in model.metadata_props}


def _onnx_pair(
    model: keras.Model, parity_inputs: np.ndarray, calibration: np.ndarray, settings
) -> tuple[dict[str, onnx.ModelProto], float]:
    """({"fp32": model, "int8": model}, parity) of a Keras model."""
    fp32 = keras_to_onnx(model)
    parity = check_parity(model, fp32, parity_inputs)
    return {"fp32": fp32, "int8": quantize.quantize_int8(fp32, calibration, settings)}, parity


def _finished_image(proto, x_test, y_test, development, staging: Path):
    """The image model with its results: its MNIST test accuracy through the runtime's own
    engine (the gate measures what the pad will run) and its policy, calibrated on the
    development data. Also the model as the runtime reads it, for the fusion's calibration."""
    model = _staged(proto, staging, INPUT_NAME, INPUT_SHAPE, CONTRACT)
    test_accuracy = accuracy(model.run(x_test).probabilities, y_test)
    outputs = {kind: _pair(model.run(_image_inputs(k))) for kind, k in development.items()}
    calibration = calibrate(outputs, {kind: k.labels for kind, k in development.items()})
    results = {
        "test_accuracy": f"{test_accuracy:.4f}",
        **calibration.policy.as_metadata(),
        "calibration": _figures_json(calibration),
    }
    return with_metadata(proto, {**metadata_of(proto), **results}), model, test_accuracy


def _finished_stroke(proto, image: Model, development, staging: Path):
    """The stroke model with the fusion fitted on the drawings both models read, and the policy
    of the combination; and the stroke model's own accuracy on the validation writers."""
    model = _staged(proto, staging, TRAJECTORY_INPUT_NAME, TRAJECTORY_SHAPE, STROKE_CONTRACT)
    drawn = _drawn(development)
    image_outputs = {kind: _pair(image.run(_image_inputs(k))) for kind, k in drawn.items()}
    stroke_outputs = {kind: _pair(model.run(k.trajectories)) for kind, k in drawn.items()}
    labels = {kind: k.labels for kind, k in drawn.items()}
    fusion = fit_fusion(
        _joined(image_outputs), _joined(stroke_outputs), np.concatenate(list(labels.values()))
    )
    fused = {kind: fusion.combine(image_outputs[kind], stroke_outputs[kind]) for kind in drawn}
    calibration = calibrate(fused, labels)
    own = accuracy(stroke_outputs[PEN_DIGITS][0], labels[PEN_DIGITS])
    results = {
        "validation_writers_accuracy": f"{own:.4f}",
        **fusion.as_metadata(),
        **calibration.policy.as_metadata(FUSED),
        "calibration": _figures_json(calibration),
    }
    return with_metadata(proto, {**metadata_of(proto), **results}), own


def _staged(proto, staging: Path, input_name: str, shape: tuple, contract: dict) -> Model:
    path = staging / f"{proto.graph.input[0].name}-{len(list(staging.iterdir()))}.onnx"
    onnx.save(proto, path)
    return Model(path, input_name, shape, contract)


def _fit_temperature(model: keras.Model, development: dict[str, Kind], inputs) -> float:
    """Fitted on the logits of every development drawing the model reads; labels of "not a
    digit" count only for a model that has that class."""
    kinds = [k for k in development.values() if inputs(k) is not None]
    x = np.concatenate([inputs(k) for k in kinds])
    labels = np.concatenate([k.labels for k in kinds])
    logits = model.predict(x, batch_size=1024, verbose=0)[LOGITS_NAME]
    keep = labels < logits.shape[1]
    return fit_temperature(logits[keep], labels[keep])


def _image_inputs(kind: Kind) -> np.ndarray:
    return model_batch(kind.images)


def _stroke_inputs(kind: Kind) -> np.ndarray | None:
    return kind.trajectories


def _drawn(development: dict[str, Kind]) -> dict[str, Kind]:
    """The development kinds drawn with strokes: those both models read."""
    return {kind: k for kind, k in development.items() if k.trajectories is not None}


def _pair(outputs: Outputs) -> tuple[np.ndarray, np.ndarray | None]:
    return outputs.probabilities, outputs.not_digit


def _joined(outputs: dict[str, tuple]) -> tuple[np.ndarray, np.ndarray | None]:
    probabilities = np.concatenate([p for p, _ in outputs.values()])
    not_digits = [n for _, n in outputs.values()]
    missing = any(n is None for n in not_digits)
    return probabilities, None if missing else np.concatenate(not_digits)


def _figures_json(calibration: Calibration) -> str:
    return json.dumps({k: round(v, 5) for k, v in calibration.figures.items()})


def _sha256(proto: onnx.ModelProto) -> str:
    """The sha256 of the file `onnx.save` writes for `proto`."""
    return hashlib.sha256(proto.SerializeToString()).hexdigest()


def _development(model: keras.Model, sources: Sources, config: dict) -> dict[str, Kind]:
    """What training held out, by kind: the pen kinds only for a model that rejects non-digits
    (they need the pen data)."""
    pen = letters = None
    if rejects(model):
        if sources.pen is None or sources.letters is None:
            raise DigitsError("this model rejects non-digits: its thresholds need the pen data")
        pen, letters = sources.pen, sources.letters
    development = validation(
        sources.mnist,
        pen,
        letters,
        config.get("val_split", 0.1),
        config.get("seed", 1),
        config.get("limit"),
    )
    return {kind: k for kind, k in development.items() if len(k.labels)}


def _training_report(keras_path: Path) -> dict:
    """The training report beside the model, when there is one."""
    try:
        return json.loads((keras_path.parent / REPORT_FILE).read_text())
    except (OSError, ValueError):
        return {}


def _training_data_sha256(report: dict) -> str:
    sources = report.get("data", [])
    return ", ".join(source["sha256"] for source in sources) if sources else "unknown"
