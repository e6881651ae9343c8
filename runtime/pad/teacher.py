"""What a writer teaches the pad: their corrections, and the digits they let stand, kept in their
profile (`runtime.profile`) and saved at once, so nothing taught is lost if the pad is closed.

A correction is learned as given. A digit the writer did not correct counts as confirmed when
the canvas is cleared, but only a reading the models were sure of (CONFIRM_ABOVE, never unsure,
never "not a digit"): a writer who lets a misreading stand must not teach the pad it.
"""

from collections.abc import Callable
from pathlib import Path

from runtime.profile import Profile, ProfileError
from runtime.reader import DigitReading, Reading

# The confidence above which a digit left uncorrected is learned. On the validation writers, 0.9
# confirms 99.5% of the right readings; of the wrong ones, all but one (read at 0.999) are unsure.
CONFIRM_ABOVE = 0.9


class Teacher:
    """The pad's profile, what has been taught to it since the canvas was cleared, and how to
    save it; `warn` says in one line when it cannot be saved."""

    def __init__(self, profile: Profile | None, path: Path | None, warn: Callable[[str], None]):
        self.profile, self.path, self.warn = profile, path, warn
        self.corrected: list[tuple[int, ...]] = []  # the digits corrected, by their pieces

    def correct(self, digit: DigitReading, label: int) -> bool:
        """Learn that `digit` was `label`; False when there is no profile to learn into."""
        if self.profile is None or digit.prediction.embedding is None:
            return False
        self.profile.learn(digit.prediction.embedding, label)
        self.corrected.append(digit.pieces)
        self._save()
        return True

    def undo(self) -> None:
        """Take back the last correction."""
        if self.profile is not None and self.corrected:
            self.profile.forget_last()
            self.corrected.pop()
            self._save()

    def confirm(self, reading: Reading | None) -> int:
        """Learn the sure digits of a reading the writer leaves (clears) without correcting
        them; how many were learned."""
        if self.profile is None or reading is None:
            return 0
        confirmed = [
            digit
            for digit in reading.digits
            if digit.pieces not in self.corrected
            and not digit.prediction.rejected
            and not digit.prediction.unsure
            and digit.prediction.confidence >= CONFIRM_ABOVE
            and digit.prediction.embedding is not None
        ]
        for digit in confirmed:
            self.profile.learn(digit.prediction.embedding, digit.prediction.digit)
        self.corrected.clear()
        if confirmed:
            self._save()
        return len(confirmed)

    def forget(self) -> None:
        """Empty the profile: what the pad learned is gone, here and on disk."""
        if self.profile is not None:
            self.profile.clear()
            self.corrected.clear()
            self._save()

    def _save(self) -> None:
        if self.path is None:
            return
        try:
            self.profile.save(self.path)
        except ProfileError as error:
            self.warn(f"digits-pad: {error}; what was learned is kept until the pad closes")
