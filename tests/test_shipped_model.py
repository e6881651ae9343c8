"""What the shipped model reads, through the pad's own path: strokes drawn on a Canvas, read by
`runtime.reader` (the one renderer, the preprocessing, the engine). No TensorFlow needed."""

import drawings
import numpy as np
import pytest

from runtime.canvas import Canvas
from runtime.engine import DEFAULT_MODEL, Engine
from runtime.preprocess import model_batch
from runtime.reader import read_ink, read_strokes
from training.data import load_mnist

SHIPPED_MAX_BYTES = 120 * 1024
# The product goal: 99.6% MNIST test accuracy, for the shipped int8 model as the runtime runs it.
SHIPPED_MIN_ACCURACY = 0.996


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(DEFAULT_MODEL)


def read(engine: Engine, strokes, canvas_size=(448, 448), box=(0.15, 0.15, 0.7)):
    canvas = drawings.draw(Canvas(canvas_size), strokes, box)
    return read_strokes(engine, canvas.pixel_strokes())


@pytest.mark.parametrize(
    ("strokes", "digit"),
    [
        (drawings.FLAGGED_ONE, 1),
        (drawings.CROSSED_SEVEN, 7),
        (drawings.SLASHED_ZERO, 0),
        (drawings.ONE_STROKE_FOUR, 4),
        (drawings.ZERO, 0),
        (drawings.TWO, 2),
        (drawings.SIX, 6),
        (drawings.SEVEN, 7),
    ],
    ids=["flagged 1", "crossed 7", "slashed 0", "one-stroke 4", "0", "2", "6", "7"],
)
def test_continental_and_plain_digits_are_read(engine, strokes, digit):
    reading = read(engine, strokes)
    assert reading.number == str(digit)
    assert not reading.single.rejected and not reading.single.unsure


@pytest.mark.parametrize("strokes", [drawings.LETTER_H, drawings.SMILEY], ids=["H", "smiley"])
def test_a_letter_and_a_smiley_are_not_digits(engine, strokes):
    reading = read(engine, strokes)
    assert reading.number == "?"
    assert reading.as_json()["digit"] is None and reading.as_json()["rejected"] is True


@pytest.mark.parametrize(
    ("digits", "number"),
    [
        ((drawings.TWO, drawings.ZERO, drawings.TWO, drawings.SIX), "2026"),
        ((drawings.ONE, drawings.SEVEN), "17"),
    ],
)
def test_a_number_drawn_on_a_wide_canvas_is_read_digit_by_digit(engine, digits, number):
    reading = read(engine, drawings.number(*digits), (900, 300), (0.15, 0.2, 0.6))
    assert reading.number == number
    assert reading.as_json()["digit"] is None
    lefts = [d["box"][0] for d in reading.as_json()["digits"]]
    assert lefts == sorted(lefts)


def test_a_crossbar_added_to_an_earlier_seven_joins_it(engine):
    seven, bar = drawings.CROSSED_SEVEN
    written = drawings.number([seven], drawings.ONE)
    bar_on_the_seven = [(x * 0.7, y) for x, y in bar]  # the first digit's place (see `number`)
    reading = read(engine, [*written, bar_on_the_seven], (900, 300), (0.15, 0.2, 0.6))
    assert reading.number == "71"
    assert len(reading.digits) == 2


def test_the_same_number_saved_as_an_image_is_read_from_its_ink(engine):
    canvas = drawings.draw(
        Canvas((900, 300)),
        drawings.number(drawings.TWO, drawings.ZERO, drawings.TWO, drawings.SIX),
        (0.15, 0.2, 0.6),
    )
    assert read_ink(engine, canvas.ink()).number == "2026"


def test_the_shipped_model_keeps_its_mnist_accuracy_and_size(engine, mnist_path):
    mnist = load_mnist(mnist_path)
    predicted = engine.probabilities(model_batch(mnist.x_test)).argmax(axis=1)
    accuracy = float((predicted == mnist.y_test).mean())
    assert accuracy >= SHIPPED_MIN_ACCURACY
    assert float(engine.metadata["test_accuracy"]) == pytest.approx(accuracy, abs=1e-4)
    assert DEFAULT_MODEL.stat().st_size <= SHIPPED_MAX_BYTES


def test_the_shipped_model_carries_calibrated_thresholds(engine):
    assert engine.policy.reject_at is not None and 0 < engine.policy.reject_at < 1
    assert 0 < engine.policy.unsure_below < 1
    image = np.zeros((28, 28), np.float32)
    image[4:24, 13:15] = 1.0  # a plain 1
    assert engine.predict(image).not_digit is not None
