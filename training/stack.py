"""The training stack (TensorFlow, Keras, tf2onnx, SciPy...) for the CLIs that need it: when it is
missing, one line that says what to install; when it is there, TensorFlow without its start-up
noise.

`./pad` sets up a checkout with the runtime packages alone, so `python -m training` there must
say what is missing rather than end in a ModuleNotFoundError traceback.
"""

import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from runtime.errors import DigitsError

INSTALL = 'pip install -e ".[train]", or run ./test once (it installs the dev stack)'
# What the `train` extra in pyproject.toml installs, by import name (protobuf is google.protobuf).
PACKAGES = {
    *("tensorflow", "keras", "tf2onnx", "onnx", "google", "sympy", "matplotlib", "skimage"),
    *("scipy", "onnxruntime", "numpy", "PIL", "pygame"),
}
# TensorFlow's C++ libraries log these before absl's logging is set up, so TF_CPP_MIN_LOG_LEVEL
# does not reach them, and the CUDA lines come on machines without a GPU driver, where TensorFlow
# uses the CPU as this project does (measured: TensorFlow 2.21, Linux x86-64, no GPU).
NOISE = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IW]\d{4} "  # INFO and WARNING lines: the oneDNN notice, "Could not find cuda drivers"
    r"|E\d{4} .*failed call to cuInit"
)


@contextmanager
def training_stack(tensorflow: bool = True) -> Iterator[None]:
    """Run the block with the training stack, TensorFlow imported first when the block needs it;
    a missing package of the stack becomes a DigitsError that names the install command."""
    try:
        if tensorflow:
            _import_tensorflow_quietly()
        yield
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] not in PACKAGES:
            raise  # one of ours: a bug, not a missing install
        raise DigitsError(
            f"the training stack is not installed (no module named {error.name!r}): {INSTALL}"
        ) from None


def _import_tensorflow_quietly() -> None:
    """Import TensorFlow and let it look for devices with stderr captured, then pass on every
    captured line that is not start-up noise: a real error still shows."""
    if sys.modules.get("tensorflow") is not None:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # once logging is up: errors only
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as captured:
        os.dup2(captured.fileno(), 2)
        try:
            import tensorflow as tf

            tf.config.list_physical_devices()  # the cuInit attempt: here, not at the first op
            # Its Python warnings are hints for TensorFlow developers: "retracing" is printed
            # whenever a run predicts with a few models in turn, as training and export do.
            tf.get_logger().setLevel("ERROR")
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            lines = captured.read().decode(errors="replace").splitlines(keepends=True)
            sys.stderr.write("".join(line for line in lines if not NOISE.match(line)))
