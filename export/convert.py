"""Keras -> ONNX with tf2onnx, and the parity check that proves the conversion is faithful.

tf2onnx's `from_keras` fails on Keras 3 models (it relies on Keras 2 internals such as
`output_names`), so we trace the model's inference call as a `tf.function` and convert that with
`from_function`. Tracing with training=False is also what drops training-only behaviour, and
tf2onnx's optimiser folds batch norm into the convolutions.
"""

import keras
import numpy as np
import onnx
import onnxruntime as ort
import tensorflow as tf
import tf2onnx

from runtime.errors import Refusal

OPSET = 17
PARITY_TOLERANCE = 1e-4  # max abs difference between Keras and ONNX fp32 probabilities


class ExportError(Refusal):
    """The model could not be exported faithfully."""


def keras_to_onnx(model: keras.Model) -> onnx.ModelProto:
    """Convert to an ONNX graph with the model's input (`image` [N, 28, 28, 1], or the stroke
    model's `trajectory`) and outputs (`probabilities`, `not_digit` if it has one, `embedding`;
    see `training.model.deployable`)."""
    spec = tf.TensorSpec([None, *model.input.shape[1:]], tf.float32, name=input_name(model))

    @tf.function(input_signature=[spec])
    def serve(image):
        # The model's dict output makes tf2onnx name each graph output after its key.
        return model(image, training=False)

    proto, _ = tf2onnx.convert.from_function(serve, input_signature=[spec], opset=OPSET)
    try:
        onnx.checker.check_model(proto, full_check=True)
    except onnx.checker.ValidationError as error:
        raise ExportError(f"tf2onnx produced an invalid ONNX model: {error}") from error
    return proto


def parity_difference(model: keras.Model, proto: onnx.ModelProto, images: np.ndarray) -> float:
    """Largest absolute difference between Keras's and onnxruntime's outputs on `images`."""
    expected = model.predict(images, batch_size=500, verbose=0)
    session = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    if sorted(names) != sorted(expected):
        raise ExportError(f"the ONNX outputs {names} are not the model's {sorted(expected)}")
    actual = dict(zip(names, session.run(names, {input_name(model): images}), strict=True))
    return max(float(np.abs(expected[name] - actual[name]).max()) for name in names)


def input_name(model: keras.Model) -> str:
    """The name the model's input goes by, in Keras and in the ONNX graph."""
    return model.input.name.split(":")[0]


def check_parity(model: keras.Model, proto: onnx.ModelProto, images: np.ndarray) -> float:
    difference = parity_difference(model, proto, images)
    if not difference <= PARITY_TOLERANCE:
        raise ExportError(
            f"ONNX and Keras disagree by {difference:.2e} on {len(images)} test images "
            f"(tolerance {PARITY_TOLERANCE:.0e}); the conversion is not faithful"
        )
    return difference
