"""Drawings as a person makes them on the pad: strokes in a unit box (x right, y down), placed on
a canvas as mouse moves. Shared by the tests that ask the shipped model what it reads."""

import numpy as np

from runtime.canvas import Canvas

Strokes = list[list[tuple[float, float]]]


def arc(centre, radius, start_degrees, stop_degrees, points=24) -> list[tuple[float, float]]:
    """Points along an ellipse arc (radius (rx, ry)); angles clockwise from 3 o'clock, y down."""
    t = np.radians(np.linspace(start_degrees, stop_degrees, points))
    return [(centre[0] + radius[0] * np.cos(a), centre[1] + radius[1] * np.sin(a)) for a in t]


# Continental styles the model must read (issue: "real handwriting").
FLAGGED_ONE = [[(0.2, 0.35), (0.55, 0.0), (0.55, 1.0)]]
CROSSED_SEVEN = [[(0.1, 0.05), (0.8, 0.05), (0.35, 1.0)], [(0.3, 0.5), (0.8, 0.5)]]
SLASHED_ZERO = [arc((0.5, 0.5), (0.3, 0.48), -90, 270), [(0.12, 1.0), (0.88, 0.0)]]
ONE_STROKE_FOUR = [[(0.45, 0.0), (0.1, 0.6), (0.75, 0.6), (0.65, 0.3), (0.62, 1.0)]]
# Styles a picture alone reads poorly (issue: "a stronger reader").
VERTICAL_SLASH_ZERO = [arc((0.5, 0.5), (0.3, 0.42), -90, 270), [(0.52, -0.05), (0.48, 1.05)]]
OPEN_FOUR = [[(0.25, 0.0), (0.15, 0.6), (0.9, 0.6)], [(0.68, 0.2), (0.66, 1.0)]]
LONG_FLAG_ONE = [[(0.15, 0.5), (0.55, 0.0), (0.55, 1.0)]]

# A 4 whose two strokes do not meet: an L, and its stem beside it.
FOUR_APART = [[(0.3, 0.0), (0.05, 0.6), (0.5, 0.6)], [(0.64, 0.1), (0.62, 1.0)]]
# A validation writer's (28) thin 8 that the models reject alone ("not a digit" at 82%).
THIN_EIGHT = [
    [
        *((0.59, 0.205), (0.59, 0.18), (0.59, 0.13), (0.584, 0.112), (0.578, 0.093)),
        *((0.571, 0.093), (0.571, 0.118), (0.565, 0.186), (0.547, 0.28), (0.503, 0.416)),
        *((0.435, 0.578), (0.342, 0.733), (0.236, 0.863), (0.13, 0.957), (0.05, 1.0)),
        *((0.0, 0.994), (0.012, 0.944), (0.087, 0.845), (0.211, 0.727), (0.373, 0.578)),
        *((0.559, 0.422), (0.745, 0.28), (0.907, 0.161), (1.025, 0.075), (1.075, 0.012)),
        *((1.05, 0.0), (0.957, 0.019), (0.839, 0.056), (0.733, 0.112), (0.665, 0.168)),
    ]
]

# Plain digits, for numbers.
ZERO = [arc((0.5, 0.5), (0.32, 0.48), -90, 270)]
ONE = [[(0.55, 0.0), (0.5, 1.0)]]
TWO = [[*arc((0.5, 0.28), (0.3, 0.26), 200, 360 + 20, 14), (0.15, 1.0), (0.85, 1.0)]]
SIX = [[(0.7, 0.0), (0.3, 0.45), *arc((0.5, 0.72), (0.3, 0.28), 180, 540, 24)]]
SEVEN = [[(0.1, 0.05), (0.85, 0.05), (0.4, 1.0)]]

# Not digits.
LETTER_H = [[(0.1, 0.0), (0.1, 1.0)], [(0.8, 0.0), (0.8, 1.0)], [(0.1, 0.5), (0.8, 0.5)]]
SMILEY = [
    arc((0.5, 0.5), (0.48, 0.48), 0, 360, 40),
    [(0.33, 0.35), (0.34, 0.37)],
    [(0.66, 0.35), (0.67, 0.37)],
    arc((0.5, 0.55), (0.25, 0.2), 20, 160, 12),
]


def number(*digits: Strokes, gap: float = 0.35, width: float = 0.7) -> Strokes:
    """Digits side by side in one line, each `width` of the height wide, `gap` apart."""
    placed = []
    for position, strokes in enumerate(digits):
        left = position * (width + gap)
        placed += [[(left + x * width, y) for x, y in stroke] for stroke in strokes]
    return placed


def draw(canvas: Canvas, strokes: Strokes, box: tuple[float, float, float]) -> Canvas:
    """Draw unit-box strokes with their top left at (left, top) and `size` high, all as
    fractions of the canvas's height, as mouse moves in whole pixels."""
    left, top, size = box
    height = canvas.size[1]
    canvas.replay(
        [(round((left + x * size) * height), round((top + y * size) * height)) for x, y in stroke]
        for stroke in strokes
    )
    return canvas
