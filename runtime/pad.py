"""The drawing pad: draw a digit with the mouse and watch the model read it as you draw.

Shaped like pygame's own examples: one loop handles events, updates the state, draws and flips.
All state and logic live in `Pad`, which never touches the screen, so tests drive it with plain
events; `layout` is a pure function of the window size; `View` only draws.

With --print-predictions the pad writes one JSON object per line on stdout (via `emit`):
  {"event": "ready", "canvas": [x, y, w, h], "model": "<file name>"}  (window shown, model loaded)
  {"event": "prediction", "digit": d, "confidence": c, "probabilities": [p0..p9], "ms": t}
      after every stroke ends, and after an undo that leaves ink; ms is preprocess + inference
  {"event": "clear"}  after a clear, and after an undo that leaves the canvas empty
Live predictions while drawing update the panel only, so each stroke prints exactly one line.
An undo with nothing to undo changes nothing and prints nothing.
"""

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pygame

from runtime import canvas, preprocess
from runtime.engine import Engine, Prediction
from runtime.errors import DigitsError

WINDOW_SIZE = (900, 620)  # the default; the window is resizable
MIN_WINDOW_SIZE = (480, 320)  # the layout never shrinks below this; a smaller window clips it
LIVE_INTERVAL_MS = 40  # live predictions while the ink changes: at most 25 a second
TITLE = "digits - draw a digit"
HINT = "C clear  ·  U or Ctrl+Z undo  ·  Esc quit"

MARGIN = 16  # around and between the canvas and the panel
PANEL_WIDTH = (200, 440)  # (min, max) beside the canvas
PANEL_HEIGHT = (200, 480)  # (min, max) below the canvas
PANEL_RATIO = 0.6  # the panel is at least this fraction of the canvas's side, room permitting
PANEL_PADDING = 16
# The panel's content is designed as two blocks of nominal rects (x, y, w, h) and scaled to fit:
# stacked in a tall panel, side by side in a wide one.
BLOCK_SIZE = (300, 230)
BLOCK_GAP = 20
MAX_CONTENT_SCALE = 1.5
READOUT_BLOCK = {
    "digit": (0, 0, 140, 150),
    "preview": (160, 0, 140, 116),
    "caption": (160, 122, 140, 18),
    "status": (0, 160, 300, 26),
    "timing": (0, 196, 300, 20),
}
CONTROL_BLOCK = {
    "bars": (0, 0, 300, 132),
    "clear_button": (0, 150, 142, 40),
    "undo_button": (158, 150, 142, 40),
    "hint": (0, 206, 300, 18),
}

BACKGROUND = (234, 238, 242)
CARD = (255, 255, 255)
BORDER = (204, 211, 220)
TEXT = (38, 46, 58)
MUTED = (139, 149, 163)
FAINT = (222, 227, 233)
BAR = (165, 177, 193)  # the bars of the digits that did not win
ACCENT = (38, 128, 118)  # the winning bar of a confident prediction
UNSURE = (201, 122, 32)  # the winning bar and the status line of a low-confidence prediction
REJECTED = (176, 64, 64)  # the status line of a drawing that is not a digit
FAINT_BAR = (204, 211, 220)  # every bar of a drawing that is not a digit
BUTTON = (228, 234, 240)
# pygame's default font draws a line about 0.69 of its nominal size tall: sizes per pixel of height
LINE_FONT_SIZE = 1.45  # for a line of text filling its rect's height
GLYPH_FONT_SIZE = 1.3  # for the big digit, whose ink (no descender) nearly fills its rect

CLEAR_KEYS = {pygame.K_c, pygame.K_BACKSPACE, pygame.K_DELETE}
QUIT_KEYS = {pygame.K_ESCAPE, pygame.K_q}

Emit = Callable[[dict], None]


@dataclass(frozen=True)
class Layout:
    """Where everything goes in a window of a given size, in window pixel coordinates."""

    canvas: pygame.Rect
    panel: pygame.Rect
    digit: pygame.Rect
    preview: pygame.Rect
    caption: pygame.Rect
    status: pygame.Rect
    timing: pygame.Rect
    bars: pygame.Rect
    clear_button: pygame.Rect
    undo_button: pygame.Rect
    hint: pygame.Rect


def layout(window_size: tuple[int, int]) -> Layout:
    """A square canvas as large as fits, with the panel beside it or, in a tall window, below."""
    width = max(window_size[0], MIN_WINDOW_SIZE[0])
    height = max(window_size[1], MIN_WINDOW_SIZE[1])
    beside = _canvas_side(height, width, PANEL_WIDTH[0])
    below = _canvas_side(width, height, PANEL_HEIGHT[0])
    if beside >= below:
        panel_width = min(width - 3 * MARGIN - beside, PANEL_WIDTH[1])
        left = (width - beside - MARGIN - panel_width) // 2
        canvas_rect = pygame.Rect(left, (height - beside) // 2, beside, beside)
        panel = pygame.Rect(canvas_rect.right + MARGIN, canvas_rect.top, panel_width, beside)
    else:
        room = min(height - 3 * MARGIN - below, PANEL_HEIGHT[1]) - 2 * PANEL_PADDING
        scale, stacked = _arrange((below - 2 * PANEL_PADDING, room))
        content = (2 * BLOCK_SIZE[1] + BLOCK_GAP if stacked else BLOCK_SIZE[1]) * scale
        panel_height = min(room, math.ceil(content)) + 2 * PANEL_PADDING  # no empty card below
        top = (height - below - MARGIN - panel_height) // 2
        canvas_rect = pygame.Rect((width - below) // 2, top, below, below)
        panel = pygame.Rect(canvas_rect.left, canvas_rect.bottom + MARGIN, below, panel_height)
    return Layout(canvas=canvas_rect, panel=panel, **_panel_content(panel))


def _canvas_side(across: int, along: int, panel_min: int) -> int:
    """The canvas's side when the panel shares the `along` direction with it."""
    room = along - 3 * MARGIN
    return min(across - 2 * MARGIN, room - panel_min, int(room / (1 + PANEL_RATIO)))


def _arrange(area: tuple[int, int]) -> tuple[float, bool]:
    """The content's scale in a panel's inner area, and whether its two blocks are stacked:
    whichever arrangement is larger."""
    block_w, block_h = BLOCK_SIZE
    stacked = min(area[0] / block_w, area[1] / (2 * block_h + BLOCK_GAP))
    side_by_side = min(area[0] / (2 * block_w + BLOCK_GAP), area[1] / block_h)
    return min(max(stacked, side_by_side), MAX_CONTENT_SCALE), stacked >= side_by_side


def _panel_content(panel: pygame.Rect) -> dict[str, pygame.Rect]:
    """The readout at the top, where the eye looks first; the controls below it or beside it."""
    area = panel.inflate(-2 * PANEL_PADDING, -2 * PANEL_PADDING)
    block_w, block_h = BLOCK_SIZE
    scale, stacked = _arrange(area.size)
    if stacked:
        readout = (area.centerx - block_w * scale / 2, area.top)
        controls = (readout[0], area.bottom - block_h * scale)  # buttons at the bottom
    else:
        readout = (area.centerx - (block_w + BLOCK_GAP / 2) * scale, area.top)
        controls = (readout[0] + (block_w + BLOCK_GAP) * scale, area.top)
    rects = {name: _scaled(nominal, scale, readout) for name, nominal in READOUT_BLOCK.items()}
    rects |= {name: _scaled(nominal, scale, controls) for name, nominal in CONTROL_BLOCK.items()}
    rects["preview"] = _whole_pixels(rects["preview"])
    return rects


def _scaled(nominal: tuple[int, int, int, int], scale: float, origin: tuple[float, float]):
    x, y, w, h = nominal
    left, top = origin[0] + x * scale, origin[1] + y * scale
    return pygame.Rect(round(left), round(top), round(w * scale), round(h * scale))


def _whole_pixels(rect: pygame.Rect) -> pygame.Rect:
    """The largest square of whole model pixels in rect, so the scaled-up image is not uneven."""
    side = preprocess.IMAGE_SIZE * max(1, min(rect.w, rect.h) // preprocess.IMAGE_SIZE)
    square = pygame.Rect(0, 0, side, side)
    square.center = rect.center
    return square


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


class View:
    """Draws a Pad. Owns the fonts and the scaled-up model input, so frames reuse them."""

    def __init__(self):
        self._fonts: dict[int, pygame.font.Font] = {}
        self._preview_source: np.ndarray | None = None
        self._preview: pygame.Surface | None = None

    def draw(self, screen: pygame.Surface, pad: Pad) -> None:
        screen.fill(BACKGROUND)
        self._draw_canvas(screen, pad)
        box = pad.layout
        pygame.draw.rect(screen, CARD, box.panel, border_radius=12)
        pygame.draw.rect(screen, BORDER, box.panel, width=1, border_radius=12)
        self._draw_readout(screen, pad)
        self._draw_bars(screen, pad.prediction, box.bars)
        for rect, label in ((box.clear_button, "Clear"), (box.undo_button, "Undo")):
            pygame.draw.rect(screen, BUTTON, rect, border_radius=8)
            pygame.draw.rect(screen, BORDER, rect, width=1, border_radius=8)
            self._text(screen, label, rect.inflate(0, -rect.h // 2), TEXT, "center")
        self._text(screen, HINT, box.hint, MUTED, "center")

    def _draw_canvas(self, screen: pygame.Surface, pad: Pad) -> None:
        rect = pad.layout.canvas
        pygame.draw.rect(screen, BORDER, rect.inflate(2, 2), width=1)
        screen.blit(pad.canvas.surface, rect)
        if pad.canvas.is_empty:
            self._text(
                screen, "draw a digit here", rect.inflate(0, -rect.h * 15 // 16), FAINT, "center"
            )

    def _draw_readout(self, screen: pygame.Surface, pad: Pad) -> None:
        box, prediction = pad.layout, pad.prediction
        screen.blit(self._preview_of(pad.model_input, box.preview.size), box.preview)
        self._text(screen, "model input 28x28", box.caption, MUTED, "center")
        if prediction is None:
            self._glyph(screen, "-", box.digit, FAINT)
            self._text(screen, "no prediction", box.status, MUTED)
            self._text(screen, "draw a digit on the canvas", box.timing, MUTED)
            return
        percent = f"{prediction.confidence:.1%}"
        if prediction.rejected:
            self._glyph(screen, "?", box.digit, FAINT)
            self._text(screen, "not a digit", box.status, REJECTED)
        else:
            unsure = prediction.unsure
            self._glyph(screen, str(prediction.digit), box.digit, MUTED if unsure else TEXT)
            status = f"unsure - low confidence {percent}" if unsure else f"confidence {percent}"
            self._text(screen, status, box.status, UNSURE if unsure else TEXT)
        self._text(screen, f"{pad.ms:.1f} ms  preprocess + inference", box.timing, MUTED)

    def _draw_bars(
        self, screen: pygame.Surface, prediction: Prediction | None, rect: pygame.Rect
    ) -> None:
        """One bar per digit; the winner is coloured, in the warning colour if unsure; all grey
        when the drawing is not a digit."""
        label_h = rect.h // 5
        column = rect.w / 10
        bar_w = max(2, round(column * 0.6))
        track_h = rect.h - label_h - 4
        for digit in range(10):
            centre = round(rect.left + column * (digit + 0.5))
            track = pygame.Rect(centre - bar_w // 2, rect.top, bar_w, track_h)
            pygame.draw.rect(screen, FAINT, track, border_radius=3)
            colour, label_colour = BAR, MUTED
            if prediction is not None:
                if prediction.rejected:
                    colour = FAINT_BAR
                elif digit == prediction.digit:
                    colour, label_colour = (UNSURE if prediction.unsure else ACCENT), TEXT
                fill = round(track_h * prediction.probabilities[digit])
                if fill > 0:
                    bar = pygame.Rect(track.left, track.bottom - fill, bar_w, fill)
                    pygame.draw.rect(screen, colour, bar, border_radius=3)
            label = pygame.Rect(0, rect.bottom - label_h, round(column), label_h)
            label.centerx = centre
            self._text(screen, str(digit), label, label_colour, "center")

    def _preview_of(self, image: np.ndarray | None, size: tuple[int, int]) -> pygame.Surface:
        """The model input scaled up without smoothing, so its pixels stay visible."""
        stale = self._preview is None or self._preview.get_size() != size
        if stale or image is not self._preview_source:
            pixels = np.zeros((preprocess.IMAGE_SIZE,) * 2, np.uint8) if image is None else image
            gray = np.clip(np.asarray(pixels, np.float32) * 255, 0, 255).astype(np.uint8)
            small = pygame.surfarray.make_surface(np.repeat(gray.T[:, :, None], 3, axis=2))
            self._preview = pygame.transform.scale(small, size)
            self._preview_source = image
        return self._preview

    def _font(self, size: int) -> pygame.font.Font:
        if size not in self._fonts:
            self._fonts[size] = pygame.font.Font(None, size)
        return self._fonts[size]

    def _text(
        self, screen: pygame.Surface, text: str, rect: pygame.Rect, colour, align: str = "left"
    ) -> None:
        """One line of text sized to rect's height, shrunk if it would overflow rect's width."""
        surface = self._font(max(8, round(rect.h * LINE_FONT_SIZE))).render(text, True, colour)
        if surface.get_width() > rect.w:
            height = max(1, round(surface.get_height() * rect.w / surface.get_width()))
            surface = pygame.transform.smoothscale(surface, (rect.w, height))
        place = surface.get_rect(midleft=rect.midleft)
        if align == "center":
            place.center = rect.center
        screen.blit(surface, place)

    def _glyph(self, screen: pygame.Surface, text: str, rect: pygame.Rect, colour) -> None:
        """Large text with its ink, not its line box, centred in rect."""
        surface = self._font(round(rect.h * GLYPH_FONT_SIZE)).render(text, True, colour)
        ink = surface.get_bounding_rect()
        screen.blit(surface, (rect.centerx - ink.centerx, rect.centery - ink.centery))


def run(
    engine: Engine,
    window_size: tuple[int, int] = WINDOW_SIZE,
    brush_fraction: float = canvas.BRUSH_FRACTION,
    emit: Emit | None = None,
    script: Iterable[pygame.event.Event] = (),
) -> None:
    """Open the window and run the loop until quit. `script` events are posted once the window is
    up, as if the user had made them: tests drive the real loop with it."""
    pygame.display.init()
    pygame.font.init()
    try:
        screen = _open_window(window_size)
        pad = Pad(engine, screen.get_size(), brush_fraction, emit)
        view = View()
        _present(view, pad)
        pad.emit({"event": "ready", "canvas": list(pad.layout.canvas), "model": engine.path.name})
        for event in script:
            pygame.event.post(event)
        while pad.running:
            for event in _next_events(pad.live_wait_ms()):
                pad.handle(event)
            pad.tick()
            if pad.dirty:
                _present(view, pad)
    finally:
        pygame.quit()


def _present(view: View, pad: Pad) -> None:
    view.draw(pygame.display.get_surface(), pad)
    pygame.display.flip()
    pad.dirty = False


def _open_window(size: tuple[int, int]) -> pygame.Surface:
    pygame.display.set_caption(TITLE)
    try:
        return pygame.display.set_mode(size, pygame.RESIZABLE)
    except pygame.error as error:
        raise DigitsError(f"cannot open a window: {error}") from error


def _next_events(wait_ms: int | None) -> list[pygame.event.Event]:
    """Sleep until something happens, or until a live prediction is due: an idle pad does no
    work. (pygame's wait itself polls SDL every millisecond, about 1-2% of a core.)"""
    if wait_ms is None:
        first = [pygame.event.wait()]
    elif wait_ms > 0:
        first = [pygame.event.wait(wait_ms)]
    else:
        first = []
    return first + pygame.event.get()
