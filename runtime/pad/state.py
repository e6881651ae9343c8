"""The pad's state and logic: what each event does to the canvas and the prediction.

Never touches the screen, so tests drive it with plain pygame events and a fake clock.
"""

import math
import time
from collections.abc import Callable

import numpy as np
import pygame

from runtime import canvas, preprocess
from runtime.engine import Engine, Prediction
from runtime.pad.layout import WINDOW_SIZE, layout

LIVE_INTERVAL_MS = 40  # live predictions while the ink changes: at most 25 a second
CLEAR_KEYS = {pygame.K_c, pygame.K_BACKSPACE, pygame.K_DELETE}
QUIT_KEYS = {pygame.K_ESCAPE, pygame.K_q}

Emit = Callable[[dict], None]


class Pad:
    """The pad's state and logic: the canvas, the last prediction and the live-update timing."""

    def __init__(
        self,
        engine: Engine,
        window_size: tuple[int, int] = WINDOW_SIZE,
        brush_fraction: float = canvas.BRUSH_FRACTION,
        emit: Emit | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ):
        self.engine = engine
        self.layout = layout(window_size)
        self.canvas = canvas.Canvas(self.layout.canvas.size, brush_fraction)
        self.emit = emit or (lambda event: None)
        self.clock = clock
        self.prediction: Prediction | None = None
        self.model_input: np.ndarray | None = None
        self.ms = 0.0  # preprocess + inference of the last prediction
        self.drawing = False
        self.live_pending = False  # the ink changed since the last prediction
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

    def drag(self, position: tuple[int, int]) -> None:
        if self.drawing:
            self.canvas.extend_stroke(self._on_canvas(position))
            self.live_pending = self.dirty = True

    def release(self, position: tuple[int, int] | None) -> None:
        """End the stroke (at position, if given) and predict what is now on the canvas."""
        if not self.drawing:
            return
        if position is not None:
            self.drag(position)
        self.drawing = False
        self.predict()

    def key(self, key: int, mod: int = 0) -> None:
        if key in CLEAR_KEYS:
            self.clear()
        elif key == pygame.K_u or (key == pygame.K_z and mod & pygame.KMOD_CTRL):
            self.undo()
        elif key in QUIT_KEYS:
            self.running = False

    def clear(self) -> None:
        self.canvas.clear()
        self.drawing = self.live_pending = False
        self._show(None, None)
        self.emit({"event": "clear"})

    def undo(self) -> None:
        if self.canvas.is_empty:
            return
        self.canvas.undo()
        self.drawing = False
        self.predict()

    def resize(self, window_size: tuple[int, int]) -> None:
        """Lay out for the new size; the canvas re-renders its strokes at its new size."""
        self.layout = layout(window_size)
        self.canvas.resize(self.layout.canvas.size)
        self.dirty = True

    def predict(self, live: bool = False) -> None:
        """Predict the canvas; a final (not live) result is emitted, as "clear" if it has no ink."""
        started = time.perf_counter()
        image = preprocess.to_model_input(self.canvas.model_ink())
        prediction = None if image is None else self.engine.predict(image)
        self.ms = (time.perf_counter() - started) * 1000
        self.predicted_at = self.clock()
        self.live_pending = False
        self._show(prediction, image)
        if not live:
            self.emit(_prediction_event(prediction, self.ms))

    @property
    def idle(self) -> bool:
        """Nothing is being drawn and no prediction is due: the loop may doze until an event."""
        return not (self.drawing or self.live_pending)

    def live_wait_ms(self) -> int | None:
        """How long the loop may sleep before a live prediction is due; None: until an event."""
        if not self.live_pending:
            return None
        remaining = LIVE_INTERVAL_MS - (self.clock() - self.predicted_at) * 1000
        return math.ceil(remaining) if remaining > 0 else 0

    def tick(self) -> None:
        """Run the pending live prediction once it is due, so live updates stay throttled."""
        if self.live_pending and self.live_wait_ms() == 0:
            self.predict(live=True)

    def _show(self, prediction: Prediction | None, image: np.ndarray | None) -> None:
        self.prediction, self.model_input = prediction, image
        self.dirty = True

    def _on_canvas(self, position: tuple[int, int]) -> tuple[int, int]:
        """Window coordinates to canvas coordinates, clamped so a stroke can leave the canvas."""
        rect = self.layout.canvas
        x = min(max(position[0], rect.left), rect.right - 1)
        y = min(max(position[1], rect.top), rect.bottom - 1)
        return (x - rect.left, y - rect.top)


def _prediction_event(prediction: Prediction | None, ms: float) -> dict:
    if prediction is None:
        return {"event": "clear"}
    rejected = {"rejected": True} if prediction.rejected else {}
    return {
        "event": "prediction",
        "digit": prediction.answer,
        **rejected,
        "confidence": round(prediction.confidence, 4),
        "probabilities": [round(p, 4) for p in prediction.probabilities],
        "ms": round(ms, 3),
    }
