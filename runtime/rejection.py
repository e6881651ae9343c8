"""The one decision of what a reading tells the user: a digit, an unsure digit, or "not a digit".

The thresholds are calibrated at export on development data (never on test writers) and written
into the model's metadata; the runtime only reads them. A model without them still works: it
rejects nothing and marks a digit unsure below DEFAULT_UNSURE_BELOW. The readings that combine
the image and the stroke model (`runtime.fusion`) have their own thresholds, written into the
stroke model's metadata under FUSED.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass

from runtime.errors import ModelError

REJECT_KEY = "reject_not_digit_at"  # reject when the model's not_digit output is at least this
UNSURE_KEY = "unsure_below"  # mark a digit unsure when its probability is below this
DEFAULT_UNSURE_BELOW = 0.6
FUSED = "fused_"  # the prefix of the combined readings' thresholds
# A part in a line of at least two confident digits is "not a digit" only when the model is this
# sure of it: among digits, a digit is far likelier than a letter. Chosen with the lattice's
# costs on numbers of the validation writers, with validation letters among them
# (scripts/choose_line_costs.py): 0.8 led 0.85 and 0.9 by 0.1 to 0.3 points, one or two numbers
# in 200 a length; 0.85 is taken so a borderline digit among digits (not_digit 0.82, the tests'
# thin 8) is read, as the user of a number pad expects.
IN_A_LINE = 0.85


@dataclass(frozen=True)
class Policy:
    reject_at: float | None = None  # None: never reject
    unsure_below: float = DEFAULT_UNSURE_BELOW

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, str], prefix: str = "") -> "Policy":
        """The thresholds a model carries (under `prefix`); a malformed one is an error, a
        missing one a default."""
        reject_at = _threshold(metadata, prefix + REJECT_KEY)
        unsure_below = _threshold(metadata, prefix + UNSURE_KEY)
        return cls(reject_at, DEFAULT_UNSURE_BELOW if unsure_below is None else unsure_below)

    def rejects(self, not_digit: float | None) -> bool:
        return self.reject_at is not None and not_digit is not None and not_digit >= self.reject_at

    def unsure(self, confidence: float) -> bool:
        return confidence < self.unsure_below

    def as_metadata(self, prefix: str = "") -> dict[str, str]:
        """The metadata entries export writes for this policy."""
        entries = {prefix + UNSURE_KEY: f"{self.unsure_below:.6g}"}
        if self.reject_at is not None:
            entries[prefix + REJECT_KEY] = f"{self.reject_at:.6g}"
        return entries


def rejects_in_a_line(not_digit: float | None) -> bool:
    """Whether a part among confident digits is still "not a digit" (see IN_A_LINE)."""
    return not_digit is not None and not_digit >= IN_A_LINE


def _threshold(metadata: Mapping[str, str], key: str) -> float | None:
    if key not in metadata:
        return None
    try:
        value = float(metadata[key])
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 1.0:
        raise ModelError(f"the model's {key} is {metadata[key]!r}, not a number from 0 to 1")
    return value
