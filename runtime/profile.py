"""A writer's profile: the digits they corrected or confirmed, kept on their device, and how it
tilts a reading toward their own way of writing.

A digit is remembered by what the image model made of it (its embedding, reduced to DIMENSIONS
by a fixed projection), never by its drawing. A reading is adapted by class prototypes: the
mean of the writer's samples of each digit, compared with the reading's embedding by cosine
similarity, shrunk toward UNSEEN for a digit with few samples (and UNSEEN for one with none, so
a correction lifts its own digit and not only lowers the others), weighted by WEIGHT and added
to the models' log-probabilities. The rule and its constants were chosen on the validation
writers (`python -m export.evaluation.adaptation --writers validation`).

The profile holds at most CAPACITY samples (the oldest go), names the image model it was made
with by sha256 (a profile of another model is set aside, never misapplied), is written
atomically, and a damaged file is kept aside and reported, never lost silently.
"""

import contextlib
import os
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runtime.errors import DigitsError
from runtime.labels import NUM_DIGITS

DIMENSIONS = 128  # of the projected embedding: measured as good as all 1600 (validation)
CAPACITY = 500
WEIGHT = 30.0  # of the prototypes' similarity, against the models' log-probabilities
SHRINK = 1.0  # a class with n samples counts its similarity n / (n + SHRINK), the rest UNSEEN
# The similarity a digit without samples is given: between a drawing's similarity to its own
# digit's prototype and to another's (medians 0.88 and 0.17 on the validation writers).
UNSEEN = 0.5
FORMAT = 1
FILE_NAME = "profile.npz"


class ProfileError(DigitsError):
    """A profile cannot be read or written."""


@dataclass(frozen=True)
class Loaded:
    """A profile as found on disk, and what happened to a file that could not be used."""

    profile: "Profile"
    message: str | None = None  # set when a file was set aside


class Profile:
    """The samples of one writer, for the image model named by `model`."""

    def __init__(self, model: str, embeddings=None, labels=None):
        self.model = model
        self.embeddings = (
            np.zeros((0, DIMENSIONS), np.float32) if embeddings is None else embeddings
        )
        self.labels = np.zeros(0, np.int8) if labels is None else labels
        self._prototypes: tuple[np.ndarray, np.ndarray] | None = None

    def __len__(self) -> int:
        return len(self.labels)

    def learn(self, embedding: np.ndarray, digit: int) -> None:
        """Remember that a drawing with this (image model) embedding was `digit`."""
        reduced = project(np.asarray(embedding, np.float32)[np.newaxis])
        self.embeddings = np.concatenate([self.embeddings, reduced])[-CAPACITY:]
        self.labels = np.append(self.labels, np.int8(digit))[-CAPACITY:]
        self._prototypes = None

    def forget_last(self) -> None:
        """Undo the last `learn`."""
        self.embeddings, self.labels = self.embeddings[:-1], self.labels[:-1]
        self._prototypes = None

    def clear(self) -> None:
        self.embeddings, self.labels = self.embeddings[:0], self.labels[:0]
        self._prototypes = None

    def adapt(self, probabilities: np.ndarray, embeddings: np.ndarray) -> np.ndarray:
        """The digit probabilities [N, 10] of drawings with these embeddings [N, D], tilted
        toward the writer's samples (unchanged while the profile is empty)."""
        if not len(self):
            return probabilities
        prototypes, counts = self._class_prototypes()
        similarity = project(np.asarray(embeddings, np.float32)) @ prototypes.T
        shrunk = (counts * similarity + SHRINK * UNSEEN) / (counts + SHRINK)
        scores = np.log(np.maximum(probabilities, 1e-9)) + WEIGHT * shrunk
        scores -= scores.max(axis=1, keepdims=True)
        adapted = np.exp(scores)
        return adapted / adapted.sum(axis=1, keepdims=True)

    def _class_prototypes(self) -> tuple[np.ndarray, np.ndarray]:
        if self._prototypes is None:
            counts = np.bincount(self.labels.astype(int), minlength=NUM_DIGITS).astype(np.float32)
            sums = np.zeros((NUM_DIGITS, DIMENSIONS), np.float32)
            np.add.at(sums, self.labels.astype(int), self.embeddings)
            self._prototypes = (_unit(sums), counts)
        return self._prototypes

    def save(self, path: Path) -> None:
        """Write the profile atomically: the old file stays whole until the new one is."""
        name = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".npz")
            with os.fdopen(fd, "wb") as handle:
                np.savez(
                    handle,
                    format=np.int32(FORMAT),
                    model=np.array(self.model),
                    embeddings=self.embeddings.astype(np.float16),
                    labels=self.labels,
                )
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(name, path)
        except OSError as error:
            raise ProfileError(
                f"cannot write the profile {path}: {error.strerror or error}"
            ) from None
        finally:
            if name is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(name)


def load(path: Path, model: str) -> Loaded:
    """The profile at `path` for `model`; a fresh one if there is none yet. A profile of another
    model, or a file that is not a profile, is moved aside (never deleted) and reported."""
    if not path.exists():
        return Loaded(Profile(model))
    try:
        with np.load(path, allow_pickle=False) as stored:
            if int(stored["format"]) != FORMAT:
                raise ValueError(f"format {int(stored['format'])}")
            found_model = str(stored["model"])
            embeddings = stored["embeddings"].astype(np.float32)
            labels = stored["labels"].astype(np.int8)
        if (
            embeddings.shape != (len(labels), DIMENSIONS)
            or not np.isin(labels, range(NUM_DIGITS)).all()
        ):
            raise ValueError("its samples do not fit together")
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        kept = _set_aside(path, "damaged")
        return Loaded(Profile(model), f"the profile {path} is damaged ({error}); kept as {kept}")
    if found_model != model:
        kept = _set_aside(path, "other-model")
        return Loaded(
            Profile(model),
            f"the profile {path} was made with other models; kept as {kept}, a new one started",
        )
    return Loaded(Profile(model, embeddings[-CAPACITY:], labels[-CAPACITY:]))


def default_path() -> Path:
    """Where a user's profile lives: their platform's folder for application data."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "digits" / FILE_NAME


def project(embeddings: np.ndarray) -> np.ndarray:
    """Embeddings [N, D] reduced to unit vectors [N, DIMENSIONS] by a fixed +-1 projection, made
    from integer arithmetic so that it is the same on every platform and NumPy."""
    return _unit(embeddings @ _projection(embeddings.shape[1]))


_PROJECTIONS: dict[int, np.ndarray] = {}


def _projection(width: int) -> np.ndarray:
    """Signs from a 64-bit integer mix (splitmix64's finaliser) of each entry's position."""
    if width not in _PROJECTIONS:
        mixed = np.arange(width * DIMENSIONS, dtype=np.uint64)
        for shift, factor in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB), (31, None)):
            mixed ^= mixed >> np.uint64(shift)
            if factor is not None:
                mixed *= np.uint64(factor)  # wraps modulo 2**64, as the mix intends
        signs = np.where(mixed & np.uint64(1), 1.0, -1.0).reshape(width, DIMENSIONS)
        _PROJECTIONS[width] = (signs / np.sqrt(DIMENSIONS)).astype(np.float32)
    return _PROJECTIONS[width]


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def _set_aside(path: Path, why: str) -> Path:
    kept = path.with_name(f"{path.name}.{why}-{time.strftime('%Y%m%d-%H%M%S')}")
    os.replace(path, kept)
    return kept
