"""The rejection policy: thresholds read from a model's metadata, and what they decide."""

import numpy as np
import pytest
from conftest import build_linear_model

from runtime.engine import CONTRACT, Engine
from runtime.errors import ModelError
from runtime.rejection import DEFAULT_UNSURE_BELOW, REJECT_KEY, UNSURE_KEY, Policy

WEIGHTS = np.random.default_rng(3).normal(0, 0.1, (784, 10))


def test_a_model_without_thresholds_rejects_nothing_and_uses_the_default_unsure_mark():
    policy = Policy.from_metadata({})
    assert policy == Policy(None, DEFAULT_UNSURE_BELOW)
    assert not policy.rejects(1.0) and not policy.rejects(None)
    assert policy.unsure(DEFAULT_UNSURE_BELOW - 1e-6) and not policy.unsure(DEFAULT_UNSURE_BELOW)


def test_thresholds_come_from_the_metadata_and_round_trip():
    policy = Policy.from_metadata({REJECT_KEY: "0.25", UNSURE_KEY: "0.7"})
    assert policy == Policy(0.25, 0.7)
    assert policy.rejects(0.25) and not policy.rejects(0.2499)
    assert not policy.rejects(None)  # a model without the output cannot reject
    assert Policy.from_metadata(policy.as_metadata()) == policy
    assert Policy(None, 0.5).as_metadata() == {UNSURE_KEY: "0.5"}


def test_thresholds_of_exactly_0_and_1_are_accepted():
    assert Policy.from_metadata({REJECT_KEY: "1", UNSURE_KEY: "0"}) == Policy(1.0, 0.0)
    assert Policy.from_metadata({REJECT_KEY: "0", UNSURE_KEY: "1"}) == Policy(0.0, 1.0)


@pytest.mark.parametrize("value", ["nan", "-0.1", "1.5", "high", ""])
def test_a_malformed_threshold_is_a_model_error_naming_the_key(value):
    with pytest.raises(ModelError, match=REJECT_KEY):
        Policy.from_metadata({REJECT_KEY: value})


@pytest.mark.parametrize(
    ("not_digit", "threshold", "rejected"),
    [(0.9, "0.5", True), (0.3, "0.5", False), (0.9, None, False)],
)
def test_the_engine_applies_its_models_policy(tmp_path, not_digit, threshold, rejected):
    """Ten digit logits of 0 and an eleventh of log(10 p / (1 - p)): "not a digit" at p."""
    metadata = dict(CONTRACT) | ({REJECT_KEY: threshold} if threshold else {})
    eleventh = float(np.log(10 * not_digit / (1 - not_digit)))
    flat = np.zeros((784, 10))
    model = build_linear_model(tmp_path / "m.onnx", flat, metadata, not_digit=eleventh)
    (prediction,) = Engine(model).predict_batch(np.random.default_rng(0).random((1, 28, 28)))
    assert prediction.not_digit == pytest.approx(not_digit)
    assert prediction.rejected is rejected
    assert prediction.answer == (None if rejected else prediction.digit)


def test_a_model_without_the_not_digit_output_never_rejects(tmp_path):
    model = build_linear_model(tmp_path / "m.onnx", WEIGHTS, dict(CONTRACT) | {REJECT_KEY: "0"})
    (prediction,) = Engine(model).predict_batch(np.zeros((1, 28, 28)))
    assert prediction.not_digit is None and not prediction.rejected


def test_unsure_follows_the_models_threshold(tmp_path):
    flat = np.zeros((784, 10))  # every digit 10%: far below any sensible mark
    sure = build_linear_model(tmp_path / "a.onnx", flat, dict(CONTRACT) | {UNSURE_KEY: "0.05"})
    unsure = build_linear_model(tmp_path / "b.onnx", flat, dict(CONTRACT) | {UNSURE_KEY: "0.2"})
    image = np.zeros((1, 28, 28))
    assert not Engine(sure).predict_batch(image)[0].unsure
    assert Engine(unsure).predict_batch(image)[0].unsure


def test_a_part_among_digits_stays_not_a_digit_from_exactly_the_line_s_threshold():
    from runtime.rejection import IN_A_LINE, rejects_in_a_line

    assert rejects_in_a_line(IN_A_LINE) and not rejects_in_a_line(IN_A_LINE - 1e-6)
    assert not rejects_in_a_line(None)  # a model that cannot say "not a digit"
