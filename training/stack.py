"""The training stack (TensorFlow, Keras, tf2onnx, SciPy...) for the CLIs that need it: when it is
missing, one line that says what to install.

`./pad` sets up a checkout with the runtime packages alone, so `python -m training` there must
say what is missing rather than end in a ModuleNotFoundError traceback.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from runtime.errors import DigitsError

INSTALL = 'pip install -e ".[train]", or run ./test once (it installs the dev stack)'
# What the `train` extra in pyproject.toml installs, by import name (protobuf is google.protobuf).
PACKAGES = {
    *("tensorflow", "keras", "tf2onnx", "onnx", "google", "sympy", "matplotlib", "skimage"),
    *("scipy", "onnxruntime", "numpy", "PIL", "pygame"),
}


@contextmanager
def training_stack() -> Iterator[None]:
    """Run the block with the training stack: a missing package of the stack becomes a
    DigitsError that names the install command."""
    try:
        yield
    except ModuleNotFoundError as error:
        if (error.name or "").partition(".")[0] not in PACKAGES:
            raise  # one of ours: a bug, not a missing install
        raise DigitsError(
            f"the training stack is not installed (no module named {error.name!r}): {INSTALL}"
        ) from None
