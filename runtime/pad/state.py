"""The pad's state and logic: what each event does to the canvas, the reading and what the
writer teaches it.

Never touches the screen, so tests drive it with plain pygame events and a fake clock.
"""

import math
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pygame

from runtime import canvas
from runtime.engine import Engine
from runtime.labels import NUM_DIGITS
from runtime.pad.layout import WINDOW_SIZE, cell_rects, layout
from runtime.pad.teacher import Teacher
from runtime.profile import Profile
from runtime.reader import DigitReading, Reader, Reading
from runtime.writing import Writing

LIVE_INTERVAL_MS = 40  # live readings while the ink changes: at most 25 a second
# Once there is writing, the brush follows its size: this share of the height of a digit, so
# small digits are not blobs and large ones not hairlines. It never grows past the brush the pad
# started with (--brush), nor shrinks below MIN_BRUSH.
BRUSH_OF_WRITING = 0.12
MIN_BRUSH = 0.01
BRUSH_STEP = 0.2  # the brush changes (and the ink is redrawn) only when it is off by this share
CLEAR_KEYS = {pygame.K_c, pygame.K_BACKSPACE, pygame.K_DELETE}
QUIT_KEYS = {pygame.K_ESCAPE, pygame.K_q}
FORGET_KEY = pygame.K_f
DIGIT_KEYS = {
    **{getattr(pygame, f"K_{digit}"): digit for digit in range(NUM_DIGITS)},
    **{getattr(pygame, f"K_KP{digit}"): digit for digit in range(NUM_DIGITS)},
}

Emit = Callable[[dict], None]


class Pad:
    """The pad's state and logic: the canvas, the writing on it as the reader keeps it, the last
    reading and the live-update timing."""

    def __init__(
        self,
        engine: Engine,
        window_size: tuple[int, int] = WINDOW_SIZE,
        brush_fraction: float = canvas.BRUSH_FRACTION,
        emit: Emit | None = None,
        clock: Callable[[], float] = time.perf_counter,
        profile: Profile | None = None,
        profile_path: Path | None = None,
    ):
        self.engine = engine
        self.reader = Reader(engine, profile)
        self.teacher = Teacher(profile, profile_path, _warn)
        self.writing = Writing()  # the finished strokes, in canvas pixels
        self.selected: int | None = None  # the digit a correction is for; None: the last one
        self.corrections: dict[tuple[int, ...], int] = {}  # digits shown as corrected, by strokes
        self.notice: str | None = None  # what the pad just learned, for the status line
        self._undoes: list[str] = []  # "stroke" or "correction", the latest last
        self.layout = layout(window_size)
        self.brush_fraction = brush_fraction
        self.canvas = canvas.Canvas(self.layout.canvas.size, brush_fraction)
        self.emit = emit or (lambda event: None)
        self.clock = clock
        self.reading: Reading | None = None
        self.drawing = False
        self.live_pending = False  # the ink changed since the last reading
        self.predicted_at = -math.inf
        self.running = True
        self.dirty = True  # the window needs redrawing

    def handle(self, event: pygame.event.Event) -> None:
        """Turn one pygame event into a change of state."""
        if event.type == pygame.QUIT:
            self.running = False
        elif event.type == pygame.MOUSEBUTTONDOWN and event.button == pygame.BUTTON_LEFT:
            self.press(event.pos)
        elif event.type == pygame.MOUSEMOTION:
            self.drag(event.pos)
        elif event.type == pygame.MOUSEBUTTONUP and event.button == pygame.BUTTON_LEFT:
            self.release(event.pos)
        elif event.type == pygame.KEYDOWN:
            self.key(event.key, event.mod)
        elif event.type == pygame.VIDEORESIZE:
            self.resize(event.size)
        elif event.type == pygame.WINDOWFOCUSLOST and self.drawing:
            self.release(None)
        elif event.type in (pygame.WINDOWEXPOSED, pygame.WINDOWSHOWN):
            self.dirty = True

    def press(self, position: tuple[int, int]) -> None:
        if self.layout.canvas.collidepoint(position):
            self.drawing = True
            self.canvas.begin_stroke(self._on_canvas(position))
            self.live_pending = self.dirty = True
        elif self.layout.clear_button.collidepoint(position):
            self.clear()
        elif self.layout.undo_button.collidepoint(position):
            self.undo()
        elif self.reading is not None:
            cells = cell_rects(self.layout.cells, len(self.reading.digits))
            hit = [
                i
                for i, (image, caption) in enumerate(cells)
                if image.union(caption).collidepoint(position)
            ]
            if hit:
                self.selected = hit[0]
                self.dirty = True

    def drag(self, position: tuple[int, int]) -> None:
        if self.drawing:
            self.canvas.extend_stroke(self._on_canvas(position))
            self.live_pending = self.dirty = True

    def release(self, position: tuple[int, int] | None) -> None:
        """End the stroke (at position, if given) and read what is now on the canvas."""
        if not self.drawing:
            return
        if position is not None:
            self.drag(position)
        self.drawing = False
        self.writing.add(self.canvas.pixel_stroke())
        self._undoes.append("stroke")
        self.selected = self.notice = None
        self.predict()
        self._follow_the_writing()

    def key(self, key: int, mod: int = 0) -> None:
        if key in CLEAR_KEYS:
            self.clear()
        elif key == pygame.K_u or (key == pygame.K_z and mod & pygame.KMOD_CTRL):
            self.undo()
        elif key in QUIT_KEYS:
            self.running = False
        elif key in DIGIT_KEYS and not self.drawing:
            self.correct(DIGIT_KEYS[key])
        elif key == FORGET_KEY:
            self.forget()

    def correct(self, digit: int) -> None:
        """The digit chosen (a clicked cell, else the one written last) was really `digit`:
        learn it, and read again at once."""
        target = self.chosen_digit()
        if target is None:
            return
        was = target.prediction.answer
        if not self.teacher.correct(target, digit):
            self.notice = "not learned: the pad runs without a profile"
            self.dirty = True
            return
        self._undoes.append("correction")
        self.corrections[target.pieces] = digit
        self.emit(
            {
                "event": "correction",
                "digit": digit,
                "was": was,
                "profile": len(self.teacher.profile),
            }
        )
        self.notice = f"learned: {digit}"
        self.predict()

    def forget(self) -> None:
        """Forget everything the pad learned of this writer."""
        self.teacher.forget()
        self.corrections.clear()
        self._undoes = [action for action in self._undoes if action != "correction"]
        self.emit({"event": "forgotten"})
        self.notice = "profile forgotten"
        if len(self.writing):
            self.predict()
        self.dirty = True

    def clear(self) -> None:
        self.teacher.confirm(self.reading)
        self._undoes.clear()
        self.corrections.clear()
        self.selected = self.notice = None
        self.canvas.clear()
        self.canvas.brush_fraction = self.brush_fraction
        self.writing.clear()
        self.drawing = self.live_pending = False
        self._show(None)
        self.emit({"event": "clear"})

    def undo(self) -> None:
        """Take back the last correction, or else the last stroke."""
        if self._undoes and self._undoes[-1] == "correction" and not self.drawing:
            self._undoes.pop()
            self.corrections.pop(self.teacher.corrected[-1], None)
            self.teacher.undo()
            self.notice = "correction undone"
            self.predict()
            return
        if self.canvas.is_empty:
            return
        if not self.drawing:  # the stroke being drawn is not in the writing yet
            self.writing.pop()
            if self._undoes:
                self._undoes.pop()
        self.canvas.undo()
        self.drawing = False
        self.predict()
        self._follow_the_writing()

    def resize(self, window_size: tuple[int, int]) -> None:
        """Lay out for the new size; the canvas re-renders its strokes at its new size."""
        self.layout = layout(window_size)
        self.canvas.resize(self.layout.canvas.size)
        finished = self.canvas.pixel_strokes()[: len(self.writing)]
        self.writing.clear()
        for stroke in finished:
            self.writing.add(stroke)
        self.dirty = True

    def predict(self, live: bool = False) -> None:
        """Read the writing (while drawing, with the stroke being drawn); a final (not live)
        reading is emitted, as "clear" if it has no ink."""
        if self.drawing:
            with self.writing.with_stroke(self.canvas.pixel_stroke()) as writing:
                reading = self.reader.read(writing)
        else:
            reading = self.reader.read(self.writing) if len(self.writing) else None
        self.predicted_at = self.clock()
        self.live_pending = False
        if reading is not None and self.corrections:
            reading = _corrected(reading, self.corrections)
        self._show(reading if reading is not None and reading.digits else None)
        if not live:
            self.emit(_reading_event(self.reading))

    @property
    def idle(self) -> bool:
        """Nothing is being drawn and no reading is due: the loop may doze until an event."""
        return not (self.drawing or self.live_pending)

    def live_wait_ms(self) -> int | None:
        """How long the loop may sleep before a live reading is due; None: until an event."""
        if not self.live_pending:
            return None
        remaining = LIVE_INTERVAL_MS - (self.clock() - self.predicted_at) * 1000
        return math.ceil(remaining) if remaining > 0 else 0

    def tick(self) -> None:
        """Run the pending live reading once it is due, so live updates stay throttled."""
        if self.live_pending and self.live_wait_ms() == 0:
            self.predict(live=True)

    def latest_digit(self) -> DigitReading | None:
        """The digit the last stroke belongs to, whose probabilities the panel shows."""
        if self.reading is None:
            return None
        last = len(self.canvas.strokes) - 1
        return next((d for d in self.reading.digits if last in d.pieces), self.reading.digits[-1])

    def _follow_the_writing(self) -> None:
        """Fit the brush to the size of the writing (see BRUSH_OF_WRITING)."""
        if self.reading is None:
            return
        height = self.reading.line_height / min(self.canvas.size)
        wanted = min(max(BRUSH_OF_WRITING * height, MIN_BRUSH), self.brush_fraction)
        if abs(wanted - self.canvas.brush_fraction) > BRUSH_STEP * self.canvas.brush_fraction:
            self.canvas.set_brush(wanted)
            self.dirty = True

    def chosen_digit(self) -> DigitReading | None:
        """The digit a correction is for and whose chances the panel shows: the clicked one,
        else the one written last."""
        if self.reading is None:
            return None
        if self.selected is not None and self.selected < len(self.reading.digits):
            return self.reading.digits[self.selected]
        return self.latest_digit()

    def _show(self, reading: Reading | None) -> None:
        self.reading = reading
        self.dirty = True

    def _on_canvas(self, position: tuple[int, int]) -> tuple[int, int]:
        """Window coordinates to canvas coordinates, clamped so a stroke can leave the canvas."""
        rect = self.layout.canvas
        x = min(max(position[0], rect.left), rect.right - 1)
        y = min(max(position[1], rect.top), rect.bottom - 1)
        return (x - rect.left, y - rect.top)


def _reading_event(reading: Reading | None) -> dict:
    if reading is None:
        return {"event": "clear"}
    return {"event": "prediction", **reading.as_json(), "ms": round(reading.ms, 3)}


def _corrected(reading: Reading, corrections: dict[tuple[int, ...], int]) -> Reading:
    """The reading with the digits the writer corrected shown as they said, while their strokes
    stand (the profile learns from them; one sample may not yet outweigh a sure misreading)."""
    digits = []
    for digit in reading.digits:
        said = corrections.get(digit.pieces)
        if said is not None:
            shown = replace(digit.prediction, digit=said, rejected=False, unsure=False)
            shown = replace(shown, confidence=shown.probabilities[said])
            digit = replace(digit, prediction=shown)
        digits.append(digit)
    return replace(reading, digits=digits)


def _warn(message: str) -> None:
    print(message, file=sys.stderr)
