"""The training set: MNIST, real pen digits, continental styles, and drawings that are not digits.

Every drawing made of strokes becomes an image through the runtime's one renderer
(`runtime.canvas.render_strokes`) and preprocessing (`runtime.preprocess.to_model_input`), so
the model learns from exactly what the pad will feed it. Validation is split by writer for the
pen digits and by contributor for the letters, never at random (MNIST has no writer ids: its
hold-out is a seeded, class-stratified draw).
"""

from dataclasses import dataclass, field, replace

import numpy as np

from runtime.canvas import render_strokes
from runtime.engine import NUM_DIGITS
from runtime.preprocess import IMAGE_SIZE, to_model_input
from training import shapes, styles
from training.data import Mnist
from training.pen import (
    TEST_LETTER_SOURCES,
    TRAIN_WRITERS,
    VALIDATION_LETTER_SOURCES,
    VALIDATION_WRITERS,
    PenSamples,
)
from training.stroke_augment import StrokeAugmentation, augment
from training.trace import trace_strokes

NOT_A_DIGIT = NUM_DIGITS  # the class of everything that is not a digit: the eleventh logit


@dataclass(frozen=True)
class Mix:
    """How much of each kind of drawing goes into training."""

    pen_variants: int = 8  # randomly varied renderings of each training writer's digit, plus it
    styled_per_digit: int = 1500  # continental 0, 1 and 7 made from pen and traced MNIST strokes
    letter_variants: int = 1  # varied renderings of each training letter, plus it
    shapes_per_kind: int = 600  # of each kind in `training.shapes`
    letter_rows: int = 1500  # two to four training letters side by side
    stroke_augmentation: StrokeAugmentation = field(default_factory=StrokeAugmentation)


# Validation drawings are shown as written: no variants, a smaller share of shapes and rows.
VALIDATION_MIX = Mix(
    pen_variants=0, styled_per_digit=0, letter_variants=0, shapes_per_kind=60, letter_rows=200
)


@dataclass(frozen=True)
class TrainingSet:
    """uint8 images [N, 28, 28] (the model's input x 255) and labels 0-9 or NOT_A_DIGIT."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    composition: dict[str, dict[str, int]]  # {"train"|"validation": {kind: count}}


def build(
    mnist: Mnist,
    pen: PenSamples | None,
    letters: PenSamples | None,
    mix: Mix,
    val_split: float,
    seed: int,
    limit: int | None = None,
) -> TrainingSet:
    """Everything training sees. Without pen data (`pen` and `letters` None) it is MNIST alone.

    The pendigits test writers and the held-apart letter sources are never used here.
    """
    x_mnist, y_mnist = _first(limit, mnist.x_train, mnist.y_train)
    held_out = mnist_hold_out(y_mnist, val_split, seed)
    train = {"MNIST": (x_mnist[~held_out], y_mnist[~held_out])}
    if pen is not None and letters is not None:
        mix = _capped(mix, limit)
        rng = np.random.default_rng([seed, 0])
        pen_train = _first_samples(pen.of_groups(TRAIN_WRITERS), limit)
        held_apart = TEST_LETTER_SOURCES + VALIDATION_LETTER_SOURCES
        letters_train = _first_samples(letters.where(~np.isin(letters.groups, held_apart)), limit)
        train |= _drawn_parts(pen_train, letters_train, mix, rng)
        train["continental styles"] = _styled(
            pen_train, x_mnist[~held_out], y_mnist[~held_out], mix, rng
        )
    val = validation(mnist, pen, letters, val_split, seed, limit)
    x_train, y_train = _joined(train)
    x_val, y_val = _joined(val)
    order = np.random.default_rng([seed, 2]).permutation(len(y_train))
    return TrainingSet(
        x_train[order],
        y_train[order],
        x_val,
        y_val,
        {
            "train": {kind: len(labels) for kind, (_, labels) in train.items()},
            "validation": {kind: len(labels) for kind, (_, labels) in val.items()},
        },
    )


def validation(
    mnist: Mnist,
    pen: PenSamples | None,
    letters: PenSamples | None,
    val_split: float,
    seed: int,
    limit: int | None = None,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The held-out drawings by kind, {kind: (uint8 images, labels)}: training stops early on
    them and export calibrates the rejection and "unsure" thresholds on them. Made from `seed`
    alone, so export gets exactly what training held out."""
    x_mnist, y_mnist = _first(limit, mnist.x_train, mnist.y_train)
    held_out = mnist_hold_out(y_mnist, val_split, seed)
    parts = {"MNIST": (x_mnist[held_out], y_mnist[held_out])}
    if pen is not None and letters is not None:
        pen_val = _first_samples(pen.of_groups(VALIDATION_WRITERS), limit)
        letters_val = _first_samples(letters.of_groups(VALIDATION_LETTER_SOURCES), limit)
        parts |= _drawn_parts(
            pen_val, letters_val, VALIDATION_MIX, np.random.default_rng([seed, 1])
        )
    return parts


def mnist_hold_out(labels: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """A seeded, class-stratified hold-out mask, so a small --limit run still validates every
    digit."""
    rng = np.random.default_rng(seed)
    held_out = np.zeros(len(labels), dtype=bool)
    for digit in range(NUM_DIGITS):
        members = np.flatnonzero(labels == digit)
        held_out[rng.choice(members, size=round(len(members) * fraction), replace=False)] = True
    return held_out


def render(strokes: list[np.ndarray]) -> np.ndarray:
    """Strokes as the model's uint8 input, exactly as the pad prepares them."""
    image = to_model_input(render_strokes(strokes))
    if image is None:
        return np.zeros((IMAGE_SIZE, IMAGE_SIZE), np.uint8)
    return np.rint(image * 255).astype(np.uint8)


def _drawn_parts(
    pen: PenSamples, letters: PenSamples, mix: Mix, rng: np.random.Generator
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Pen digits, letters, shapes and rows of letters, each rendered as the pad renders."""
    varied = mix.stroke_augmentation

    def renderings(samples: PenSamples, variants: int) -> np.ndarray:
        return _images(
            drawing
            for strokes in samples.strokes
            for drawing in [strokes, *(augment(strokes, rng, varied) for _ in range(variants))]
        )

    def negatives(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return images, np.full(len(images), NOT_A_DIGIT)

    shapes_drawn = _images(
        augment(make(rng), rng, varied)
        for make in shapes.SHAPES.values()
        for _ in range(mix.shapes_per_kind)
    )
    rows = _images(
        shapes.letters_in_a_row([letters.strokes[i] for i in picks], rng)
        for picks in (
            rng.integers(0, len(letters), int(rng.integers(2, 5)))
            for _ in range(mix.letter_rows if len(letters) else 0)
        )
    )
    return {
        "pen digits": (
            renderings(pen, mix.pen_variants),
            np.repeat(pen.labels, mix.pen_variants + 1),
        ),
        "letters": negatives(renderings(letters, mix.letter_variants)),
        "shapes": negatives(shapes_drawn),
        "letters in a row": negatives(rows),
    }


def _styled(
    pen: PenSamples,
    x_mnist: np.ndarray,
    y_mnist: np.ndarray,
    mix: Mix,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Continental 0s, 1s and 7s made from pen strokes and from traced MNIST digits."""
    drawings, labels = [], []
    for digit, add_style in styles.STYLES.items():
        sources = _style_sources(pen, x_mnist, y_mnist, digit, mix.styled_per_digit, rng)
        drawings += [augment(add_style(s, rng), rng, mix.stroke_augmentation) for s in sources]
        labels += [digit] * len(sources)
    return _images(drawings), np.array(labels, dtype=np.int64)


def _images(drawings) -> np.ndarray:
    return np.array([render(strokes) for strokes in drawings], dtype=np.uint8).reshape(
        -1, IMAGE_SIZE, IMAGE_SIZE
    )


def _style_sources(
    pen: PenSamples,
    x_mnist: np.ndarray,
    y_mnist: np.ndarray,
    digit: int,
    count: int,
    rng: np.random.Generator,
) -> list[list[np.ndarray]]:
    """`count` plain writings of `digit` to add a style to: half pen strokes, half traced MNIST."""
    mine = np.flatnonzero(pen.labels == digit)
    chosen = [pen.strokes[i] for i in rng.choice(mine, min(len(mine), count // 2), replace=False)]
    theirs = np.flatnonzero(y_mnist == digit)
    picks = rng.choice(theirs, min(len(theirs), count - len(chosen)), replace=False)
    chosen += [s for s in (trace_strokes(x_mnist[i]) for i in picks) if s]
    return chosen


def _capped(mix: Mix, limit: int | None) -> Mix:
    """With --limit N, no kind of made-up drawing outnumbers N either: quick runs stay quick."""
    if limit is None:
        return mix
    return replace(
        mix,
        styled_per_digit=min(mix.styled_per_digit, limit // len(styles.STYLES)),
        shapes_per_kind=min(mix.shapes_per_kind, limit // len(shapes.SHAPES)),
        letter_rows=min(mix.letter_rows, limit),
    )


def _joined(parts: dict[str, tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    images = np.concatenate([images for images, _ in parts.values()])
    labels = np.concatenate([labels for _, labels in parts.values()]).astype(np.int64)
    return images, labels


def _first(limit: int | None, images: np.ndarray, labels: np.ndarray):
    return (images, labels) if limit is None else (images[:limit], labels[:limit])


def _first_samples(samples: PenSamples, limit: int | None) -> PenSamples:
    if limit is None or len(samples) <= limit:
        return samples
    keep = np.zeros(len(samples), dtype=bool)
    keep[:limit] = True
    return samples.where(keep)
