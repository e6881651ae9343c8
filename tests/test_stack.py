"""The CLIs that need the training stack: without it, one line that says what to install; with
it, no TensorFlow start-up noise on stderr."""

import os
import subprocess
import sys

import pytest
from conftest import REPO

from training.stack import NOISE

# As in a checkout set up by ./pad: the runtime packages only.
WITHOUT_THE_STACK = """
import runpy, sys
for name in ("tensorflow", "keras", "tf2onnx", "scipy", "skimage", "matplotlib"):
    sys.modules[name] = None  # `import name` now fails as if it were not installed
runpy.run_module(sys.argv.pop(1), run_name="__main__", alter_sys=True)
"""
CLIS = {
    "training": "digits-train",
    "export": "digits-export",
    "export.evaluation.benchmark": "python -m export.evaluation.benchmark",
    "export.evaluation.drawn": "python -m export.evaluation.drawn",
}


@pytest.mark.parametrize("module", CLIS)
def test_without_the_training_stack_a_cli_says_what_to_install(module, mnist_path):
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_THE_STACK, module, "--data", str(mnist_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (result.returncode, result.stdout) == (2, ""), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"{CLIS[module]}: error: the training stack is not installed")
    assert 'pip install -e ".[train]"' in result.stderr


@pytest.mark.parametrize(
    ("module", "option"),
    [
        ("training", "--data"),
        ("export", "--model"),
        ("export.evaluation.benchmark", "--keras-model"),
    ],
)
def test_a_cli_that_imports_tensorflow_keeps_its_start_up_noise_off_stderr(
    module, option, tmp_path
):
    """Without TF_CPP_MIN_LOG_LEVEL, TensorFlow printed seven lines before any of ours."""
    absent = tmp_path / "absent"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TF_CPP_")}
    result = subprocess.run(
        [sys.executable, "-m", module, option, str(absent)],
        cwd=tmp_path,  # nothing to find or write here
        env={**environment, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr  # our error line, nothing else
    assert result.stderr.startswith(f"{CLIS[module]}: error: ") and str(absent) in result.stderr


NOISE_LINES = [  # as TensorFlow 2.21 printed them here, timestamps shortened
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1795628167.004 7571 port.cc:153] oneDNN custom operations are on. You may see",
    "I0000 00:00:1795628167.004 7571 cudart_stub.cc:31] Could not find cuda drivers on your",
    "E0000 00:00:1795628172.380 7597 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA",
]
KEPT_LINES = [
    "E0000 00:00:1795628172.380 7597 bfc_allocator.cc:291] Allocator ran out of memory trying",
    "F0000 00:00:1795628172.380 7597 cpu_feature_guard.cc:48] The TensorFlow library was compiled",
    "<frozen importlib._bootstrap>:241: RuntimeWarning: numpy.dtype size changed",
    "WARNING: a warning of another kind",
]


@pytest.mark.parametrize("line", NOISE_LINES)
def test_the_start_up_noise_is_recognised(line):
    assert NOISE.match(line)


@pytest.mark.parametrize("line", KEPT_LINES)
def test_real_errors_and_warnings_still_show(line):
    assert not NOISE.match(line)
