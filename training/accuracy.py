"""Accuracy, computed one way for the training report, the export gate and the evaluations.

Keras-free, so export and the evaluations use it without loading TensorFlow.
"""

import numpy as np


def accuracy(scores: np.ndarray, labels: np.ndarray) -> float:
    """The share of rows of `scores` [N, classes] (probabilities or logits: the highest is the
    answer either way) whose answer is the row's label; NaN for no rows, not a division error."""
    if len(labels) == 0:
        return float("nan")
    return float(np.mean(np.argmax(scores, axis=1) == labels))
