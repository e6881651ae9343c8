"""The training set: what goes in, what is held out, and that test writers never appear."""

import numpy as np
import pytest

from runtime import trajectory
from runtime.canvas import render_strokes
from runtime.preprocess import to_model_input
from training.data import load_mnist
from training.dataset import NOT_A_DIGIT, Mix, build, render, validation
from training.pen import (
    TEST_LETTER_SOURCES,
    TEST_WRITERS,
    VALIDATION_WRITERS,
    load_letters,
    load_pendigits,
)

SMALL = Mix(pen_variants=1, styled_per_digit=30, shapes_per_kind=3, letter_rows=5)


@pytest.fixture(scope="module")
def sources(mnist_path, pen_path, letters_path):
    return load_mnist(mnist_path), load_pendigits(pen_path), load_letters(letters_path)


@pytest.fixture(scope="module")
def small_set(sources):
    mnist, pen, letters = sources
    return build(mnist, pen, letters, SMALL, val_split=0.1, seed=4, limit=200)


def test_every_kind_is_in_training_with_its_labels(small_set):
    images = small_set.images("train")
    train = images.kinds
    drawn = {"pen digits", "traced MNIST", "continental styles", "letters", "shapes"}
    assert set(train) == {"MNIST", "letters in a row", *drawn}
    assert train["MNIST"] == SMALL.mnist_repeats * 180 and train["pen digits"] == 2 * 200
    assert 0 < train["traced MNIST"] <= 180  # MNIST's own training images, traced
    assert len(images.x) == sum(train.values()) == len(images.y)
    counts = np.bincount(images.y, minlength=11)
    negatives = train["letters"] + train["shapes"] + train["letters in a row"]
    assert counts[NOT_A_DIGIT] == negatives
    assert images.x.dtype == np.uint8 and images.x.shape[1:] == (28, 28)


def test_the_stroke_model_learns_from_the_same_drawings_as_trajectories(small_set):
    strokes = small_set.trajectories("train")
    images = small_set.images("train").kinds
    assert strokes.kinds == {kind: n for kind, n in images.items() if kind != "MNIST"}
    assert strokes.x.shape[1:] == trajectory.INPUT_SHAPE and strokes.x.dtype == np.float32
    pen = small_set.train["pen digits"]
    assert len(pen.trajectories) == len(pen.images) == len(pen.labels)


def test_drawings_are_rendered_as_the_pad_renders_them(sources):
    strokes = sources[1].strokes[0]
    expected = np.rint(to_model_input(render_strokes(strokes)) * 255).astype(np.uint8)
    np.testing.assert_array_equal(render(strokes), expected)


def test_the_test_writers_and_held_apart_letters_are_never_used(sources):
    mnist, pen, letters = sources
    only_test = pen.of_groups(TEST_WRITERS)
    apart = letters.of_groups(TEST_LETTER_SOURCES)
    data = build(mnist, only_test, apart, SMALL, val_split=0.1, seed=0, limit=100)
    for split in ("train", "validation"):
        assert data.images(split).kinds["pen digits"] == 0
        assert data.images(split).kinds["letters"] == 0


def test_validation_is_the_held_out_writers_and_export_gets_the_same(sources, small_set):
    mnist, pen, letters = sources
    again = validation(mnist, pen, letters, val_split=0.1, seed=4, limit=200)
    images = np.concatenate([kind.images for kind in again.values()])
    np.testing.assert_array_equal(images, small_set.images("validation").x)
    assert (
        again["pen digits"].labels.tolist()
        == pen.of_groups(VALIDATION_WRITERS).labels[:200].tolist()
    )


def test_mnist_alone_without_pen_data(sources):
    data = build(sources[0], None, None, SMALL, val_split=0.1, seed=0, limit=100)
    assert set(data.images("train").kinds) == {"MNIST"}
    assert data.images("train").y.max() < NOT_A_DIGIT
    assert len(data.trajectories("train").y) == 0
