"""Draws a Pad: the canvas, and the panel with the number, each digit as the model saw it, the
probabilities of the digit last written, and the buttons.

Only draws; every decision about what to show was made by the Pad and the reader.
"""

import math

import numpy as np
import pygame

from runtime import preprocess
from runtime.engine import Prediction
from runtime.labels import NUM_DIGITS
from runtime.pad.layout import cell_rects
from runtime.pad.state import Pad
from runtime.reader import NOT_A_DIGIT_MARK, DigitReading

HINT = "0-9 correct  ·  C clear  ·  U undo  ·  F forget  ·  Esc quit"
PLACEHOLDER = "write a digit or a number here"
BACKGROUND = (234, 238, 242)
CARD = (255, 255, 255)
BORDER = (204, 211, 220)
TEXT = (38, 46, 58)
MUTED = (139, 149, 163)
FAINT = (222, 227, 233)
BAR = (165, 177, 193)  # the bars of the digits that did not win
ACCENT = (38, 128, 118)  # the winning bar of a confident prediction
UNSURE = (201, 122, 32)  # an unsure digit, its winning bar and its status
REJECTED = (176, 64, 64)  # a part that is not a digit, and its status
FAINT_BAR = (204, 211, 220)  # every bar of a part that is not a digit
BUTTON = (228, 234, 240)
# pygame's default font draws a line about 0.69 of its nominal size tall: sizes per pixel of height
LINE_FONT_SIZE = 1.45  # for a line of text filling its rect's height
GLYPH_FONT_SIZE = 1.3  # for the big number, whose ink (no descender) nearly fills its rect


class View:
    """Draws a Pad. Owns the fonts and the scaled-up model inputs, so frames reuse them."""

    def __init__(self):
        self._fonts: dict[int, pygame.font.Font] = {}
        self._previews: dict[tuple[int, tuple[int, int]], tuple[np.ndarray, pygame.Surface]] = {}

    def draw(self, screen: pygame.Surface, pad: Pad) -> None:
        screen.fill(BACKGROUND)
        self._draw_canvas(screen, pad)
        box = pad.layout
        pygame.draw.rect(screen, CARD, box.panel, border_radius=12)
        pygame.draw.rect(screen, BORDER, box.panel, width=1, border_radius=12)
        self._draw_reading(screen, pad)
        chosen = pad.chosen_digit()
        self._draw_bars(screen, None if chosen is None else chosen.prediction, box.bars)
        if chosen is not None and len(pad.reading.digits) > 1:
            place = pad.reading.digits.index(chosen) + 1
            why = "chosen" if pad.selected is not None else "the last written"
            caption = f"digit {place} of {len(pad.reading.digits)}, {why}"
            self._text(screen, caption, box.bars_caption, MUTED, "center")
        for rect, label in ((box.clear_button, "Clear"), (box.undo_button, "Undo")):
            pygame.draw.rect(screen, BUTTON, rect, border_radius=8)
            pygame.draw.rect(screen, BORDER, rect, width=1, border_radius=8)
            self._text(screen, label, rect.inflate(0, -rect.h // 2), TEXT, "center")
        if pad.reading is not None:
            timing = f"{pad.reading.ms:.1f} ms  segmentation, preprocessing, inference"
            self._text(screen, timing, box.timing, MUTED, "center")
        self._text(screen, HINT, box.hint, MUTED, "center")

    def _draw_canvas(self, screen: pygame.Surface, pad: Pad) -> None:
        rect = pad.layout.canvas
        pygame.draw.rect(screen, BORDER, rect.inflate(2, 2), width=1)
        screen.blit(pad.canvas.surface, rect)
        if pad.canvas.is_empty:
            self._text(screen, PLACEHOLDER, rect.inflate(0, -rect.h * 15 // 16), FAINT, "center")

    def _draw_reading(self, screen: pygame.Surface, pad: Pad) -> None:
        """The number large, each digit in its own colour; a status line; then the cells."""
        box, reading = pad.layout, pad.reading
        if reading is None:
            self._glyphs(screen, [("-", FAINT)], box.number)
            self._text(screen, "nothing written yet", box.status, MUTED)
            return
        self._glyphs(screen, [(_mark(d), _colour(d)) for d in reading.digits], box.number)
        status, colour = _status(reading.digits)
        if pad.notice is not None:
            status, colour = f"{pad.notice}  ·  {status}", ACCENT
        self._text(screen, status, box.status, colour)
        for index, (digit, (image_rect, caption)) in enumerate(
            zip(reading.digits, cell_rects(box.cells, len(reading.digits)), strict=True)
        ):
            screen.blit(self._preview_of(digit.image, image_rect.size), image_rect)
            if index == pad.selected:
                pygame.draw.rect(screen, ACCENT, image_rect.inflate(6, 6), width=3)
            prediction = digit.prediction
            label = "no digit" if prediction.rejected else _percent(prediction.confidence)
            self._text(screen, label, caption, _colour(digit), "center")

    def _draw_bars(
        self, screen: pygame.Surface, prediction: Prediction | None, rect: pygame.Rect
    ) -> None:
        """One bar per digit; the winner is coloured, in the warning colour if unsure; all grey
        when the drawing is not a digit."""
        label_h = rect.h // 5
        column = rect.w / 10
        bar_w = max(2, round(column * 0.6))
        track_h = rect.h - label_h - 4
        for digit in range(NUM_DIGITS):
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

    def _preview_of(self, image: np.ndarray, size: tuple[int, int]) -> pygame.Surface:
        """The model input scaled up without smoothing, so its pixels stay visible; kept while
        the same image is shown at the same size."""
        key = (id(image), size)
        if key not in self._previews or self._previews[key][0] is not image:
            gray = np.clip(np.asarray(image, np.float32) * 255, 0, 255).astype(np.uint8)
            small = pygame.surfarray.make_surface(np.repeat(gray.T[:, :, None], 3, axis=2))
            scale = pygame.transform.scale if size[0] >= preprocess.IMAGE_SIZE else _shrink
            self._previews = {k: v for k, v in self._previews.items() if k[1] == size}
            self._previews[key] = (image, scale(small, size))
        return self._previews[key][1]

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

    def _glyphs(self, screen: pygame.Surface, glyphs: list[tuple[str, tuple]], rect: pygame.Rect):
        """Large characters, each in its own colour, left to right from rect's left, shrunk
        together if they would overflow its width."""
        font = self._font(round(rect.h * GLYPH_FONT_SIZE))
        surfaces = [font.render(text, True, colour) for text, colour in glyphs]
        width = sum(surface.get_width() for surface in surfaces)
        shrink = min(1.0, rect.w / max(width, 1))
        left = rect.left
        for surface in surfaces:
            if shrink < 1:
                size = (round(surface.get_width() * shrink), round(surface.get_height() * shrink))
                surface = pygame.transform.smoothscale(surface, size)
            ink = surface.get_bounding_rect()
            screen.blit(surface, (left, rect.centery - ink.centery))
            left += surface.get_width()


def _mark(digit: DigitReading) -> str:
    return NOT_A_DIGIT_MARK if digit.prediction.rejected else str(digit.prediction.digit)


def _colour(digit: DigitReading) -> tuple[int, int, int]:
    if digit.prediction.rejected:
        return REJECTED
    return UNSURE if digit.prediction.unsure else TEXT


def _status(digits: list[DigitReading]) -> tuple[str, tuple[int, int, int]]:
    """One line about the reading, in the colour of its worst part."""
    rejected = sum(d.prediction.rejected for d in digits)
    unsure = sum(d.prediction.unsure and not d.prediction.rejected for d in digits)
    if len(digits) == 1:
        prediction = digits[0].prediction
        if prediction.rejected:
            return "not a digit", REJECTED
        if prediction.unsure:
            return f"unsure - low confidence {_percent(prediction.confidence)}", UNSURE
        return f"confidence {_percent(prediction.confidence)}", TEXT
    parts = [f"{len(digits)} digits"]
    parts += [f"{unsure} unsure"] if unsure else []
    parts += [f"{rejected} not a digit"] if rejected else []
    return ", ".join(parts), REJECTED if rejected else UNSURE if unsure else TEXT


def _percent(share: float) -> str:
    """One decimal, rounded down: a confidence of 99.96% is not "100.0%"."""
    return f"{math.floor(share * 1000) / 10:.1f}%"


def _shrink(surface: pygame.Surface, size: tuple[int, int]) -> pygame.Surface:
    return pygame.transform.smoothscale(surface, size)
