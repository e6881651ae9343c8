"""The CLIs that need the training stack: without it, one line that says what to install."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
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
