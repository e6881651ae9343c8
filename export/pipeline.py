"""One Keras model -> checked, quantized, evaluated ONNX models, ready to publish or benchmark."""

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import keras
import onnx

from export import quantize
from export.convert import check_parity, keras_to_onnx
from export.gate import accuracy
from export.metadata import describe, with_metadata
from runtime.errors import DigitsError
from training.data import Mnist
from training.report import REPORT_FILE
from training.train import as_model_input

PARITY_IMAGES = 1000


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
        return keras.models.load_model(path)
    except Exception as error:  # Keras raises many types for a bad file
        raise DigitsError(f"cannot load Keras model {path}: {error}") from error


def export_models(keras_path: Path, data: Mnist, settings: quantize.QuantSettings) -> Exported:
    """Convert, check parity, quantize on training images, and evaluate both on the test set
    through the runtime's own engine."""
    model = load_keras(keras_path)
    x_test = as_model_input(data.x_test)
    fp32 = keras_to_onnx(model)
    parity = check_parity(model, fp32, x_test[:PARITY_IMAGES])
    calibration = quantize.calibration_images(data.x_train, settings.calibration_images)
    int8 = quantize.quantize_int8(fp32, calibration, settings)

    common = {
        "keras_model": keras_path,
        "training_data_sha256": _training_data_sha256(keras_path),
        "evaluation_data_sha256": data.sha256,
    }
    fp32 = with_metadata(fp32, describe(**common, precision="fp32"))
    int8 = with_metadata(int8, {**describe(**common, precision="int8"), **settings.as_metadata()})
    fp32_accuracy, int8_accuracy = (_accuracy(m, x_test, data.y_test) for m in (fp32, int8))
    return Exported(
        fp32=_with_accuracy(fp32, fp32_accuracy),
        int8=_with_accuracy(int8, int8_accuracy),
        fp32_accuracy=fp32_accuracy,
        int8_accuracy=int8_accuracy,
        parity=parity,
    )


def metadata_of(model: onnx.ModelProto) -> dict[str, str]:
    return {prop.key: prop.value for prop in model.metadata_props}


def _accuracy(model: onnx.ModelProto, images, labels) -> float:
    with tempfile.TemporaryDirectory() as staging:
        path = Path(staging) / "model.onnx"
        onnx.save(model, path)
        return accuracy(path, images, labels)


def _with_accuracy(model: onnx.ModelProto, value: float) -> onnx.ModelProto:
    return with_metadata(model, {**metadata_of(model), "test_accuracy": f"{value:.4f}"})


def _training_data_sha256(keras_path: Path) -> str:
    """From the training report beside the model, when there is one."""
    try:
        report = json.loads((keras_path.parent / REPORT_FILE).read_text())
        return report["data"]["sha256"]
    except (OSError, ValueError, KeyError):
        return "unknown"
