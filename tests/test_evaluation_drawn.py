"""The drawn-digit evaluation: tracing, drawing in placements, scoring, and the CLI."""

import json

import numpy as np
import pytest
from conftest import assert_bad_option_line, build_linear_model, markdown_tables

from export.evaluation.drawn import (
    PLACEMENTS,
    PROG,
    Evaluation,
    Placement,
    PlacementResult,
    evaluate,
    main,
    render,
)
from runtime.canvas import Canvas, render_strokes
from runtime.engine import CONTRACT, Engine
from runtime.preprocess import to_model_input
from training.data import load_mnist
from training.trace import trace_strokes

SIDE = 448
FIDELITY_IMAGES = 20
# Ink overlap (IoU at half ink) between the model input of a traced-and-drawn digit and of the
# original. Measured on the first 20 training images: mean 0.68, lowest 0.42; a digit drawn
# from the next image's strokes scores 0.15 on average, transposed strokes 0.16.
MIN_MEAN_IOU = 0.5
MIN_IOU = 0.25


def shape_l() -> np.ndarray:
    """An "L" three pixels thick: a bar down x 8..11 from y 5 to 23, a foot to x 21."""
    image = np.zeros((28, 28), dtype=np.uint8)
    image[5:23, 8:11] = 255
    image[20:23, 8:21] = 255
    return image


def ring(radius: float = 7.75, half_width: float = 1.25) -> np.ndarray:
    y, x = np.mgrid[0:28, 0:28] + 0.5
    distance = np.hypot(x - 14, y - 14)
    return (np.abs(distance - radius) < half_width).astype(np.float32)


def filled_nine() -> np.ndarray:
    """A "9" whose loop the pen filled: a solid disc of radius 5 around (14, 9), and a stem three
    pixels wide down its right side to y 25."""
    y, x = np.mgrid[0:28, 0:28] + 0.5
    image = np.hypot(x - 14, y - 9) < 5
    image[9:25, 16:19] = True
    return image.astype(np.uint8) * 255


def bold_one() -> np.ndarray:
    """A "1" written with a bold pen: a bar six pixels wide, x 11..17, from y 4 to 24."""
    image = np.zeros((28, 28), dtype=np.uint8)
    image[4:24, 11:17] = 255
    return image


def inked(image: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Whether each (x, y) point lies in an inked pixel."""
    columns, rows = np.floor(points).astype(int).T
    return image[rows, columns] > 0


def iou(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a > 0.5, b > 0.5
    return float((a & b).sum() / (a | b).sum())


@pytest.fixture(scope="module")
def mnist(mnist_path):
    return load_mnist(mnist_path)


def test_an_l_is_one_stroke_from_the_top_of_the_bar_to_the_end_of_the_foot():
    image = shape_l()
    strokes = trace_strokes(image)
    assert len(strokes) == 1
    stroke = strokes[0]
    assert inked(image, stroke).all()
    top, end = stroke[0], stroke[-1]
    assert abs(top[0] - 9.5) < 0.5 and top[1] < 5 + 2.5  # within a stroke width of the tip
    assert abs(end[1] - 21.5) < 0.5 and end[0] > 21 - 2.5


def test_a_cross_is_two_straight_strokes_through_the_junction():
    image = np.zeros((28, 28), dtype=np.uint8)
    image[4:24, 12:15] = 255
    image[12:15, 4:24] = 255
    strokes = trace_strokes(image)
    assert len(strokes) == 2
    spans = sorted(tuple(np.ptp(stroke, axis=0) > 10) for stroke in strokes)
    assert spans == [(False, True), (True, False)]  # one across, one down; neither turns
    assert all(np.ptp(stroke, axis=0).min() < 1 for stroke in strokes)


def test_a_ring_is_one_closed_stroke_all_the_way_round():
    image = ring()
    strokes = trace_strokes(image)
    assert len(strokes) == 1
    stroke = strokes[0]
    assert inked(image, stroke).all()
    assert np.linalg.norm(stroke[0] - stroke[-1]) < 1.0
    angles = np.sort(np.arctan2(stroke[:, 1] - 14, stroke[:, 0] - 14))
    gaps = np.diff(np.concatenate([angles, angles[:1] + 2 * np.pi]))
    assert gaps.max() < np.radians(45)


def test_a_filled_loop_is_traced_round_as_a_hand_would_draw_it():
    image = filled_nine()
    strokes = trace_strokes(image)
    assert all(inked(image, stroke).all() for stroke in strokes)
    points = np.concatenate(strokes)
    offsets = points - (14, 9)
    in_disc = np.hypot(*offsets.T) < 5
    angles = np.sort(np.arctan2(offsets[in_disc, 1], offsets[in_disc, 0]))
    gaps = np.diff(np.concatenate([angles, angles[:1] + 2 * np.pi]))
    assert gaps.max() < np.radians(90)  # round the centre, not a line through the blob


def test_a_bold_straight_stroke_is_still_one_open_stroke():
    strokes = trace_strokes(bold_one())
    assert len(strokes) == 1
    stroke = strokes[0]
    assert np.linalg.norm(stroke[0] - stroke[-1]) > 10  # from end to end, not round and back
    assert np.ptp(stroke[:, 0]) < 1  # straight down the bar's middle, not round its edge


def test_a_blank_image_has_no_strokes_and_draws_nothing():
    strokes = trace_strokes(np.zeros((28, 28), dtype=np.uint8))
    assert strokes == []
    assert render(strokes, PLACEMENTS[0]).pixel_strokes() == []


@pytest.mark.parametrize("placement", PLACEMENTS, ids=lambda p: p.name)
def test_each_placement_draws_the_digit_at_its_size_and_place(placement: Placement):
    ink = render(trace_strokes(shape_l()), placement, SIDE).ink()
    rows, columns = np.nonzero(ink)
    brush = Canvas((SIDE, SIDE), placement.brush).brush_width
    height = rows.max() - rows.min() + 1
    assert abs(height - (placement.box * SIDE + brush)) <= 3  # the L is taller than wide
    centre = ((columns.max() + columns.min()) / 2, (rows.max() + rows.min()) / 2)
    assert np.allclose(centre, np.multiply(placement.centre, SIDE), atol=3)


def test_tracing_then_drawing_reproduces_real_digits(mnist):
    overlaps = []
    for image in mnist.x_train[:FIDELITY_IMAGES]:
        canvas = render(trace_strokes(image), PLACEMENTS[0], SIDE)
        drawn = to_model_input(render_strokes(canvas.pixel_strokes()))
        overlaps.append(iou(drawn, to_model_input(image)))
    assert np.mean(overlaps) > MIN_MEAN_IOU
    assert min(overlaps) > MIN_IOU


@pytest.fixture
def always_zero(tmp_path) -> Engine:
    """A model that reads every drawing as a 0: equal probabilities, and 0 comes first."""
    return Engine(build_linear_model(tmp_path / "zero.onnx", np.zeros((784, 10)), dict(CONTRACT)))


def test_evaluate_counts_an_empty_drawing_as_wrong(mnist, always_zero):
    zeros = mnist.x_train[mnist.y_train == 0][:2]
    images = np.concatenate([zeros, np.zeros((1, 28, 28), dtype=np.uint8)])
    evaluation = evaluate(always_zero, images, np.zeros(3, dtype=np.uint8))
    for result in evaluation.placements:
        assert (result.images, result.correct, result.empty) == (3, 2, 1)
        assert result.naive_correct == 3  # the naive resize turns a blank canvas into an image
    assert evaluation.undrawn_accuracy == pytest.approx(2 / 3)
    assert evaluation.overall.images == 3 * len(PLACEMENTS)
    assert evaluation.overall.correct == 2 * len(PLACEMENTS)


def test_the_worst_placement_and_the_overall_figures():
    results = [
        PlacementResult("a", images=100, correct=99, naive_correct=90, empty=0),
        PlacementResult("b", images=100, correct=96, naive_correct=50, empty=1),
        PlacementResult("c", images=100, correct=100, naive_correct=99, empty=0),
    ]
    evaluation = Evaluation(results, undrawn_accuracy=1.0)
    assert evaluation.worst.placement == "b"
    overall = evaluation.overall
    assert (overall.images, overall.correct, overall.naive_correct, overall.empty) == (
        300,
        295,
        239,
        1,
    )


def test_cli_prints_the_table_and_writes_json(mnist_path, tiny_model_path, tmp_path, capsys):
    out = tmp_path / "drawn.json"
    argv = ["--model", str(tiny_model_path), "--data", str(mnist_path), "--count", "3"]
    assert main([*argv, "--json", str(out)]) == 0
    table = markdown_tables(capsys.readouterr().out)[0]
    assert [row[0] for row in table[1:]] == [*(p.name for p in PLACEMENTS), "overall"]
    assert table[-1][1] == str(3 * len(PLACEMENTS))
    written = json.loads(out.read_text())
    assert list(written["figures"]["placements"]) == [p.name for p in PLACEMENTS]
    assert "--count 3" in written["command"]


def test_cli_missing_model_is_one_error_line_and_exit_2(mnist_path, tmp_path, capsys):
    missing = tmp_path / "missing.onnx"
    assert main(["--model", str(missing), "--data", str(mnist_path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1
    assert (
        lines[0].startswith("python -m export.evaluation.drawn: error: ")
        and str(missing) in lines[0]
    )


@pytest.mark.parametrize(
    ("option", "value"),
    [("--seed", "-1"), ("--seed", "4294967296"), ("--count", "0"), ("--count", "2.5")],
)
def test_cli_bad_number_is_an_argparse_error(tmp_path, capsys, option, value):
    with pytest.raises(SystemExit) as exit_info:
        main([option, value, "--model", str(tmp_path / "missing.onnx")])
    assert_bad_option_line(capsys, exit_info, PROG, option)
