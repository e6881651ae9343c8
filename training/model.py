"""The digit classifiers: the default edge CNN, the other candidates we measured, and the baseline.

Why this shape: on a CPU, int8 latency is dominated by convolutions on large feature maps and
by per-operator overhead (measured with onnxruntime, 1 thread), so the edge CNN downsamples in
its very first layer (a strided 5x5 convolution) and has four convolutions and a softmax in
all. Batch norm makes it train fast and folds into the convolutions at export.
"""

from collections.abc import Callable
from functools import partial

import keras
from keras import layers

from runtime.preprocess import INPUT_SHAPE

NUM_CLASSES = 10


def edge_cnn(widths: tuple[int, int, int], name: str) -> keras.Model:
    """Conv5x5/2 -> Conv3x3/2 -> Conv3x3 (valid) -> Conv5x5 head to 10 classes -> softmax.

    28x28 -> 14x14 -> 7x7 -> 5x5 -> 1x1: `widths` are the first three convolutions' channels.
    The head is a dense layer on the flattened 5x5 map, written as a 5x5 convolution: the
    classifier sees where each feature is (global average pooling lost 0.09 points of test
    accuracy and 0.3 of validation accuracy here), while the exported graph needs no Flatten,
    whose dynamic Reshape cost as much int8 latency as the three convolutions together.
    """
    stem, middle, last = widths
    inputs = keras.Input(INPUT_SHAPE, name="image")
    x = _conv_bn_relu(inputs, stem, kernel=5, strides=2, padding="same")
    x = _conv_bn_relu(x, middle, kernel=3, strides=2, padding="same")
    x = _conv_bn_relu(x, last, kernel=3, strides=1, padding="valid")
    x = layers.Conv2D(NUM_CLASSES, x.shape[1], name="classifier")(x)
    x = layers.GlobalAveragePooling2D()(x)  # [N, 1, 1, 10] -> [N, 10], a Squeeze in ONNX
    outputs = layers.Softmax(name="probabilities")(x)
    return keras.Model(inputs, outputs, name=name)


def tutorial_cnn() -> keras.Model:
    """The classic Keras tutorial CNN of the original project, kept as the benchmark baseline."""
    return keras.Sequential(
        [
            keras.Input(INPUT_SHAPE, name="image"),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(),
            layers.Flatten(),
            layers.Dense(64, activation="relu"),
            layers.Dense(NUM_CLASSES, activation="softmax", name="probabilities"),
        ],
        name="tutorial",
    )


def _conv_bn_relu(x, filters: int, kernel: int, strides: int, padding: str):
    x = layers.Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=False)(x)
    # momentum 0.9 (Keras default 0.99) so the moving statistics settle within a short run too
    x = layers.BatchNormalization(momentum=0.9)(x)
    return layers.ReLU()(x)


ARCHITECTURES: dict[str, Callable[[], keras.Model]] = {
    "edge16": partial(edge_cnn, (16, 32, 64), "edge16"),
    "edge24": partial(edge_cnn, (24, 48, 64), "edge24"),
    "edge32": partial(edge_cnn, (32, 48, 64), "edge32"),
    "edge48": partial(edge_cnn, (32, 64, 96), "edge48"),
    "tutorial": tutorial_cnn,
}
DEFAULT_ARCHITECTURE = "edge32"


def build_model(architecture: str = DEFAULT_ARCHITECTURE) -> keras.Model:
    return ARCHITECTURES[architecture]()


def multiply_adds(model: keras.Model) -> int:
    """Multiply-adds for one image in the convolutions and dense layers (the inference cost)."""
    total = 0
    for layer in model.layers:
        if isinstance(layer, layers.Conv2D):
            _, height, width, _ = layer.output.shape
            total += height * width * int(layer.kernel.numpy().size)
        elif isinstance(layer, layers.Dense):
            total += int(layer.kernel.numpy().size)
    return total
