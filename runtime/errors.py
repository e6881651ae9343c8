"""The exception types for errors a user can cause (bad data, bad model, bad image)."""


class DigitsError(Exception):
    """A problem the user can fix; the CLIs print its message as one line and exit non-zero."""


class ModelError(DigitsError):
    """The model file is missing, corrupt, not a digits model, or gives no usable answer."""


class Refusal(DigitsError):
    """A tool checked its own result, found it wanting and kept the previous one: exit code 1,
    so scripts can tell "your input is wrong" (2) from "this result was not good enough"."""
