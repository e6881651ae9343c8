"""The product's bars, in one place: what each evaluation's figures are measured against.

A bar is a limit on one figure; the evaluation that measures the figure checks it here and says
in its table whether it is met. Where a bar is out of reach, the figure is reported as it is.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    limit: float
    at_least: bool = True  # the figure must reach the limit (else stay at or under it)
    unit: str = "%"  # how the limit reads: "%" (a share), "ms", "x", "KB", "min"

    def met(self, value: float) -> bool:
        return value >= self.limit if self.at_least else value <= self.limit

    def describe(self, value: float) -> str:
        """ "at least 99.3%: met" and the like."""
        side = "at least" if self.at_least else "at most"
        verdict = "met" if self.met(value) else "**not met**"
        return f"{side} {format_value(self.limit, self.unit, exact=False)}: {verdict}"


def format_value(value: float, unit: str, exact: bool = True) -> str:
    """A figure as the tables show it: a share to two decimals of a percent (a bar's round
    limit, `exact` False, without trailing zeros), others with their unit."""
    if unit == "%":
        shown = f"{value * 100:.2f}"
        return (shown if exact else shown.rstrip("0").rstrip(".")) + "%"
    return f"{value:g}x" if unit == "x" else f"{value:g} {unit}"


BARS = {
    # Real pen writing, writers 31-44 (issue 17)
    "pen: stroke path": Bar(0.993),
    "pen: image path": Bar(0.99),
    "pen: worst writer": Bar(0.96),
    "pen: thin-pen path": Bar(0.98),
    # MNIST and traced drawings
    "MNIST test, shipped int8": Bar(0.996),
    "drawn: overall": Bar(0.98),
    # Rejection
    "rejection: held-apart letters": Bar(0.938),
    "rejection: pen digits rejected or split": Bar(0.0015, at_least=False),
    "rejection: MNIST falsely rejected": Bar(0.002, at_least=False),
    # Cost
    "per-digit latency, all models": Bar(1.0, at_least=False, unit="x"),
    "shipped int8 models together": Bar(250, at_least=False, unit="KB"),
    "six-digit number on screen": Bar(5.0, at_least=False, unit="ms"),
    "stroke end, 2000 strokes vs fresh": Bar(2.0, at_least=False, unit="x"),
    "idle CPU": Bar(0.005, at_least=False),
    "first event after idling": Bar(20.0, at_least=False, unit="ms"),
    # Numbers (issue 18)
    "numbers: 4 digits, stroke path": Bar(0.97),
    "numbers: 4 digits, image path": Bar(0.97),
    "numbers: segmentation errors": Bar(0.005, at_least=False),
    # Pictures (issue 19)
    "pictures: MNIST variants": Bar(0.98),
    "pictures: pen variants": Bar(0.97),
    "pictures: below the plain image path": Bar(0.015, at_least=False),
    # Tests
    "mutation score": Bar(0.95),
    # Writer adaptation (issue 20)
    "adaptation: fewer errors, corrections only": Bar(0.30),
    "adaptation: fewer errors, uncorrected confirmed": Bar(0.60),
    "adaptation: writer 43 over the stream": Bar(0.97),
    "adaptation: added reading cost": Bar(0.1, at_least=False, unit="ms"),
}
