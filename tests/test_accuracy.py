"""The one accuracy function."""

import math

import numpy as np

from training.accuracy import accuracy


def test_accuracy_is_the_share_of_rows_whose_highest_score_is_the_label():
    scores = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]], dtype=np.float32)
    assert accuracy(scores, np.array([1, 0, 0, 1], dtype=np.uint8)) == 0.5


def test_logits_give_the_same_accuracy_as_their_probabilities():
    logits = np.random.default_rng(0).normal(size=(100, 10))
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    labels = np.random.default_rng(1).integers(0, 10, 100)
    assert accuracy(logits, labels) == accuracy(probabilities, labels) > 0


def test_no_rows_is_nan():
    assert math.isnan(accuracy(np.zeros((0, 10)), np.zeros(0, dtype=np.uint8)))
