"""Accuracy, computed one way for the training report, the export gate and the evaluations.

Keras-free, so export and the evaluations use it without loading TensorFlow.
"""

import numpy as np


def accuracy(scores: np.ndarray, labels: np.ndarray) -> float:
    """The share of rows of `scores` [N, classes] (probabilities or logits: the highest is the
    answer either way) whose answer is the row's label; NaN for no rows, not a division error."""
    if len(labels) == 0:
        return float("nan")
    return share(np.argmax(scores, axis=1) == labels)


def share(right: np.ndarray) -> float:
    """The share of true values, for answers already judged right or wrong; NaN for none."""
    right = np.asarray(right, dtype=bool)
    return float(right.mean()) if right.size else float("nan")
