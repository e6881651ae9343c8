"""Static int8 quantization with onnxruntime, calibrated on training drawings only."""

import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import onnx
from onnxruntime.quantization import (
    CalibrationDataReader,
    CalibrationMethod,
    QuantFormat,
    QuantType,
    quantize_static,
)
from onnxruntime.quantization.shape_inference import quant_pre_process

from runtime import trajectory
from runtime.preprocess import model_batch
from training.data import sample_indices
from training.dataset import render
from training.pen import TEST_LETTER_SOURCES, TRAIN_WRITERS, VALIDATION_LETTER_SOURCES


@dataclass(frozen=True)
class QuantSettings:
    """The settings we ship, each chosen by measurement on an earlier image model (edge24,
    trained on MNIST alone; onnxruntime 1.32, x86-64 with AVX2 and no VNNI, 1 thread), and
    kept for every model since, the stroke model too:

    - QDQ format: onnxruntime fuses the QuantizeLinear/DequantizeLinear pairs into QLinearConv
      kernels; the QOperator format of the same model ran 2.5x slower here.
    - Per-channel weights: each filter gets its own scale, so small filters keep their precision.
    - reduce_range (7-bit weights): without it int8 lost 0.53 points of MNIST accuracy
      (99.36% -> 98.83%) to the known U8S8 overflow of AVX2's int8 multiply-add
      (vpmaddubsw saturates int16 pair sums); with it, none (99.37%), at the same speed.
      uint8 weights avoid the overflow too but ran 16% slower.
    - MinMax calibration: Percentile and Entropy gave no better accuracy and are slower.
    - 1000 calibration images: calibration takes about a second. Half are MNIST images, a
      quarter pen digits and a quarter letters (see `calibration_inputs`); the stroke model
      is calibrated on the trajectories of the same pen digits and letters.
    """

    quant_format: str = "QDQ"
    per_channel: bool = True
    reduce_range: bool = True
    calibration_method: str = "MinMax"
    calibration_images: int = 1000
    activation_type: str = "QUInt8"
    weight_type: str = "QInt8"

    def as_metadata(self) -> dict[str, str]:
        return {f"quantization_{key}": str(value) for key, value in asdict(self).items()}


class Calibration(CalibrationDataReader):
    """Feeds calibration inputs to onnxruntime in batches."""

    def __init__(self, input_name: str, inputs: np.ndarray, batch_size: int = 100):
        self._batches = iter(
            [{input_name: inputs[i : i + batch_size]} for i in range(0, len(inputs), batch_size)]
        )

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self._batches, None)


def calibration_inputs(sources, count: int) -> tuple[np.ndarray, np.ndarray]:
    """A fixed random sample of *training* drawings as the image model's input and the stroke
    model's: MNIST images and, when the pen data is there, training writers' digits and training
    letters, rendered as the pad renders them (and their trajectories), so the int8 ranges cover
    every kind of input the models were trained on.

    Never test images: calibrating on them would leak them into the model and flatter the gate.
    """
    mnist = sources.mnist
    drawings = []
    if sources.pen is not None and sources.letters is not None:
        held_apart = TEST_LETTER_SOURCES + VALIDATION_LETTER_SOURCES
        for samples in (
            sources.pen.of_groups(TRAIN_WRITERS),
            sources.letters.where(~np.isin(sources.letters.groups, held_apart)),
        ):
            chosen = sample_indices(len(samples), count // 4, seed=0)
            drawings += [samples.strokes[i] for i in chosen]
    images = mnist.x_train[sample_indices(len(mnist.x_train), count - len(drawings), seed=0)]
    drawn = np.array([render(strokes) for strokes in drawings], np.uint8).reshape(-1, 28, 28)
    return model_batch(np.concatenate([images, drawn])), trajectory.batch(drawings)


def quantize_int8(
    fp32: onnx.ModelProto, calibration: np.ndarray, settings: QuantSettings
) -> onnx.ModelProto:
    """Quantize `fp32` statically, calibrating activation ranges on `calibration` inputs."""
    with tempfile.TemporaryDirectory() as folder:
        source, prepared, quantized = (Path(folder) / n for n in ("fp32", "pre", "int8"))
        onnx.save(fp32, source)
        # Shape inference and clean-up first, as onnxruntime recommends for static quantization.
        quant_pre_process(str(source), str(prepared))
        softmax = [
            node.name for node in onnx.load(prepared).graph.node if node.op_type == "Softmax"
        ]
        quantize_static(
            str(prepared),
            str(quantized),
            Calibration(fp32.graph.input[0].name, calibration),
            quant_format=QuantFormat[settings.quant_format],
            per_channel=settings.per_channel,
            reduce_range=settings.reduce_range,
            # An 8-bit softmax output moves in steps of 1/256: confidences stop at 99.61% and
            # small probabilities read 0. In float it costs nothing measurable.
            nodes_to_exclude=softmax,
            calibrate_method=CalibrationMethod[settings.calibration_method],
            activation_type=QuantType[settings.activation_type],
            weight_type=QuantType[settings.weight_type],
        )
        return onnx.load(quantized)
