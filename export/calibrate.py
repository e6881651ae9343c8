"""What export fits on development data: the temperatures, the fusion of the two models, and the
thresholds of the runtime's rejection policy.

Development data is what training held out (`training.dataset.validation`): MNIST's hold-out,
the pendigits validation writers, traced MNIST digits, the validation letter sources and fresh
shapes. The pendigits test writers and the held-apart letter sources are never seen here.

- the temperature of each model's softmax (`fit_temperature`), before anything else;
- the fusion of the image and the stroke model (`fit_fusion`): the weight and temperature that
  make the combination most likely to give the true class, digits and "not a digit" alike;
- "not a digit": the lowest threshold on `not_digit` that rejects at most MAX_FALSE_REJECT of
  each kind of real digit, so that as many non-digits as possible are caught;
- "unsure": the highest confidence threshold that marks at most MAX_UNSURE_RIGHT of the right
  answers, so the mark falls on wrong answers rather than right ones.
"""

from dataclasses import dataclass

import numpy as np

from runtime.fusion import Fusion, log_classes
from runtime.rejection import Policy
from training.dataset import NOT_A_DIGIT

# Far below the product bars (1% of pen digits, 0.5% of MNIST): a rejected digit is a lost
# answer, and letters stay well rejected (measured on the held-out letters: 95% at 0.2%).
MAX_FALSE_REJECT = {"MNIST": 0.002, "pen digits": 0.002}
MAX_UNSURE_RIGHT = 0.01

TEMPERATURES = np.exp(np.linspace(np.log(0.2), np.log(3.0), 121))  # candidates, log-spaced
FUSION_WEIGHTS = np.exp(np.linspace(np.log(0.2), np.log(4.0), 41))

Outputs = tuple[np.ndarray, np.ndarray | None]  # digit probabilities, not_digit


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature that makes softmax(logits / T) most likely to give the true labels (the
    lowest negative log-likelihood on held-out drawings): temperature scaling."""
    best, best_loss = 1.0, np.inf
    for temperature in TEMPERATURES:
        loss = _nll(logits / temperature, labels)
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return best


def fit_fusion(image: Outputs, stroke: Outputs, labels: np.ndarray) -> Fusion:
    """The weight and temperature of `runtime.fusion` with the lowest negative log-likelihood of
    the true classes (ten digits and "not a digit") on drawings both models read."""
    both = image[1] is not None and stroke[1] is not None
    image_scores, stroke_scores = log_classes(*image, both), log_classes(*stroke, both)
    best, best_loss = Fusion(), np.inf
    for weight in FUSION_WEIGHTS:
        scores = image_scores + weight * stroke_scores
        for temperature in TEMPERATURES:
            loss = _nll(scores / temperature, labels)
            if loss < best_loss:
                best, best_loss = Fusion(float(weight), float(temperature)), loss
    return best


@dataclass(frozen=True)
class Calibration:
    policy: Policy
    figures: dict[str, float]  # what the policy does on the development data, for the card


def calibrate(outputs: dict[str, Outputs], labels: dict[str, np.ndarray]) -> Calibration:
    """The policy for a model's (or a fusion's) `outputs` on each kind of development data."""
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


def _nll(scores: np.ndarray, labels: np.ndarray) -> float:
    scores = scores - scores.max(axis=1, keepdims=True)
    log_probabilities = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    return float(-log_probabilities[np.arange(len(labels)), labels].mean())


def _lowest_threshold(scores: np.ndarray, share: float) -> float:
    """The lowest t such that at most `share` of `scores` are >= t."""
    allowed = int(np.floor(share * len(scores)))
    ranked = np.sort(scores)[::-1]
    if allowed >= len(ranked):
        return 0.0
    return float(np.nextafter(np.float32(ranked[allowed]), np.float32(np.inf)))


def _rejected(policy: Policy, outputs: Outputs) -> np.ndarray:
    probabilities, not_digit = outputs
    if not_digit is None or policy.reject_at is None:
        return np.zeros(len(probabilities), dtype=bool)
    return not_digit >= policy.reject_at


def _figures(policy: Policy, outputs: dict[str, Outputs], labels) -> dict[str, float]:
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
