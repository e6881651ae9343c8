"""Combining the image model's and the stroke model's readings of one drawing."""

import numpy as np
import pytest

from runtime.errors import ModelError
from runtime.fusion import TEMPERATURE_KEY, WEIGHT_KEY, Fusion, log_classes

IMAGE = (np.array([[0.6, 0.4] + [0.0] * 8]), np.array([0.1]))
STROKE = (np.array([[0.2, 0.8] + [0.0] * 8]), np.array([0.3]))


def test_the_eleven_classes_are_the_digits_of_a_drawing_that_is_a_digit_and_not_a_digit():
    classes = np.exp(log_classes(*IMAGE))
    np.testing.assert_allclose(classes[0, :3], [0.9 * 0.6, 0.9 * 0.4, 0.0], atol=1e-6)
    assert classes[0, 10] == pytest.approx(0.1)
    assert log_classes(IMAGE[0], None).shape == (1, 10)  # a model that cannot reject


def test_the_combination_weighs_the_stroke_model_and_can_be_sharpened():
    probabilities, not_digit = Fusion(1.0, 1.0).combine(IMAGE, STROKE)
    both = np.array([0.54 * 0.14, 0.36 * 0.56])
    assert probabilities[0, :2] == pytest.approx(both / both.sum(), rel=1e-4)
    assert not_digit[0] == pytest.approx(0.03 / (0.03 + both.sum()), rel=1e-4)
    image_alone, _ = Fusion(1e-9, 1.0).combine(IMAGE, STROKE)
    assert image_alone[0, :2] == pytest.approx([0.6, 0.4], rel=1e-4)
    sharp, _ = Fusion(1.0, 0.5).combine(IMAGE, STROKE)
    assert sharp[0, 1] > probabilities[0, 1] > 0.5


def test_one_model_s_certainty_does_not_veto_the_other():
    certain_zero = (np.array([[1.0] + [0.0] * 9]), np.array([0.0]))
    sure_one = (np.array([[0.0, 1.0] + [0.0] * 8]), np.array([0.0]))
    probabilities, _ = Fusion(1.0, 1.0).combine(certain_zero, sure_one)
    assert np.isfinite(probabilities).all() and probabilities[0, :2].sum() == pytest.approx(1)


def test_not_a_digit_takes_part_only_when_both_models_can_say_it():
    probabilities, not_digit = Fusion(1.0, 1.0).combine((IMAGE[0], None), STROKE)
    assert not_digit is None and probabilities.sum() == pytest.approx(1)


def test_the_fusion_round_trips_through_the_metadata_and_refuses_nonsense():
    fusion = Fusion(0.8, 1.25)
    assert Fusion.from_metadata(fusion.as_metadata()) == fusion
    with pytest.raises(ModelError, match=WEIGHT_KEY):
        Fusion.from_metadata({TEMPERATURE_KEY: "1"})
    with pytest.raises(ModelError, match="not a positive number"):
        Fusion.from_metadata({WEIGHT_KEY: "nan", TEMPERATURE_KEY: "1"})
    with pytest.raises(ModelError, match="fusion_weight is '0', not a positive number"):
        Fusion.from_metadata({WEIGHT_KEY: "0", TEMPERATURE_KEY: "1"})
