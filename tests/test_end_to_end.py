"""The whole pipeline, and the shipped model and runtime folder as users get them."""

import json
import os
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest
from conftest import drawn_png

from export.pipeline import model_file
from runtime.engine import DEFAULT_MODEL, Engine
from runtime.preprocess import to_model_input
from training.accuracy import accuracy
from training.data import load_mnist


@pytest.fixture(scope="module")
def mnist(mnist_path):
    return load_mnist(mnist_path)


def test_tiny_model_trained_exported_and_run_by_the_runtime_reads_real_digits(tiny_export, mnist):
    """digits-train on a slice -> digits-export -> the runtime's preprocessing and engine."""
    engine = Engine(tiny_export / model_file("digits", "int8"))
    images = np.stack([to_model_input(image) for image in mnist.x_test[:1000]])
    assert accuracy(engine.probabilities(images), mnist.y_test[:1000]) > 0.85


@pytest.mark.slow
def test_runtime_folder_works_alone_in_a_fresh_venv(tmp_path):
    """Copy runtime/ anywhere, install its requirements.txt only, and it reads a drawing: run
    with -m beside the folder, or by its path from anywhere else."""
    skip_caches = shutil.ignore_patterns("__pycache__")
    shutil.copytree(DEFAULT_MODEL.parent.parent, tmp_path / "runtime", ignore=skip_caches)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    requirements = str(tmp_path / "runtime" / "requirements.txt")
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "-r", requirements], check=True, timeout=600
    )
    drawn_png(tmp_path / "seven.png")
    clean_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = str(tmp_path / "runtime")

    def run(*args, cwd=tmp_path):
        return subprocess.run(
            [python, *args], cwd=cwd, env=clean_env, capture_output=True, text=True, timeout=60
        )

    beside = run("-m", "runtime.predict", "seven.png")
    by_path = run(f"{folder}/predict.py", str(tmp_path / "seven.png"), cwd=elsewhere)
    for predicted in (beside, by_path):
        assert predicted.returncode == 0, predicted.stderr
        assert json.loads(predicted.stdout)["digit"] == 7
    seven = json.dumps({"strokes": [[[0, 0], [60, 0], [20, 100]]]})
    strokes = subprocess.run(
        [python, f"{folder}/predict.py", "--strokes", "-"],
        input=seven,
        cwd=elsewhere,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert strokes.returncode == 0 and json.loads(strokes.stdout)["digit"] == 7, strokes.stderr
    assert run("-m", "runtime", "--help").returncode == 0
    assert run(folder, "--help", cwd=elsewhere).returncode == 0
    pad = subprocess.Popen(
        [python, folder, "--print-predictions"],
        cwd=elsewhere,
        env={**clean_env, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ready = json.loads(pad.stdout.readline() or "{}")
        pad.send_signal(signal.SIGTERM)  # SDL turns it into a QUIT event
        _, err = pad.communicate(timeout=20)
    finally:
        pad.kill()
    assert ready.get("model") == "digits.int8.onnx", err
    for package in ("tensorflow", "keras", "onnx", "training", "export"):
        assert run("-c", f"import {package}").returncode != 0, package
