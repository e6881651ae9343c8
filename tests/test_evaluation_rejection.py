"""python -m export.evaluation.rejection: rejection rates, false rejections and calibration."""

import numpy as np
import pytest

from export.evaluation import rejection
from runtime.engine import Prediction
from runtime.reader import DigitReading, Reading
from runtime.segment import Box


def prediction(digit: int, confidence: float, rejected=False, unsure=False) -> Prediction:
    probabilities = tuple(confidence if d == digit else (1 - confidence) / 9 for d in range(10))
    return Prediction(digit, confidence, probabilities, 0.5, rejected, unsure, 1.0)


def test_the_expected_calibration_error_is_the_weighted_gap_per_bin():
    confidence = np.array([0.95] * 10 + [0.55] * 10)
    right = np.array([True] * 9 + [False] + [True] * 5 + [False] * 5)
    assert rejection.expected_calibration_error(confidence, right) == pytest.approx(
        (10 * 0.05 + 10 * 0.05) / 20
    )
    assert rejection.expected_calibration_error(np.array([1.0]), np.array([True])) == 0


def test_digit_figures_count_false_rejections_and_the_unsure_mark():
    predictions = [
        prediction(1, 0.9),  # right
        prediction(2, 0.9, rejected=True),  # right, but rejected: lost
        prediction(3, 0.4, unsure=True),  # wrong, caught by unsure
        prediction(4, 0.3, unsure=True),  # right, marked unsure
    ]
    figures = rejection.digit_figures(predictions, np.array([1, 2, 5, 4]))
    assert figures["falsely_rejected"] == 0.25
    assert figures["accuracy"] == 0.5 and figures["accuracy_on_accepted"] == pytest.approx(2 / 3)
    assert figures["unsure_catches_wrong"] == 1.0 and figures["unsure_marks_right"] == 0.5


def test_a_non_digit_counts_as_rejected_only_when_no_digit_is_read():
    def reading(*flags):
        digits = [DigitReading(Box(0, 0, 1, 1), None, prediction(0, 0.5, r), (0,)) for r in flags]
        return Reading(digits, 1.0, 0.0)

    assert rejection.rejected(reading(True, True)) and rejection.rejected(reading())
    assert not rejection.rejected(reading(True, False))


def test_strokes_become_mouse_positions_in_a_box():
    strokes = rejection.as_mouse([np.array([[10.0, -5.0], [30.0, 35.0]])])
    assert strokes[0].tolist() == [[0, 0], [200, 400]]


def test_the_cli_reports_every_kind(
    tiny_model_path, mnist_path, pen_path, letters_path, tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr(rejection, "SHAPES_PER_KIND", 2)
    monkeypatch.setattr(rejection, "LETTER_ROWS", 2)
    from training import pen

    real = pen.PenSamples.of_groups
    monkeypatch.setattr(
        pen.PenSamples,
        "of_groups",
        lambda self, groups: real(self, groups).where(np.arange(len(real(self, groups))) < 5),
    )
    argv = ["--model", str(tiny_model_path), "--data", str(mnist_path), "--pen-data", str(pen_path)]
    argv += ["--letters-data", str(letters_path), "--diagram", str(tmp_path / "r.png")]
    assert rejection.main(argv) == 0
    printed = capsys.readouterr().out
    for kind in ("letters (held-apart writers)", "smiley", "MNIST test", "pendigits writers"):
        assert kind in printed
    assert (tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG"
