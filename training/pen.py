"""Real pen strokes: pendigits (digits, by writer) and UNIPEN letters (the "not a digit" class).

Both come as our `.npz` files (see ../shared/data/README.md); pendigits also as the original UCI
text files, which anyone can download. Every source is validated the same way, so a wrong or
truncated file fails here with one line instead of deep inside training.

Who may see what is fixed here, by writer and by letter source, never at random: the pendigits
test writers are for evaluation only (never training, calibration, thresholds, early stopping
or model selection), and the validation writers and letter sources are held out of training for
early stopping and for export's calibration.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from training.files import sha256_of_files
from training.sources import LETTERS, PENDIGITS, DataError, read_npz, required

TEST_WRITERS = tuple(range(31, 45))  # the writers of pendigits-orig.tes: evaluation only
VALIDATION_WRITERS = (26, 27, 28, 29, 30)  # held out of training: early stopping, calibration
TRAIN_WRITERS = tuple(w for w in range(1, 31) if w not in VALIDATION_WRITERS)
# UNIPEN contributors: each writes differently on a different tablet, so they split by source.
TEST_LETTER_SOURCES = ("ced", "pri", "sie")  # held apart for measuring rejection
VALIDATION_LETTER_SOURCES = ("cea", "ceb")

UCI_FILES = {"pendigits-orig.tra": 0, "pendigits-orig.tes": 30}  # file -> writer number offset
UCI_BOX = 500  # the UCI files count y up in a 500-unit box; we store y down, as screens do

_ARRAYS = ("label", "stroke_offsets", "sample_offsets", "points")


@dataclass(frozen=True)
class PenSamples:
    """Pen-written samples with who wrote them.

    `strokes[i]` is sample i: a list of (n, 2) float32 arrays of pen positions (x, y), y down,
    in the source's units. `groups` is the writer number (pendigits) or the letter source.
    """

    strokes: list[list[np.ndarray]]
    labels: np.ndarray
    groups: np.ndarray
    source: str
    sha256: str

    def __len__(self) -> int:
        return len(self.labels)

    def where(self, keep: np.ndarray) -> "PenSamples":
        """The samples where the boolean mask `keep` is true."""
        chosen = np.flatnonzero(keep)
        return PenSamples(
            [self.strokes[i] for i in chosen],
            self.labels[chosen],
            self.groups[chosen],
            self.source,
            self.sha256,
        )

    def of_groups(self, groups) -> "PenSamples":
        return self.where(np.isin(self.groups, groups))


def load_pendigits(data: str | os.PathLike | None = None) -> PenSamples:
    """All 10,992 pendigits (writers 1-44; see TEST_WRITERS) from `data` or $PENDIGITS_DATA."""
    path = required(data, PENDIGITS)
    if path.is_dir():
        files = [path / name for name in UCI_FILES]
        missing = [f.name for f in files if not f.is_file()]
        if missing:
            packed = [f.name for f in files if f.with_name(f.name + ".Z").is_file()]
            hint = " (decompress the .Z files first: gzip -d *.Z)" if packed else ""
            raise DataError(f"{path} has no {', '.join(missing)}{hint}")
        samples = [s for f, offset in UCI_FILES.items() for s in _parse_uci(path / f, offset)]
        strokes, labels, writers = zip(*samples, strict=True)
        return _checked(
            PenSamples(
                list(strokes),
                np.array(labels, np.int64),
                np.array(writers, np.int64),
                str(path),
                sha256_of_files(files),
            ),
            digits=True,
        )
    arrays = read_npz(path, (*_ARRAYS, "writer"), "pen-stroke")
    return _checked(_samples(arrays, arrays["writer"], path), digits=True)


def load_letters(data: str | os.PathLike | None = None) -> PenSamples:
    """The UNIPEN letters; `groups` holds each letter's source name (contributor)."""
    path = required(data, LETTERS)
    arrays = read_npz(path, (*_ARRAYS, "source", "source_names"), "pen-stroke")
    names = arrays["source_names"].astype(str)
    if arrays["source"].size and not 0 <= arrays["source"].min() <= arrays["source"].max() < len(
        names
    ):
        raise DataError(f"{path}: letter sources out of range")
    return _checked(_samples(arrays, names[arrays["source"]], path), digits=False)


def _samples(arrays: dict[str, np.ndarray], groups: np.ndarray, path: Path) -> PenSamples:
    points = arrays["points"]
    strokes_at, samples_at = arrays["stroke_offsets"], arrays["sample_offsets"]
    count = len(arrays["label"])
    if (
        points.ndim != 2
        or points.shape[1] != 2
        or strokes_at.ndim != 1
        or samples_at.shape != (count + 1,)
        or len(groups) != count
        or np.any(np.diff(strokes_at) < 0)
        or np.any(np.diff(samples_at) < 1)
        or strokes_at[0] != 0
        or strokes_at[-1] != len(points)
        or samples_at[0] != 0
        or samples_at[-1] != len(strokes_at) - 1
    ):
        raise DataError(f"{path}: the stroke and sample offsets do not fit the points")
    pieces = np.split(points.astype(np.float32), strokes_at[1:-1])
    strokes = [pieces[samples_at[i] : samples_at[i + 1]] for i in range(count)]
    return PenSamples(
        strokes, arrays["label"].astype(np.int64), groups, str(path), sha256_of_files([path])
    )


def _checked(samples: PenSamples, digits: bool) -> PenSamples:
    if not len(samples):
        raise DataError(f"{samples.source} holds no samples")
    if any(len(stroke) == 0 for sample in samples.strokes for stroke in sample):
        raise DataError(f"{samples.source} has an empty stroke")
    if digits and not (samples.labels.min() >= 0 and samples.labels.max() <= 9):
        raise DataError(f"{samples.source}: labels must be digits 0-9")
    return samples


_SEGMENT = re.compile(r'^\.SEGMENT\s+DIGIT\s+\S+\s+\S+\s+"(\d)"')
_COMMENT = re.compile(r"^\.COMMENT\s+(\d)\s+(\d+)")
_POINT = re.compile(r"^\s*(-?\d+)\s+(-?\d+)\s*$")


def _parse_uci(path: Path, writer_offset: int) -> list[tuple[list[np.ndarray], int, int]]:
    """(strokes, label, writer) per digit of a UNIPEN-style pendigits-orig file."""
    samples: list[tuple[list[np.ndarray], int, int]] = []
    strokes: list[np.ndarray] = []
    label = writer = None
    stroke: list[tuple[int, int]] | None = None

    def finish():
        if label is not None:
            if writer is None or not strokes:
                raise DataError(f"{path}: a digit without a .COMMENT line or strokes")
            samples.append((strokes, label, writer + writer_offset))

    try:
        lines = path.read_text(encoding="latin-1").splitlines()
    except OSError as error:
        raise DataError(f"cannot read {path}: {error}") from error
    for number, line in enumerate(lines, 1):
        if line.startswith(".SEGMENT"):
            finish()
            match = _SEGMENT.match(line)
            if match is None:
                raise DataError(f"{path}:{number}: unexpected segment line: {line.strip()}")
            label, writer, strokes = int(match[1]), None, []
        elif line.startswith(".COMMENT") and (match := _COMMENT.match(line)):
            writer = int(match[2])
        elif line.startswith(".PEN_DOWN"):
            stroke = []
        elif line.startswith(".PEN_UP") and stroke is not None:
            if stroke and label is not None:
                xy = np.array(stroke, dtype=np.float32)
                xy[:, 1] = UCI_BOX - xy[:, 1]
                strokes.append(xy)
            stroke = None
        elif stroke is not None and (match := _POINT.match(line)):
            stroke.append((int(match[1]), int(match[2])))
    finish()
    if not samples:
        raise DataError(f"{path} holds no pendigits samples")
    return samples
