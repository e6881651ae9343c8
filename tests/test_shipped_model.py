"""What the shipped model reads, through the pad's own path: strokes drawn on a Canvas, read by
`runtime.reader` (the one renderer, the preprocessing, the engine). No TensorFlow needed."""

import json

import drawings
import numpy as np
import pytest

from runtime.canvas import Canvas
from runtime.engine import DEFAULT_MODEL, Engine
from runtime.preprocess import model_batch
from runtime.reader import Reader
from training.data import load_mnist

SHIPPED_MAX_BYTES = 120 * 1024
# MNIST test accuracy of the shipped int8 model as the runtime runs it. The goal was 99.6%; the
# model that reads real pen writing best within the size and latency budget reaches 99.21% (the
# frontier is in the README): this pins it, so a worse model cannot ship unnoticed.
SHIPPED_MIN_ACCURACY = 0.992


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(DEFAULT_MODEL)


@pytest.fixture(scope="module")
def reader(engine) -> Reader:
    return Reader(engine)


def read(reader: Reader, strokes, canvas_size=(448, 448), box=(0.15, 0.15, 0.7)):
    canvas = drawings.draw(Canvas(canvas_size), strokes, box)
    return reader.read_strokes(canvas.pixel_strokes())


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
def test_continental_and_plain_digits_are_read(reader, strokes, digit):
    reading = read(reader, strokes)
    assert reading.number == str(digit)
    assert not reading.single.rejected and not reading.single.unsure


@pytest.mark.parametrize(
    ("strokes", "digit"),
    [(drawings.VERTICAL_SLASH_ZERO, 0), (drawings.OPEN_FOUR, 4), (drawings.LONG_FLAG_ONE, 1)],
    ids=["vertical-slash 0", "open 4", "long-flag 1"],
)
def test_styles_a_picture_alone_reads_poorly_are_read_from_their_strokes(reader, strokes, digit):
    assert reader.engine.stroke is not None  # both models read them
    reading = read(reader, strokes)
    assert reading.number == str(digit) and not reading.single.rejected


CLEAN = [drawings.ZERO, drawings.ONE, drawings.TWO, drawings.SIX, drawings.SEVEN]


def test_both_models_and_the_image_model_alone_agree_on_clean_digits(reader, engine):
    alone = Reader(Engine(engine.path, strokes=False))
    for strokes in CLEAN:
        both, image = read(reader, strokes), read(alone, strokes)
        assert both.number == image.number
        assert both.single.probabilities != image.single.probabilities  # not the same reading


def test_stroke_answers_carry_the_probabilities_of_both_models(reader, engine, capsys, monkeypatch):
    import io

    from runtime import predict

    seven = [[[round(x * 100), round(y * 100)] for x, y in stroke] for stroke in drawings.SEVEN]
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps({"strokes": seven}) + "\n"))
    assert predict.main(["--strokes", "-"]) == 0
    printed = json.loads(capsys.readouterr().out)
    strokes = [np.array(stroke, float) for stroke in seven]
    expected = reader.read_strokes(strokes).as_json()
    image_alone = Reader(Engine(engine.path, strokes=False)).read_strokes(strokes).as_json()
    assert printed["probabilities"] == expected["probabilities"] != image_alone["probabilities"]
    assert printed["digit"] == 7


@pytest.mark.parametrize("strokes", [drawings.LETTER_H, drawings.SMILEY], ids=["H", "smiley"])
def test_a_letter_and_a_smiley_are_not_digits(reader, strokes):
    reading = read(reader, strokes)
    assert reading.number == "?"
    assert reading.as_json()["digit"] is None and reading.as_json()["rejected"] is True


def test_a_scribble_of_more_strokes_than_any_digit_is_rejected_unread(engine, monkeypatch):
    """The 24 strokes of a hatched 0 are read; one more and the group is a scribble, rejected
    without a model call, so a canvas covered in strokes costs no more than a digit."""
    zero = drawings.draw(Canvas((448, 448)), drawings.ZERO, (0.15, 0.15, 0.7)).pixel_strokes()
    hatching = [np.array([[150.0, y], [300.0, y + 5]]) for y in range(120, 120 + 10 * 23, 10)]
    read_by_the_models = engine.read
    calls = []
    monkeypatch.setattr(
        engine,
        "read",
        lambda images, *rest: calls.append(len(images)) or read_by_the_models(images, *rest),
    )
    reader = Reader(engine)
    hatched = reader.read_strokes(zero + hatching)
    assert [len(d.pieces) for d in hatched.digits] == [24] and calls == [1]
    reading = reader.read_strokes(zero + hatching + [hatching[0] + 2.0])
    assert [len(d.pieces) for d in reading.digits] == [25]
    drawn, blank = hatched.digits[0].image, reading.digits[0].image
    assert drawn.any() and not blank.any()  # 25 strokes are not drawn: the pad shows a blank
    assert (blank.shape, blank.dtype) == (drawn.shape, drawn.dtype)  # cell, as for any digit
    assert reading.number == "?" and reading.as_json()["rejected"] is True
    assert calls == [1] and reading.single.not_digit == 1.0


@pytest.mark.parametrize(
    ("digits", "number"),
    [
        ((drawings.TWO, drawings.ZERO, drawings.TWO, drawings.SIX), "2026"),
        ((drawings.ONE, drawings.SEVEN), "17"),
    ],
)
def test_a_number_drawn_on_a_wide_canvas_is_read_digit_by_digit(reader, digits, number):
    reading = read(reader, drawings.number(*digits), (900, 300), (0.15, 0.2, 0.6))
    assert reading.number == number
    assert reading.as_json()["digit"] is None
    lefts = [d["box"][0] for d in reading.as_json()["digits"]]
    assert lefts == sorted(lefts)


def test_a_four_whose_strokes_do_not_meet_is_one_four_inside_a_number(reader):
    digits = (drawings.TWO, drawings.FOUR_APART, drawings.SEVEN)
    assert read(reader, drawings.number(*digits), (900, 300), (0.15, 0.2, 0.6)).number == "247"
    alone = read(reader, drawings.FOUR_APART)
    assert alone.number == "4" and alone.single is not None


def test_a_digit_rejected_alone_is_read_between_two_confident_digits(reader):
    assert read(reader, drawings.THIN_EIGHT).number == "?"
    digits = (drawings.TWO, drawings.THIN_EIGHT, drawings.SEVEN)
    reading = read(reader, drawings.number(*digits, width=1.0), (900, 300), (0.15, 0.2, 0.6))
    assert reading.number == "287"
    assert reading.digits[1].prediction.unsure  # read, and said to be unsure


def test_a_letter_between_digits_is_still_not_a_digit_and_a_row_of_letters_all_not(reader):
    between = drawings.number(drawings.TWO, drawings.LETTER_H, drawings.SEVEN)
    assert read(reader, between, (900, 300), (0.15, 0.2, 0.6)).number == "2?7"
    row = drawings.number(drawings.LETTER_H, drawings.LETTER_H, drawings.LETTER_H, gap=0.5)
    assert set(read(reader, row, (900, 300), (0.15, 0.2, 0.6)).number) == {"?"}


def test_two_zeros_whose_ink_touches_are_two_zeros_in_an_image(reader):
    touching = drawings.number(drawings.ZERO, drawings.ZERO, gap=-0.26)
    ink = drawn_ink(touching, (600, 300), (0.2, 0.2, 0.6), 14)
    assert len(segment_pieces(ink)) == 1  # one piece of ink...
    assert reader.read_ink(ink).number == "00"  # ...read as two digits


def segment_pieces(ink: np.ndarray) -> list:
    from runtime.segment import components

    return components(ink > 0.5).boxes


def test_a_crossbar_added_to_an_earlier_seven_joins_it(reader):
    seven, bar = drawings.CROSSED_SEVEN
    written = drawings.number([seven], drawings.ONE)
    bar_on_the_seven = [(x * 0.7, y) for x, y in bar]  # the first digit's place (see `number`)
    reading = read(reader, [*written, bar_on_the_seven], (900, 300), (0.15, 0.2, 0.6))
    assert reading.number == "71"
    assert len(reading.digits) == 2


def test_the_same_number_saved_as_an_image_is_read_from_its_ink(reader):
    canvas = drawings.draw(
        Canvas((900, 300)),
        drawings.number(drawings.TWO, drawings.ZERO, drawings.TWO, drawings.SIX),
        (0.15, 0.2, 0.6),
    )
    assert reader.read_ink(canvas.ink()).number == "2026"


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
    (prediction,) = engine.predict_batch(image[np.newaxis])
    assert prediction.not_digit is not None and prediction.digit == 1
    assert not prediction.rejected


def drawn_ink(strokes, size, box, brush) -> np.ndarray:
    """The ink of `strokes` drawn on a canvas of `size` with a brush `brush` pixels wide."""
    canvas = drawings.draw(Canvas(size, brush / min(size)), strokes, box)
    return canvas.ink().astype(np.float32) / 255


@pytest.mark.parametrize("brush", [2, 3, 5], ids=lambda b: f"{b} px pen")
def test_a_thin_pen_on_a_large_image_is_read_like_the_pad_s_strokes(reader, brush):
    for strokes, digit in ((drawings.SEVEN, "7"), (drawings.ZERO, "0"), (drawings.TWO, "2")):
        ink = drawn_ink(strokes, (1000, 1000), (0.2, 0.15, 0.7), brush)
        assert reader.read_ink(ink).number == digit


def test_a_hairline_across_a_huge_image_is_never_read_as_a_digit(reader):
    line = np.zeros((3, 20000), np.float32)
    line[1] = 1.0
    answer = reader.read_ink(line).as_json()
    assert answer["digit"] is None and answer["number"] in (None, "?")


def test_a_thin_digit_with_pen_taps_inside_it_is_read(reader):
    """Pen taps (dots) inside a digit written with a fine pen: the digit is read, not dropped as
    a frame around them (a test writer's 3 read as two white squares, found by the thin-pen
    evaluation)."""
    ink = drawn_ink(drawings.SEVEN, (1000, 1000), (0.2, 0.15, 0.7), 3)
    ink[480:483, 400:403] = ink[300:303, 350:353] = 1  # inside the 7's box, apart from it
    assert reader.read_ink(ink).number == "7"


def test_a_digit_inside_a_dark_frame_is_read_without_the_frame(reader):
    ink = drawn_ink(drawings.SEVEN, (300, 300), (0.25, 0.2, 0.6), 14)
    ink[10:14, 10:290] = ink[286:290, 10:290] = ink[10:290, 10:14] = ink[10:290, 286:290] = 1
    reading = reader.read_ink(ink)
    assert reading.number == "7"
    assert reading.digits[0].box.width < 200  # the 7 alone, not the frame


def test_the_pad_reads_a_number_written_stroke_by_stroke(engine):
    from pad_events import feed, stroke

    from runtime.pad import Pad

    emitted = []
    pad = Pad(engine, (900, 620), emit=emitted.append)
    rect, height = pad.layout.canvas, pad.layout.canvas.h
    for digit in drawings.number(drawings.TWO, drawings.ZERO, drawings.TWO, drawings.SIX):
        points = [
            (
                rect.left + round((0.15 + x * 0.6) * height),
                rect.top + round((0.2 + y * 0.6) * height),
            )
            for x, y in digit
        ]
        feed(pad, *stroke(points))
    assert emitted[-1]["number"] == "2026"
    assert [d["digit"] for d in emitted[-1]["digits"]] == [2, 0, 2, 6]


def test_the_predict_cli_reads_a_drawn_seven_from_a_file(tmp_path, capsys):
    from conftest import drawn_png

    from runtime import predict

    assert predict.main([str(drawn_png(tmp_path / "seven.png"))]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["digit"] == 7 and line["number"] == "7" and "rejected" not in line


def marker(strokes, side: int, width: float, box=(0.05, 0.05, 0.9)) -> np.ndarray:
    """Dark-on-white picture of `strokes` written with a marker `width` of the picture wide."""
    canvas = drawings.draw(Canvas((side, side), width), strokes, box)
    return 255 - canvas.ink()


def read_picture(reader, picture: np.ndarray, tmp_path) -> str | None:
    from PIL import Image

    from runtime.inputs import load_ink

    Image.fromarray(picture).save(tmp_path / "picture.png")
    return reader.read_ink(load_ink(tmp_path / "picture.png")).number


def tight(picture: np.ndarray) -> np.ndarray:
    rows = np.flatnonzero((picture < 128).any(axis=1))
    cols = np.flatnonzero((picture < 128).any(axis=0))
    return picture[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def test_a_thick_marker_zero_filling_its_picture_is_one_zero(reader, tmp_path):
    picture = tight(marker(drawings.ZERO, 200, 0.2))  # strokes a fifth of its height
    assert read_picture(reader, picture, tmp_path) == "0"


def test_a_bold_one_in_a_tight_crop_is_a_one(reader, tmp_path):
    bar = tight(marker(drawings.ONE, 300, 0.12))
    assert (bar < 128).mean() > 0.5  # more ink than paper
    assert read_picture(reader, bar, tmp_path) == "1"


@pytest.mark.parametrize(
    "strokes", [drawings.TWO, drawings.SEVEN, drawings.SIX, drawings.ZERO], ids=["2", "7", "6", "0"]
)
def test_a_16_pixel_scan_of_a_digit_reads_as_its_enlargement(reader, tmp_path, strokes):
    from PIL import Image

    picture = marker(strokes, 256, 0.08)
    small = np.asarray(Image.fromarray(picture).resize((16, 16), Image.Resampling.BOX))
    large = np.asarray(Image.fromarray(small).resize((256, 256), Image.Resampling.BICUBIC))
    assert read_picture(reader, small, tmp_path) == read_picture(reader, large, tmp_path)


class AlwaysThree:
    """A writer's profile that is sure every digit this writer writes is a 3."""

    def adapt(self, probabilities, embeddings):
        return np.tile(np.eye(10)[3], (len(probabilities), 1))


def test_an_image_is_read_through_the_writer_s_profile(engine):
    ink = drawings.draw(Canvas((300, 300)), drawings.SEVEN, (0.25, 0.2, 0.6)).ink()
    (seven,) = Reader(engine, profile=AlwaysThree()).read_ink(ink).digits
    assert seven.prediction.digit == 3 and seven.prediction.confidence == 1.0


def test_strokes_given_with_their_pictures_are_read_by_both_models_together(engine):
    from runtime import preprocess, trajectory
    from runtime.canvas import render_strokes

    seven = [np.array(stroke, float) * 100 for stroke in drawings.SEVEN]
    images = preprocess.to_model_input(render_strokes(seven))[np.newaxis]
    fused = engine.predict_batch(images, trajectory.batch([seven]))[0]
    both = engine.decide(engine.read(images, trajectory.batch([seven])))[0]
    assert fused.digit == 7 and fused.probabilities == both.probabilities
    assert fused.probabilities != engine.predict_batch(images)[0].probabilities
