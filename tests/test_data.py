"""MNIST loading: the .npz and IDX readers on small files, and every bad-data case."""

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest

from training.data import IDX_FILES, load_mnist
from training.sources import DataError

RNG = np.random.default_rng(0)


def small_mnist(train: int = 30, test: int = 10) -> dict[str, np.ndarray]:
    return {
        "x_train": RNG.integers(0, 256, (train, 28, 28), dtype=np.uint8),
        "y_train": RNG.integers(0, 10, train, dtype=np.uint8),
        "x_test": RNG.integers(0, 256, (test, 28, 28), dtype=np.uint8),
        "y_test": RNG.integers(0, 10, test, dtype=np.uint8),
    }


def write_idx(path: Path, array: np.ndarray, compress: bool) -> None:
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}i", *array.shape)
    raw = header + array.tobytes()
    path.write_bytes(gzip.compress(raw) if compress else raw)


def write_idx_folder(folder: Path, arrays: dict[str, np.ndarray], compress: bool) -> Path:
    folder.mkdir(exist_ok=True)
    for key, name in IDX_FILES.items():
        write_idx(folder / (f"{name}.gz" if compress else name), arrays[key], compress)
    return folder


def assert_same(loaded, arrays: dict[str, np.ndarray]) -> None:
    for key, array in arrays.items():
        np.testing.assert_array_equal(getattr(loaded, key), array)


def test_npz_round_trip(tmp_path):
    arrays = small_mnist()
    np.savez(tmp_path / "mnist.npz", **arrays)
    loaded = load_mnist(tmp_path / "mnist.npz")
    assert_same(loaded, arrays)
    assert len(loaded.sha256) == 64


@pytest.mark.parametrize("compress", [True, False], ids=["gzipped", "plain"])
def test_idx_folder_round_trip(tmp_path, compress):
    arrays = small_mnist()
    loaded = load_mnist(write_idx_folder(tmp_path / "idx", arrays, compress))
    assert_same(loaded, arrays)


def test_environment_variable_is_used_when_no_option(tmp_path, monkeypatch):
    arrays = small_mnist()
    np.savez(tmp_path / "env.npz", **arrays)
    monkeypatch.setenv("MNIST_DATA", str(tmp_path / "env.npz"))
    assert_same(load_mnist(None), arrays)


def test_the_real_mnist_loads_with_its_published_figures(mnist_path):
    data = load_mnist(mnist_path)
    assert data.x_train.shape == (60000, 28, 28) and data.x_test.shape == (10000, 28, 28)
    counts = np.bincount(data.y_train, minlength=10)
    assert counts.tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert data.x_train.mean() / 255 == pytest.approx(0.1307, abs=1e-4)


def bad_npz(tmp_path: Path, **changes) -> Path:
    """A small .npz with some arrays replaced (or, for None, left out)."""
    arrays = {**small_mnist(), **changes}
    np.savez(tmp_path / "bad.npz", **{k: v for k, v in arrays.items() if v is not None})
    return tmp_path / "bad.npz"


def not_a_zip(tmp_path: Path) -> Path:
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    return tmp_path / "junk.npz"


def truncated_npz(tmp_path: Path) -> Path:
    whole = bad_npz(tmp_path).read_bytes()
    (tmp_path / "cut.npz").write_bytes(whole[: len(whole) // 2])
    return tmp_path / "cut.npz"


BAD_NPZ = {
    "missing": (lambda p: p / "absent.npz", "not found"),
    "not-npz": (not_a_zip, "cannot read"),
    "truncated": (truncated_npz, "cannot read"),
    "missing-key": (lambda p: bad_npz(p, y_test=None), "missing y_test"),
    "shape": (lambda p: bad_npz(p, x_train=np.zeros((30, 32, 32), np.uint8)), "expected .N, 28"),
    "label-count": (lambda p: bad_npz(p, y_train=np.zeros(29, np.uint8)), "expected .30,.$"),
    "dtype": (lambda p: bad_npz(p, x_test=np.zeros((10, 28, 28), np.float32)), "must be uint8"),
    "label": (lambda p: bad_npz(p, y_test=np.full(10, 10, np.uint8)), "has label 10"),
}


@pytest.mark.parametrize("case", BAD_NPZ)
def test_bad_npz_gives_a_clear_error(tmp_path, case):
    make, message = BAD_NPZ[case]
    with pytest.raises(DataError, match=message):
        load_mnist(make(tmp_path))


def test_truncated_idx_file_gives_a_clear_error(tmp_path):
    folder = write_idx_folder(tmp_path / "idx", small_mnist(), compress=False)
    images = folder / IDX_FILES["x_train"]
    images.write_bytes(images.read_bytes()[:-100])
    with pytest.raises(DataError, match="header promises"):
        load_mnist(folder)


def test_corrupt_gzip_and_missing_idx_file(tmp_path):
    folder = write_idx_folder(tmp_path / "idx", small_mnist(), compress=True)
    (folder / f"{IDX_FILES['y_test']}.gz").write_bytes(b"\x1f\x8b garbage")
    with pytest.raises(DataError, match="cannot read"):
        load_mnist(folder)
    (folder / f"{IDX_FILES['y_test']}.gz").unlink()
    with pytest.raises(DataError, match="has no t10k-labels"):
        load_mnist(folder)
