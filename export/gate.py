"""The accuracy gate: an int8 model is published only if it is nearly as accurate as fp32 (the
image model on MNIST's test set, the stroke model on the validation writers)."""

from runtime.errors import Refusal

DEFAULT_MAX_DROP = 0.3  # percentage points of MNIST test accuracy


class GateError(Refusal):
    """The quantized model lost too much accuracy to be published."""


def check_drop(
    fp32_accuracy: float, int8_accuracy: float, max_drop: float, model: str = "the"
) -> None:
    drop = (fp32_accuracy - int8_accuracy) * 100
    if not drop <= max_drop:  # fails closed: a NaN anywhere refuses rather than publishes
        raise GateError(
            f"{model} model's int8 accuracy {int8_accuracy:.2%} is {drop:.2f} points below fp32 "
            f"{fp32_accuracy:.2%} (allowed: {max_drop:.2f}); nothing was published"
        )
