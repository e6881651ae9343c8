"""Where the data sets come from: the option and environment variable that name each, for every
command that reads them, and the one reader of their `.npz` files.

An option given on the command line wins, then the environment variable; every command (training,
export, the evaluations) offers the same options with the same help, so a user learns them once.
"""

import argparse
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from runtime.errors import DigitsError


class DataError(DigitsError):
    """A data set is missing, truncated or not what it should be."""


@dataclass(frozen=True)
class Source:
    option: str
    env: str
    what: str  # what the file is, for help texts and errors

    @property
    def dest(self) -> str:
        return self.option.removeprefix("--").replace("-", "_")


MNIST = Source(
    "--data",
    "MNIST_DATA",
    "MNIST as a Keras-layout .npz or a folder of the four IDX files (gzipped or not); "
    "without either, Keras's download",
)
PENDIGITS = Source(
    "--pen-data",
    "PENDIGITS_DATA",
    "pendigits (UCI dataset 81, 'Pen-Based Recognition of Handwritten Digits'): our "
    "pendigits.npz or a folder with the original pendigits-orig.tra and pendigits-orig.tes",
)
LETTERS = Source(
    "--letters-data",
    "LETTERS_DATA",
    "unipen_letters_dev.npz (isolated UNIPEN letters that look like no digit)",
)


def add_data_options(parser: argparse.ArgumentParser, *sources: Source) -> None:
    """The options naming `sources`, each defaulting to its environment variable."""
    group = parser.add_argument_group("data")
    for source in sources:
        group.add_argument(
            source.option, metavar="PATH", help=f"{source.what} (default: ${source.env})"
        )


def resolve(value: str | os.PathLike | None, source: Source) -> Path | None:
    """The option's value wins, then the environment variable; None if neither is set."""
    chosen = value if value is not None else os.environ.get(source.env) or None
    return Path(chosen) if chosen is not None else None


def required(value: str | os.PathLike | None, source: Source) -> Path:
    """`resolve`, for data a command cannot do without: an existing path, or one line saying
    how to give it."""
    path = resolve(value, source)
    if path is None:
        raise DataError(f"no data: pass {source.option} PATH or set {source.env} to {source.what}")
    if not path.exists():
        raise DataError(f"data not found: {path} (expected {source.what})")
    return path


def read_npz(path: Path, keys: tuple[str, ...], kind: str) -> dict[str, np.ndarray]:
    """The arrays `keys` of an `.npz` file, refusing a file that lacks one as not a `kind`."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            missing = [key for key in keys if key not in archive.files]
            if missing:
                raise DataError(f"{path} is not a {kind} .npz: missing {', '.join(missing)}")
            return {key: archive[key] for key in keys}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise DataError(f"cannot read {path} as .npz: {error}") from error
