"""The exception types for errors a user can cause (bad data, bad model, bad image)."""


class DigitsError(Exception):
    """A problem the user can fix; the CLIs print its message as one line and exit non-zero."""


class ModelError(DigitsError):
    """The model file is missing, corrupt, not a digits model, or gives no usable answer."""
