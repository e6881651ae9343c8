"""Combining the image model's and the stroke model's readings of the same drawing.

Each model gives a distribution over the ten digits and "not a digit". Where both read a
drawing, the combination is a weighted product of the two, sharpened or softened by a
temperature: log q = (log p_image + weight * log p_stroke) / temperature. The weight and the
temperature are fitted at export on the validation writers, and written into the stroke model's
metadata with the thresholds of the policy that applies to the combination.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from runtime.errors import ModelError

WEIGHT_KEY = "fusion_weight"
TEMPERATURE_KEY = "fusion_temperature"
FLOOR = 1e-7  # no probability is taken as exactly 0: one model's certainty cannot veto the other


@dataclass(frozen=True)
class Fusion:
    weight: float = 1.0
    temperature: float = 1.0

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, str]) -> "Fusion":
        return cls(_positive(metadata, WEIGHT_KEY), _positive(metadata, TEMPERATURE_KEY))

    def as_metadata(self) -> dict[str, str]:
        return {WEIGHT_KEY: f"{self.weight:.6g}", TEMPERATURE_KEY: f"{self.temperature:.6g}"}

    def combine(
        self,
        image: tuple[np.ndarray, np.ndarray | None],
        stroke: tuple[np.ndarray, np.ndarray | None],
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """(digit probabilities [N, 10], not_digit [N] or None) of each model -> the same of
        their combination. "Not a digit" takes part only when both models can say it."""
        both = image[1] is not None and stroke[1] is not None
        scores = log_classes(*image, both) + self.weight * log_classes(*stroke, both)
        scores = scores / self.temperature
        scores -= scores.max(axis=1, keepdims=True)
        combined = np.exp(scores)
        combined /= combined.sum(axis=1, keepdims=True)
        digits = combined[:, :10] / combined[:, :10].sum(axis=1, keepdims=True)
        return digits.astype(np.float32), (combined[:, 10].astype(np.float32) if both else None)


def log_classes(
    probabilities: np.ndarray, not_digit: np.ndarray | None, with_not_digit: bool = True
) -> np.ndarray:
    """The log-probabilities of the eleven classes (the ten digits alone without not_digit):
    the digit probabilities are those of a drawing that is a digit, so
    p(d) = (1 - not_digit) p(d | a digit)."""
    probabilities = np.asarray(probabilities, np.float64)
    if not (with_not_digit and not_digit is not None):
        return np.log(np.maximum(probabilities, FLOOR))
    none = np.asarray(not_digit, np.float64)[:, None]
    classes = np.concatenate([(1 - none) * probabilities, none], axis=1)
    return np.log(np.maximum(classes, FLOOR))


def _positive(metadata: Mapping[str, str], key: str) -> float:
    if key not in metadata:
        raise ModelError(f"the stroke model has no {key}: export it with digits-export")
    try:
        value = float(metadata[key])
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value > 0):
        raise ModelError(f"the stroke model's {key} is {metadata[key]!r}, not a positive number")
    return value
