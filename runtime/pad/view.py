"""Draws a Pad: the canvas, and the panel with the prediction, the model's input and the buttons.

Only draws; every decision about what to show was made by the Pad.
"""

import numpy as np
import pygame

from runtime import preprocess
from runtime.engine import Prediction
from runtime.pad.state import Pad

HINT = "C clear  ·  U or Ctrl+Z undo  ·  Esc quit"
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
