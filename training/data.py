"""MNIST from Keras's cache, a Keras-layout .npz, or a folder of the original IDX files.

Every source is validated the same way, so a truncated or wrong file fails here with one clear
message instead of deep inside training.
"""

import gzip
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from training.files import sha256_of_files
from training.sources import MNIST, DataError, read_npz, resolve

IMAGE_SHAPE = (28, 28)
NUM_CLASSES = 10

IDX_FILES = {
    "x_train": "train-images-idx3-ubyte",
    "y_train": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte",
    "y_test": "t10k-labels-idx1-ubyte",
}
_IDX_UBYTE = 0x08


@dataclass(frozen=True)
class Mnist:
    """MNIST as uint8 arrays, white ink on black, plus where it came from."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    sha256: str


def load_mnist(data: str | os.PathLike | None = None) -> Mnist:
    """Load and validate MNIST from `data` or $MNIST_DATA, else Keras's own download and cache."""
    path = resolve(data, MNIST)
    if path is None:
        return _load_keras_download()
    if path.is_dir():
        return _validated(_read_idx_folder(path), str(path), sha256_of_files(_idx_paths(path)))
    if path.is_file():
        arrays = read_npz(path, tuple(IDX_FILES), "Keras MNIST")
        return _validated(arrays, str(path), sha256_of_files([path]))
    raise DataError(f"MNIST data not found: {path} (expected a .npz file or a folder of IDX files)")


def _load_keras_download() -> Mnist:
    import keras

    try:
        (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
    except Exception as error:  # the download can fail in many ways: network, disk, proxy
        raise DataError(
            f"could not download MNIST through Keras ({error}); "
            f"pass {MNIST.option} PATH or set {MNIST.env} to a local mnist.npz"
        ) from error
    cached = Path(keras.utils.get_file("mnist.npz", origin="", cache_subdir="datasets"))
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    return _validated(arrays, "keras.datasets.mnist", sha256_of_files([cached]))


def _idx_paths(folder: Path) -> list[Path]:
    paths = []
    for name in IDX_FILES.values():
        candidates = [folder / name, folder / f"{name}.gz"]
        found = next((p for p in candidates if p.is_file()), None)
        if found is None:
            raise DataError(f"{folder} has no {name} or {name}.gz")
        paths.append(found)
    return paths


def _read_idx_folder(folder: Path) -> dict[str, np.ndarray]:
    return {key: _read_idx(path) for key, path in zip(IDX_FILES, _idx_paths(folder), strict=True)}


def _read_idx(path: Path) -> np.ndarray:
    """Parse one IDX file: magic (0, 0, type, ndim), big-endian int32 dims, then the data."""
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise DataError(f"cannot read {path}: {error}") from error
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != _IDX_UBYTE:
        raise DataError(f"{path} is not an unsigned-byte IDX file")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(f"{path} is truncated (incomplete header)")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(shape))
    if len(raw) != expected:
        raise DataError(f"{path} has {len(raw)} bytes, its header promises {expected}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _validated(arrays: dict[str, np.ndarray], source: str, sha256: str) -> Mnist:
    """Check what training relies on; subsets of MNIST are fine, mismatched halves are not."""
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.dtype != np.uint8 or y.dtype != np.uint8:
            raise DataError(f"{source}: {split} arrays must be uint8, got {x.dtype} and {y.dtype}")
        if x.ndim != 3 or x.shape[1:] != IMAGE_SHAPE or len(x) == 0:
            raise DataError(f"{source}: x_{split} has shape {x.shape}, expected (N, 28, 28), N > 0")
        if y.shape != (len(x),):
            raise DataError(f"{source}: y_{split} has shape {y.shape}, expected ({len(x)},)")
        if y.max() >= NUM_CLASSES:
            raise DataError(f"{source}: y_{split} has label {y.max()}, expected 0..9")
    return Mnist(**arrays, source=source, sha256=sha256)


def sample_indices(population: int, count: int, seed: int) -> np.ndarray:
    """A seeded random choice of `count` indices below `population` (all if fewer), sorted."""
    chosen = np.random.default_rng(seed).choice(
        population, size=min(count, population), replace=False
    )
    return np.sort(chosen)
