"""Training: a short real run through the CLI, its report, bad data, augmentation and seeds."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from conftest import REPO, assert_bad_option_line, data_args, disk_full_halfway

import training.report
import training.train
from runtime.engine import EMBEDDING_NAME, LOGITS_NAME
from training.__main__ import main, parse_args
from training.artifacts import FIGURE_FILE, MODEL_FILE, REPORT_FILE, STROKE_MODEL_FILE
from training.augment import Augmentation, TrainingAugmentation
from training.data import load_mnist
from training.model import (
    ARCHITECTURES,
    STROKE_ARCHITECTURES,
    build_network,
    deployable,
    multiply_adds,
)
from training.train import CleanFinish, Fitted, TrainResult

# one augmented epoch, then one clean epoch: both phases of a run
QUICK = ["--arch", "edge16", "--limit", "600", "--epochs", "2", "--batch-size", "64"]
QUICK += ["--clean-epochs", "1", "--stroke-epochs", "2"]


@pytest.fixture(scope="module")
def data(mnist_path, pen_path, letters_path) -> list[str]:
    return data_args(mnist_path, pen_path, letters_path)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, data):
    out = tmp_path_factory.mktemp("artifacts")
    assert main([*QUICK, *data, "--out", str(out), "--seed", "3"]) == 0
    return out


def test_short_run_writes_a_loadable_model_and_a_complete_report(trained, mnist_path):
    model = keras.models.load_model(trained / MODEL_FILE)
    assert model.input_shape == (None, 28, 28, 1)
    assert {name: tuple(t.shape) for name, t in model.output.items()} == {
        LOGITS_NAME: (None, 11),
        EMBEDDING_NAME: (None, 5, 5, 64),
    }
    assert model.name == "edge16"  # the classifier alone, not the trainer around it
    assert "augmentation" not in {layer.name for layer in model.layers}
    strokes = keras.models.load_model(trained / STROKE_MODEL_FILE)
    assert strokes.input_shape == (None, 64, 7) and strokes.name == "stroke48"
    assert tuple(strokes.output[EMBEDDING_NAME].shape) == (None, 1, 16, 96)

    report = json.loads((trained / REPORT_FILE).read_text())
    # 91% here after two short epochs on 600 images, where chance is 10%
    assert 0.8 < report["test_accuracy"] <= 1.0
    assert report["test_images"] == 600
    assert len(report["per_class_accuracy"]) == 10
    confusion = np.array(report["confusion_matrix"])
    assert confusion.shape == (10, 10) and confusion.sum() == 600
    assert np.trace(confusion) / 600 == pytest.approx(report["test_accuracy"])
    image, stroke = report["models"]["image"], report["models"]["stroke"]
    assert image["parameters"] == model.count_params()
    assert image["multiply_adds"] == multiply_adds(model) > 0
    assert image["epochs_run"] == 2 and image["train_seconds"] > 0
    assert stroke["parameters"] == strokes.count_params() and stroke["epochs_run"] == 2
    assert stroke["multiply_adds"] == multiply_adds(strokes) > 0
    assert set(stroke["validation_accuracy"]) == set(report["composition"]["stroke"]["validation"])
    assert 0.5 < stroke["validation_accuracy"]["pen digits"] <= 1.0
    assert report["config"]["clean_epochs"] == 1
    assert report["data"][0]["sha256"] == load_mnist(mnist_path).sha256
    assert {"tensorflow", "keras", "numpy", "python"} <= set(report["versions"])
    assert (trained / FIGURE_FILE).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def retrained(tmp_path_factory, data) -> tuple[Path, subprocess.CompletedProcess]:
    """`trained` again, in a new process started as a user starts it."""
    out = tmp_path_factory.mktemp("again")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TF_CPP_")}
    result = subprocess.run(
        [sys.executable, "-m", "training", *QUICK, *data, "--out", str(out), "--seed", "3"],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
    return out, result


def test_same_seed_gives_identical_figures_and_weights(trained, retrained):
    """Bit for bit, on one machine with the same libraries; another CPU may differ (README)."""
    again, _ = retrained
    first, second = (json.loads((out / REPORT_FILE).read_text()) for out in (trained, again))
    assert second["test_accuracy"] == first["test_accuracy"]
    assert second["per_class_accuracy"] == first["per_class_accuracy"]
    for role in ("image", "stroke"):
        for key in ("validation_accuracy", "history"):
            assert second["models"][role][key] == first["models"][role][key], (role, key)
    for name in (MODEL_FILE, STROKE_MODEL_FILE):
        weights = [keras.models.load_model(out / name).get_weights() for out in (trained, again)]
        for before, after in zip(*weights, strict=True):
            np.testing.assert_array_equal(after, before)


def test_a_training_run_writes_progress_to_stdout_and_nothing_to_stderr(retrained):
    """No TensorFlow start-up noise, even with TF_CPP_MIN_LOG_LEVEL unset."""
    _, result = retrained
    assert result.stderr == ""
    assert "test accuracy" in result.stdout and "Epoch 2/2" in result.stdout


@pytest.mark.parametrize("data", ["missing.npz", "corrupt.npz"])
def test_bad_data_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, data):
    (tmp_path / "corrupt.npz").write_bytes(b"\x00" * 100)
    out = tmp_path / "out"
    assert main([*QUICK, "--data", str(tmp_path / data), "--out", str(out), "--mnist-only"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("digits-train: error: ") and error.count("\n") == 1
    assert not out.exists()


def test_a_failure_while_publishing_keeps_every_previous_artifact_byte_identical(
    trained, data, tmp_path, monkeypatch, capsys
):
    out = tmp_path / "artifacts"
    shutil.copytree(trained, out)
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    monkeypatch.setattr(training.train, "train", _instant_training(trained / MODEL_FILE))
    monkeypatch.setattr(training.report, "save_figure", disk_full_halfway)
    assert main([*QUICK, *data, "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("digits-train: error: ") and error.count("\n") == 1
    assert "No space left on device" in error
    # nothing replaced, nothing added: no temporary file is left behind either
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before


def test_an_unwritable_out_folder_is_an_error_before_training(tmp_path, monkeypatch, capsys):
    """Never after minutes of training: the trained model would be lost."""
    (tmp_path / "a_file").write_text("not a folder")
    out = tmp_path / "a_file" / "artifacts"

    def train(*args):
        raise AssertionError("trained although the results could not be written")

    monkeypatch.setattr(training.train, "train", train)
    assert main([*QUICK, "--mnist-only", "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("digits-train: error: ") and error.count("\n") == 1
    assert "a_file" in error


def _instant_training(model_path):
    """Stands in for `training.train.train`: what happens after training is under test."""

    def train(config, data, x_test, y_test):
        image = Fitted(
            model=keras.models.load_model(model_path),
            history={"loss": [0.5], "accuracy": [0.9]},
            epochs_run=1,
            seconds=0.0,
            validation_accuracy={},
        )
        return TrainResult(image, None, np.eye(10, dtype=np.float32)[y_test], y_test)

    return train


BAD_NUMBERS = [
    ("--seed", "-3"),
    ("--seed", "4294967296"),  # NumPy's seeding (under keras.utils.set_random_seed) stops at 2**32
    ("--seed", "1.5"),
    ("--learning-rate", "nan"),  # trained an 8% model and exited 0
    ("--learning-rate", "inf"),
    ("--learning-rate", "-1"),
    ("--learning-rate", "0"),
    ("--val-split", "nan"),
    ("--val-split", "1"),
    ("--label-smoothing", "-0.1"),
    ("--label-smoothing", "inf"),
    ("--epochs", "0"),
    ("--batch-size", "-64"),
    ("--patience", "0"),
    ("--clean-epochs", "-1"),
    ("--limit", "0"),
]


@pytest.mark.parametrize(("option", "value"), BAD_NUMBERS)
def test_a_bad_number_is_an_argparse_error_before_any_work(tmp_path, capsys, option, value):
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        main([option, value, "--data", str(tmp_path / "missing.npz"), "--out", str(out)])
    assert_bad_option_line(capsys, exit_info, "digits-train", option)
    assert not out.exists()


def test_numbers_at_the_edges_of_their_ranges_are_taken():
    edges = ["--seed", "4294967295", "--learning-rate", "1e-6", "--val-split", "0"]
    args = parse_args(
        [*edges, "--label-smoothing", "0.999", "--clean-epochs", "0", "--epochs", "1"]
    )
    assert (args.seed, args.learning_rate, args.val_split) == (2**32 - 1, 1e-6, 0)
    assert (args.label_smoothing, args.clean_epochs, args.epochs) == (0.999, 0, 1)
    assert parse_args(["--seed", "0"]).seed == 0


def test_augmentation_changes_training_batches_only_until_switched_off():
    images = np.random.default_rng(0).random((8, 28, 28, 1), dtype=np.float32)
    augmentation = TrainingAugmentation(Augmentation(), seed=0)
    np.testing.assert_array_equal(augmentation(images, training=False), images)
    augmented = np.asarray(augmentation(images, training=True))
    assert augmented.shape == images.shape
    assert np.abs(augmented - images).mean() > 0.01

    augmentation.active.assign(0.0)
    np.testing.assert_array_equal(augmentation(images, training=True), images)


def test_clean_finish_switches_augmentation_off_for_the_last_epochs_only():
    augmentation = TrainingAugmentation(Augmentation(), seed=0)
    clean_finish = CleanFinish(augmentation, first_clean_epoch=3)
    active = []
    for epoch in range(5):
        clean_finish.on_epoch_begin(epoch)
        active.append(float(augmentation.active.numpy()))
    assert active == [1.0, 1.0, 1.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("names", "shape"),
    [(ARCHITECTURES, (28, 28, 1)), (STROKE_ARCHITECTURES, (64, 7))],
    ids=["image", "stroke"],
)
def test_every_architecture_builds_with_the_model_contract(names, shape):
    for name in names:
        network = build_network(name, classes=11)
        assert network.input_shape == (None, *shape), name
        assert network.output_shape == (None, 11), name
        outputs = deployable(network)(np.zeros((2, *shape), np.float32))
        assert set(outputs) == {LOGITS_NAME, EMBEDDING_NAME}, name
        assert outputs[LOGITS_NAME].shape == (2, 11), name
        assert outputs[EMBEDDING_NAME].shape[0] == 2, name


def test_help_shows_every_option_with_its_default(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    shown = " ".join(capsys.readouterr().out.split())
    for option, default in [
        ("--epochs", "20"),
        ("--stroke-epochs", "20"),
        ("--pen-variants", "8"),
        ("--traced-mnist", "20000"),
        ("--elastic", "0.08"),
        ("--arch", "edge32"),
        ("--stroke-arch", "stroke48"),
    ]:
        assert option in shown and f"(default: {default})" in shown, option


def test_a_run_without_a_stroke_model_leaves_none_from_an_earlier_run(
    trained, tmp_path, data, monkeypatch
):
    (tmp_path / STROKE_MODEL_FILE).write_text("an earlier run's")
    monkeypatch.setattr(training.train, "train", _instant_training(trained / MODEL_FILE))
    assert main([*QUICK, *data, "--stroke-epochs", "0", "--out", str(tmp_path)]) == 0
    assert not (tmp_path / STROKE_MODEL_FILE).exists()
