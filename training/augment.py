"""Training-time augmentation: the ways a mouse drawing differs from an MNIST digit.

After preprocessing, a drawing is cropped, scaled and centred like MNIST, but it is still a little
rotated, squashed or off-centre, and its strokes are thicker or thinner than a pen's. These
layers only act when called with training=True; the classifier that is saved and exported never
contains them.
"""

import math
from dataclasses import dataclass

import keras
from keras import layers, ops


@dataclass(frozen=True)
class Augmentation:
    """Strengths of each random transform (fractions as Keras's layers define them)."""

    rotation: float = 0.03  # of a full turn: about +-11 degrees
    zoom: float = 0.1  # +-10% size
    shift: float = 0.08  # of the image side: about +-2 pixels
    thicken: float = 1.0  # up to one full 3x3 dilation
    thin: float = 0.5  # up to half a 3x3 erosion: more would erase MNIST's faintest strokes


class RandomStrokeWidth(layers.Layer):
    """Thicken or thin the strokes by a random amount per image.

    Blends each image towards its 3x3 grey-level dilation (a max filter) by a factor drawn from
    [0, thicken], or towards its erosion (a min filter) by one from [0, thin], which varies the
    stroke width smoothly instead of in whole-pixel steps.
    """

    def __init__(self, thicken: float, thin: float, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.thicken, self.thin = thicken, thin
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, images, training=None):
        if not training:
            return images
        amount = keras.random.uniform(
            (ops.shape(images)[0], 1, 1, 1), -self.thin, self.thicken, seed=self.seed_generator
        )
        dilated = ops.max_pool(images, 3, strides=1, padding="same")
        eroded = -ops.max_pool(-images, 3, strides=1, padding="same")
        target = ops.where(amount > 0, dilated, eroded)
        return images + ops.abs(amount) * (target - images)


class RandomAffine(layers.Layer):
    """Rotate, zoom and shift each image by a random amount, with one interpolation.

    Keras's RandomRotation, RandomZoom and RandomTranslation each resample the image; chained,
    they blur MNIST's thin strokes three times (visibly) and cost three passes. This composes
    the same three transforms into one matrix for `keras.ops.image.affine_transform`.
    """

    def __init__(
        self, rotation: float, zoom: float, shift: float, seed: int | None = None, **kwargs
    ):
        super().__init__(**kwargs)
        self.rotation, self.zoom, self.shift = rotation, zoom, shift
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, images, training=None):
        if not training:
            return images
        batch = ops.shape(images)[0]
        height, width = images.shape[1], images.shape[2]

        def uniform(limit):
            return keras.random.uniform((batch,), -limit, limit, seed=self.seed_generator)

        angle = uniform(self.rotation * 2 * math.pi)
        scale = 1.0 + uniform(self.zoom)
        shift_x, shift_y = uniform(self.shift * width), uniform(self.shift * height)
        # affine_transform maps each output pixel back to the input pixel it samples.
        cos, sin = ops.cos(angle) / scale, ops.sin(angle) / scale
        centre_x, centre_y = (width - 1) / 2, (height - 1) / 2
        source_x, source_y = centre_x + shift_x, centre_y + shift_y
        transform = ops.stack(
            [
                cos,
                sin,
                centre_x - cos * source_x - sin * source_y,
                -sin,
                cos,
                centre_y + sin * source_x - cos * source_y,
                ops.zeros_like(cos),
                ops.zeros_like(cos),
            ],
            axis=1,
        )
        return ops.image.affine_transform(images, transform, fill_mode="constant")


class TrainingAugmentation(layers.Layer):
    """Both transforms, seeded so that a run is reproducible, with an on/off switch.

    Training switches it off for its last epochs (see `training.train.CleanFinish`); like the
    transforms, it only acts when called with training=True.
    """

    def __init__(self, settings: Augmentation, seed: int, **kwargs):
        super().__init__(**kwargs)
        self.affine = RandomAffine(settings.rotation, settings.zoom, settings.shift, seed=seed)
        self.stroke_width = RandomStrokeWidth(settings.thicken, settings.thin, seed=seed + 1)
        self.active = self.add_weight(shape=(), initializer="ones", trainable=False, name="active")

    def build(self, input_shape):
        self.affine.build(input_shape)
        self.stroke_width.build(input_shape)

    def call(self, images, training=None):
        if not training:
            return images
        return ops.cond(
            self.active > 0,
            lambda: self.stroke_width(self.affine(images, training=True), training=True),
            lambda: images,
        )
