"""One Keras model -> checked, quantized, calibrated, evaluated ONNX models, ready to publish."""

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import onnx

from export import quantize
from export.calibrate import Calibration, calibrate, fit_temperature
from export.convert import check_parity, keras_to_onnx
from export.metadata import describe, with_metadata
from runtime.engine import NOT_DIGIT_NAME, Engine
from runtime.errors import DigitsError
from runtime.preprocess import model_batch
from training.accuracy import accuracy
from training.artifacts import REPORT_FILE
from training.data import Mnist, load_mnist
from training.dataset import validation
from training.model import logits_of, set_temperature
from training.pen import PenSamples, load_letters, load_pendigits

PARITY_IMAGES = 1000


@dataclass(frozen=True)
class Sources:
    """The data export reads: MNIST (test set for the gate, training images for quantization)
    and, for a model with a "not a digit" output, the pen data its thresholds are calibrated on."""

    mnist: Mnist
    pen: PenSamples | None = None
    letters: PenSamples | None = None


@dataclass(frozen=True)
class Exported:
    """The fp32 and int8 models, each tagged with its metadata, including its test accuracy."""

    fp32: onnx.ModelProto
    int8: onnx.ModelProto
    fp32_accuracy: float
    int8_accuracy: float
    parity: float  # max |Keras - ONNX fp32| on PARITY_IMAGES test images


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
    """Whether the model has the "not a digit" output, and so needs pen data to calibrate."""
    return NOT_DIGIT_NAME in model.output


def export_models(keras_path: Path, sources: Sources, settings: quantize.QuantSettings) -> Exported:
    """Convert, check parity, quantize, calibrate the thresholds on held-out data, and evaluate
    both models on MNIST's test set through the runtime's own engine."""
    model = load_keras(keras_path)
    report = _training_report(keras_path)
    development = _development(model, sources, report.get("config", {}))
    images, labels = (np.concatenate(parts) for parts in zip(*development.values(), strict=True))
    logits = logits_of(model).predict(model_batch(images), batch_size=1024, verbose=0)
    temperature = fit_temperature(logits, labels)
    set_temperature(model, temperature)
    x_test = model_batch(sources.mnist.x_test)
    fp32 = keras_to_onnx(model)
    parity = check_parity(model, fp32, x_test[:PARITY_IMAGES])
    calibration_images = quantize.calibration_images(sources, settings.calibration_images)
    int8 = quantize.quantize_int8(fp32, calibration_images, settings)

    common = {
        "keras_model": keras_path,
        "training_data_sha256": _training_data_sha256(report),
        "evaluation_data_sha256": sources.mnist.sha256,
    }
    tagged = {}
    for precision, proto, extra in (
        ("fp32", fp32, {}),
        ("int8", int8, settings.as_metadata()),
    ):
        proto = with_metadata(proto, {**describe(**common, precision=precision), **extra})
        with tempfile.TemporaryDirectory() as staging:
            path = Path(staging) / "model.onnx"
            onnx.save(proto, path)
            engine = Engine(path)
            # through the runtime's own engine: the gate measures what the pad will run
            test_accuracy = accuracy(engine.probabilities(x_test), sources.mnist.y_test)
            calibration = calibrate(engine, development)
        results = _with_results(proto, test_accuracy, calibration, temperature)
        tagged[precision] = (results, test_accuracy)
    return Exported(
        fp32=tagged["fp32"][0],
        int8=tagged["int8"][0],
        fp32_accuracy=tagged["fp32"][1],
        int8_accuracy=tagged["int8"][1],
        parity=parity,
    )


def metadata_of(model: onnx.ModelProto) -> dict[str, str]:
    return {prop.key: prop.value for prop in model.metadata_props}


def _development(model: keras.Model, sources: Sources, config: dict) -> dict:
    """What training held out, as {kind: (images, labels)}: the pen kinds only for a model that
    rejects non-digits (they need the pen data)."""
    pen = letters = None
    if rejects(model):
        if sources.pen is None or sources.letters is None:
            raise DigitsError("this model rejects non-digits: its thresholds need the pen data")
        pen, letters = sources.pen, sources.letters
    return validation(
        sources.mnist,
        pen,
        letters,
        config.get("val_split", 0.1),
        config.get("seed", 1),
        config.get("limit"),
    )


def _with_results(
    model: onnx.ModelProto, test_accuracy: float, calibration: Calibration, temperature: float
) -> onnx.ModelProto:
    results = {
        "test_accuracy": f"{test_accuracy:.4f}",
        "temperature": f"{temperature:.4g}",
        **calibration.policy.as_metadata(),
        "calibration": json.dumps({k: round(v, 5) for k, v in calibration.figures.items()}),
    }
    return with_metadata(model, {**metadata_of(model), **results})


def _training_report(keras_path: Path) -> dict:
    """The training report beside the model, when there is one."""
    try:
        return json.loads((keras_path.parent / REPORT_FILE).read_text())
    except (OSError, ValueError):
        return {}


def _training_data_sha256(report: dict) -> str:
    sources = report.get("data", [])
    return ", ".join(source["sha256"] for source in sources) if sources else "unknown"
