"""The one exception type for errors a user can cause (bad data, bad model, bad image)."""


class DigitsError(Exception):
    """A problem the user can fix; the CLIs print its message as one line and exit non-zero."""
