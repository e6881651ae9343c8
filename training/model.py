"""The digit classifiers: the image CNNs (the default edge CNN, the other candidates we measured,
and the baseline) and the stroke CNN that reads the pen's trajectory.

Why this shape: on a CPU, int8 latency is dominated by convolutions on large feature maps and
by per-operator overhead (measured with onnxruntime, 1 thread), so the edge CNN downsamples in
its very first layer (a strided 5x5 convolution) and has four convolutions and a softmax in
all. Batch norm makes it train fast and folds into the convolutions at export. Every network
names the layer whose output is its `embedding` (EMBEDDING_LAYER): the last hidden
representation, which the runtime's writer profile compares drawings by.
"""

from collections.abc import Callable
from functools import partial

import keras
import numpy as np
from keras import layers

from runtime import trajectory
from runtime.engine import EMBEDDING_NAME, INPUT_NAME, LOGITS_NAME, TRAJECTORY_INPUT_NAME
from runtime.preprocess import INPUT_SHAPE

EMBEDDING_LAYER = "embedding"


def edge_cnn(widths: tuple[int, int, int], name: str, classes: int) -> keras.Model:
    """Conv5x5/2 -> Conv3x3/2 -> Conv3x3 (valid) -> Conv5x5 head to the class logits.

    28x28 -> 14x14 -> 7x7 -> 5x5 -> 1x1: `widths` are the first three convolutions' channels.
    The head is a dense layer on the flattened 5x5 map, written as a 5x5 convolution: the
    classifier sees where each feature is (global average pooling lost 0.09 points of test
    accuracy and 0.3 of validation accuracy here), while the exported graph needs no Flatten,
    whose dynamic Reshape cost as much int8 latency as the three convolutions together.
    """
    stem, middle, last = widths
    inputs = keras.Input(INPUT_SHAPE, name=INPUT_NAME)
    x = _conv_bn_relu(inputs, stem, kernel=5, strides=2, padding="same")
    x = _conv_bn_relu(x, middle, kernel=3, strides=2, padding="same")
    x = _conv_bn_relu(x, last, kernel=3, strides=1, padding="valid", name=EMBEDDING_LAYER)
    x = layers.Conv2D(classes, x.shape[1], name="classifier")(x)
    logits = layers.GlobalAveragePooling2D()(x)  # [N, 1, 1, C] -> [N, C], a Squeeze in ONNX
    return keras.Model(inputs, logits, name=name)


def tutorial_cnn(classes: int) -> keras.Model:
    """The classic Keras tutorial CNN of the original project, kept as the benchmark baseline."""
    inputs = keras.Input(INPUT_SHAPE, name=INPUT_NAME)
    x = layers.Conv2D(32, 3, activation="relu")(inputs)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    x = layers.Dense(64, activation="relu", name=EMBEDDING_LAYER)(x)
    logits = layers.Dense(classes, name="logits")(x)
    return keras.Model(inputs, logits, name="tutorial")


def stroke_cnn(widths: tuple[int, int, int], name: str, classes: int) -> keras.Model:
    """The trajectory (see `runtime.trajectory`) -> class logits: convolutions along the pen's
    path, the first at full resolution, the next two strided (64 -> 32 -> 16 points), whose last
    map is the embedding, then the mean of each channel over the path (where a loop or a corner
    happens matters less than that it happens) to the classes.

    The path is a one-row image and the convolutions 1xk Conv2D: tf2onnx folds batch norm into
    a Conv2D, not into a Conv1D (measured: a Mul and an Add left after every convolution). Lean
    on purpose: a fourth convolution, max pooling beside the mean and a dense layer cost 6 us of
    a 23 us int8 call and read the validation writers worse (98.96% against 99.60%).
    """
    first, second, third = widths
    inputs = keras.Input(trajectory.INPUT_SHAPE, name=TRAJECTORY_INPUT_NAME)
    x = layers.Reshape((1, *trajectory.INPUT_SHAPE))(inputs)
    x = _conv_bn_relu(x, first, kernel=(1, 5), strides=1, padding="same")
    x = _conv_bn_relu(x, second, kernel=(1, 5), strides=(1, 2), padding="same")
    x = _conv_bn_relu(x, third, kernel=(1, 3), strides=(1, 2), padding="same", name=EMBEDDING_LAYER)
    x = layers.GlobalAveragePooling2D()(x)
    logits = layers.Dense(classes, name="logits")(x)
    return keras.Model(inputs, logits, name=name)


def deployable(network: keras.Model) -> keras.Model:
    """The model that is saved and exported: the network's class `logits` (the ten digits, then
    "not a digit" when it has that class) and its `embedding`. The softmax and its temperature
    (fitted at export) are the runtime's (`runtime.engine`): in the graph, two softmaxes and
    their slices cost 6-8 us of a 40-50 us call (measured, int8, one thread)."""
    outputs = {
        LOGITS_NAME: network.output,
        EMBEDDING_NAME: network.get_layer(EMBEDDING_LAYER).output,
    }
    return keras.Model(network.input, outputs, name=network.name)


def _conv_bn_relu(x, filters: int, kernel, strides, padding: str, name=None):
    x = layers.Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=False)(x)
    # momentum 0.9 (Keras default 0.99) so the moving statistics settle within a short run too
    x = layers.BatchNormalization(momentum=0.9)(x)
    return layers.ReLU(name=name)(x)


ARCHITECTURES: dict[str, Callable[[int], keras.Model]] = {
    "edge16": partial(edge_cnn, (16, 32, 64), "edge16"),
    "edge24": partial(edge_cnn, (24, 48, 64), "edge24"),
    "edge32": partial(edge_cnn, (32, 48, 64), "edge32"),
    "edge40": partial(edge_cnn, (32, 64, 80), "edge40"),
    "edge48": partial(edge_cnn, (32, 64, 96), "edge48"),
    "tutorial": tutorial_cnn,
}
DEFAULT_ARCHITECTURE = "edge32"
STROKE_ARCHITECTURES: dict[str, Callable[[int], keras.Model]] = {
    "stroke32": partial(stroke_cnn, (32, 48, 64), "stroke32"),
    "stroke48": partial(stroke_cnn, (48, 64, 96), "stroke48"),
}
DEFAULT_STROKE_ARCHITECTURE = "stroke48"


def build_network(architecture: str, classes: int) -> keras.Model:
    """The network of `architecture` (image or stroke), giving logits for `classes` classes."""
    return (ARCHITECTURES | STROKE_ARCHITECTURES)[architecture](classes)


def multiply_adds(model: keras.Model) -> int:
    """Multiply-adds for one image in the convolutions and dense layers (the inference cost)."""
    total = 0
    for layer in model.layers:
        if isinstance(layer, layers.Conv2D):
            positions = int(np.prod(layer.output.shape[1:-1]))
            total += positions * int(layer.kernel.numpy().size)
        elif isinstance(layer, layers.Dense):
            total += int(layer.kernel.numpy().size)
    return total
