"""The thresholds of the runtime's rejection policy, chosen on development data at export.

Development data is what training held out (`training.dataset.validation`): MNIST's hold-out,
the pendigits validation writers, the validation letter sources and fresh shapes. The pendigits
test writers and the held-apart letter sources are never seen here.

- "not a digit": the lowest threshold on the model's `not_digit` output that rejects at most
  MAX_FALSE_REJECT of each kind of real digit, so that as many non-digits as possible are caught.
- the temperature of the softmax (`fit_temperature`), before the two thresholds;
- "unsure": the highest confidence threshold that marks at most MAX_UNSURE_RIGHT of the right
  answers, so the mark falls on wrong answers rather than right ones.
"""

from dataclasses import dataclass

import numpy as np

from runtime.engine import Engine
from runtime.preprocess import model_batch
from runtime.rejection import Policy
from training.dataset import NOT_A_DIGIT

# Far below the product bars (1% of pen digits, 0.5% of MNIST): a rejected digit is a lost
# answer, and letters stay well rejected (measured on the held-out letters: 95% at 0.2%).
MAX_FALSE_REJECT = {"MNIST": 0.002, "pen digits": 0.002}
MAX_UNSURE_RIGHT = 0.01


TEMPERATURES = np.exp(np.linspace(np.log(0.2), np.log(3.0), 121))  # candidates, log-spaced


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature that makes softmax(logits / T) most likely to give the true labels (the
    lowest negative log-likelihood on held-out drawings): temperature scaling."""
    best, best_loss = 1.0, np.inf
    for temperature in TEMPERATURES:
        scaled = logits / temperature
        scaled = scaled - scaled.max(axis=1, keepdims=True)
        log_probabilities = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
        loss = -log_probabilities[np.arange(len(labels)), labels].mean()
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return best


@dataclass(frozen=True)
class Calibration:
    policy: Policy
    figures: dict[str, float]  # what the policy does on the development data, for the card


def calibrate(engine: Engine, development: dict[str, tuple[np.ndarray, np.ndarray]]) -> Calibration:
    """The policy for `engine`'s model, from {kind: (uint8 images, labels)} development data."""
    outputs = {
        kind: engine.outputs(model_batch(images)) for kind, (images, _) in development.items()
    }
    labels = {kind: found for kind, (_, found) in development.items()}
    reject_at = None
    if all(not_digit is not None for _, not_digit in outputs.values()):
        reject_at = max(
            _lowest_threshold(outputs[kind][1][labels[kind] != NOT_A_DIGIT], share)
            for kind, share in MAX_FALSE_REJECT.items()
            if kind in outputs
        )
    policy = Policy(reject_at=reject_at)
    digits = [kind for kind in outputs if (labels[kind] != NOT_A_DIGIT).all()]
    confidence, right = [], []
    for kind in digits:
        probabilities = outputs[kind][0]
        accepted = ~_rejected(policy, outputs[kind])
        confidence.append(probabilities.max(axis=1)[accepted])
        right.append(probabilities.argmax(axis=1)[accepted] == labels[kind][accepted])
    confidence, right = np.concatenate(confidence), np.concatenate(right)
    unsure_below = float(np.quantile(confidence[right], MAX_UNSURE_RIGHT)) if right.any() else 0.0
    policy = Policy(reject_at=reject_at, unsure_below=unsure_below)
    return Calibration(policy, _figures(policy, outputs, labels))


def _lowest_threshold(scores: np.ndarray, share: float) -> float:
    """The lowest t such that at most `share` of `scores` are >= t."""
    allowed = int(np.floor(share * len(scores)))
    ranked = np.sort(scores)[::-1]
    if allowed >= len(ranked):
        return 0.0
    return float(np.nextafter(np.float32(ranked[allowed]), np.float32(np.inf)))


def _rejected(policy: Policy, outputs: tuple[np.ndarray, np.ndarray | None]) -> np.ndarray:
    probabilities, not_digit = outputs
    if not_digit is None or policy.reject_at is None:
        return np.zeros(len(probabilities), dtype=bool)
    return not_digit >= policy.reject_at


def _figures(policy, outputs, labels) -> dict[str, float]:
    figures = {}
    for kind, (probabilities, not_digit) in outputs.items():
        figures[f"{kind} rejected"] = float(_rejected(policy, (probabilities, not_digit)).mean())
        if (labels[kind] != NOT_A_DIGIT).all():
            right = probabilities.argmax(axis=1) == labels[kind]
            unsure = probabilities.max(axis=1) < policy.unsure_below
            figures[f"{kind} wrong marked unsure"] = (
                float(unsure[~right].mean()) if (~right).any() else 0.0
            )
            figures[f"{kind} right marked unsure"] = float(unsure[right].mean())
    return figures
