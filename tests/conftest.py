"""Shared fixtures: the real MNIST (never skipped) and a tiny ONNX model honouring the contract."""

import errno
import hashlib
import itertools
import os
import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

from runtime.canvas import Canvas
from runtime.engine import (
    CONTRACT,
    INPUT_NAME,
    LOGITS_NAME,
    PAIRED_KEY,
    STROKE_CONTRACT,
    STROKE_MODEL_KEY,
    TRAJECTORY_INPUT_NAME,
    Engine,
)
from runtime.fusion import Fusion
from runtime.rejection import FUSED, REJECT_KEY, Policy

REPO = Path(__file__).resolve().parent.parent  # where `python -m training` finds our packages
MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
# The pad keeps a writer's profile in their data folder: tests never touch a real user's.
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="digits-tests-")


@pytest.fixture(scope="session")
def mnist_path() -> Path:
    """The real MNIST: $MNIST_DATA (CI sets it), else Keras's download. Never a skip."""
    value = os.environ.get("MNIST_DATA")
    if value:
        if not Path(value).is_file():
            pytest.fail(f"MNIST_DATA={value} is not a file")
        return Path(value)
    import keras

    try:
        return Path(keras.utils.get_file("mnist.npz", MNIST_URL, cache_subdir="datasets"))
    except Exception as error:
        pytest.fail(f"set MNIST_DATA to a local mnist.npz (offline?): {error}")


def _shared_data(variable: str) -> Path:
    """A pen data set named by an environment variable (CI sets it): never a skip."""
    value = os.environ.get(variable)
    if not value or not Path(value).is_file():
        pytest.fail(f"set {variable} to the file (see ../shared/data/README.md), got {value!r}")
    return Path(value)


@pytest.fixture(scope="session")
def pen_path() -> Path:
    return _shared_data("PENDIGITS_DATA")


@pytest.fixture(scope="session")
def letters_path() -> Path:
    return _shared_data("LETTERS_DATA")


def build_linear_model(
    path: Path,
    weights: np.ndarray,
    metadata: dict[str, str],
    not_digit: float | None = None,
    output: np.ndarray | None = None,
    input_name: str = INPUT_NAME,
    input_shape: tuple[int, ...] = (28, 28, 1),
) -> Path:
    """An ONNX model with logits flatten(input) @ weights, the digits signature and metadata (an
    image model, or with `input_name` and `input_shape` a stroke model); with `not_digit`, an
    eleventh logit of that constant value for "not a digit"; with `output`, constant logits
    instead (to feed the runtime what a broken model would)."""
    nodes = [
        helper.make_node("Reshape", [input_name, "flat_shape"], ["flat"]),
        helper.make_node("MatMul", ["flat", "weights"], ["scores"]),
        helper.make_node("Mul", ["scores", "zero"], ["zeros"]),
    ]
    if output is None:
        nodes.append(helper.make_node("Identity", ["scores"], ["digit_logits"]))
    else:
        nodes.append(helper.make_node("Add", ["zeros", "constant"], ["digit_logits"]))
    classes = 10
    if not_digit is None:
        nodes.append(helper.make_node("Identity", ["digit_logits"], [LOGITS_NAME]))
    else:
        classes = 11
        nodes += [
            helper.make_node("Slice", ["zeros", "first", "one_column", "one_column"], ["column"]),
            helper.make_node("Add", ["column", "not_digit_value"], ["eleventh"]),
            helper.make_node("Concat", ["digit_logits", "eleventh"], [LOGITS_NAME], axis=1),
        ]
    constants = [
        numpy_helper.from_array(
            np.array([-1, int(np.prod(input_shape))], dtype=np.int64), "flat_shape"
        ),
        numpy_helper.from_array(weights.astype(np.float32), "weights"),
        numpy_helper.from_array(np.zeros(1, np.float32), "zero"),
        numpy_helper.from_array(
            np.asarray(output if output is not None else [0], np.float32), "constant"
        ),
        numpy_helper.from_array(np.array([0], dtype=np.int64), "first"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "one_column"),
        numpy_helper.from_array(np.array([not_digit or 0.0], np.float32), "not_digit_value"),
    ]
    graph = helper.make_graph(
        nodes,
        "linear_digits",
        [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, ["N", *input_shape])],
        [helper.make_tensor_value_info(LOGITS_NAME, TensorProto.FLOAT, ["N", classes])],
        constants,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    helper.set_model_props(model, metadata)
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path


@pytest.fixture(scope="session")
def tiny_model_path(tmp_path_factory) -> Path:
    """A small random linear model: enough for tests of the engine's plumbing and the pad."""
    weights = np.random.default_rng(0).normal(0, 0.1, (784, 10))
    path = tmp_path_factory.mktemp("models") / "tiny.onnx"
    return build_linear_model(path, weights, dict(CONTRACT))


@pytest.fixture(scope="session")
def tiny_engine(tiny_model_path) -> Engine:
    return Engine(tiny_model_path)


def build_model_pair(
    folder: Path, stroke_metadata: dict[str, str] | None = None, paired: bool = True
) -> Path:
    """A tiny image model and the stroke model it names, as export pairs them (or, with
    `paired` False, a stroke model calibrated with another image model); the image model's
    path. Both have a "not a digit" class, its logit a constant."""
    rng = np.random.default_rng(1)
    image = build_linear_model(
        folder / "digits.int8.onnx",
        rng.normal(0, 0.1, (784, 10)),
        {**CONTRACT, STROKE_MODEL_KEY: "strokes.int8.onnx", REJECT_KEY: "0.5"},
        not_digit=0.0,
    )
    sha = hashlib.sha256(image.read_bytes() if paired else b"another model").hexdigest()
    fusion = {**Fusion(0.8, 1.0).as_metadata(), **Policy(0.5, 0.6).as_metadata(FUSED)}
    build_linear_model(
        folder / "strokes.int8.onnx",
        rng.normal(0, 0.1, (64 * 7, 10)),
        {**STROKE_CONTRACT, PAIRED_KEY: sha, **fusion, **(stroke_metadata or {})},
        not_digit=0.5,
        input_name=TRAJECTORY_INPUT_NAME,
        input_shape=(64, 7),
    )
    return image


def data_args(mnist_path: Path, pen_path: Path, letters_path: Path) -> list[str]:
    return [
        "--data",
        str(mnist_path),
        "--pen-data",
        str(pen_path),
        "--letters-data",
        str(letters_path),
    ]


@pytest.fixture(scope="session")
def tiny_artifacts(tmp_path_factory, mnist_path, pen_path, letters_path) -> Path:
    """A small edge model really trained on slices of the data (seconds), as digits-train does."""
    from training.__main__ import main

    out = tmp_path_factory.mktemp("artifacts")
    args = ["--arch", "edge16", "--limit", "4000", "--epochs", "3", "--batch-size", "64"]
    assert main([*args, *data_args(mnist_path, pen_path, letters_path), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="session")
def tiny_export(tmp_path_factory, tiny_artifacts, mnist_path, pen_path, letters_path) -> Path:
    """The tiny model published by digits-export: fp32 and int8 ONNX plus the model card."""
    from export.__main__ import main

    out = tmp_path_factory.mktemp("models")
    args = ["--model", str(tiny_artifacts / "model.keras"), "--calibration-images", "300"]
    args += [*data_args(mnist_path, pen_path, letters_path), "--max-drop", "2"]
    assert main([*args, "--out", str(out)]) == 0
    return out


def drawn_png(path, dark_on_light=True):
    """A '7' drawn with the pad's brush, saved like a screenshot of a drawing app."""
    canvas = Canvas((280, 280))
    canvas.begin_stroke((70, 60))
    for point in [(210, 60), (150, 150), (120, 230)]:
        canvas.extend_stroke(point)
    ink = canvas.ink()
    Image.fromarray(255 - ink if dark_on_light else ink).convert("RGB").save(path)
    return path


def disk_full_halfway(*args) -> None:
    """Stands in for a writer whose last argument is the path: writes part of the file, then
    fails as a full disk does."""
    Path(args[-1]).write_bytes(b"half a fi")
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def ticking_clock(step: float) -> SimpleNamespace:
    """Stands in for a module's `time`: perf_counter() moves on by `step` seconds at each call
    (from 100 s, so a sum of two readings cannot pass for their difference)."""
    ticks = itertools.count(100.0, step)
    return SimpleNamespace(perf_counter=lambda: next(ticks))


def assert_bad_option_line(capsys, exit_info, prog: str, option: str) -> None:
    """A CLI refused a bad option value as argparse does: exit code 2 and, without a traceback,
    one last line naming the option and what it must be."""
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert "Traceback" not in error
    assert error.splitlines()[-1].startswith(f"{prog}: error: argument {option}: must be ")


def markdown_tables(text: str) -> list[list[list[str]]]:
    """The Markdown tables in an evaluation's printed output: each a list of rows of cells,
    the header first, the |---| rule left out."""
    tables, current = [], []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not all(set(cell) <= set("-: ") for cell in cells):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    return tables
