"""Pygame events as a user makes them, and checks of what the pad emits, for the pad's tests."""

import pygame
import pytest

from runtime.pad import Pad


def mouse(kind: int, pos: tuple[int, int]) -> pygame.event.Event:
    if kind == pygame.MOUSEMOTION:
        return pygame.event.Event(kind, pos=pos, rel=(0, 0), buttons=(1, 0, 0))
    return pygame.event.Event(kind, pos=pos, button=pygame.BUTTON_LEFT)


def stroke(points: list[tuple[int, int]]) -> list[pygame.event.Event]:
    """A left-button stroke through window points: down, a motion per point, up."""
    return [
        mouse(pygame.MOUSEBUTTONDOWN, points[0]),
        *(mouse(pygame.MOUSEMOTION, point) for point in points[1:]),
        mouse(pygame.MOUSEBUTTONUP, points[-1]),
    ]


def feed(pad: Pad, *events: pygame.event.Event) -> None:
    for event in events:
        pad.handle(event)


def key(code: int, mod: int = 0) -> pygame.event.Event:
    return pygame.event.Event(pygame.KEYDOWN, key=code, mod=mod)


def inside(rect: pygame.Rect, fx: float, fy: float) -> tuple[int, int]:
    """The point at a fraction of the way across and down rect."""
    return (rect.left + round(rect.w * fx), rect.top + round(rect.h * fy))


def seven(canvas_rect: pygame.Rect) -> list[tuple[int, int]]:
    return [inside(canvas_rect, *f) for f in ((0.3, 0.25), (0.7, 0.25), (0.45, 0.8))]


def check_prediction(event: dict) -> None:
    """A prediction event for a drawing of one digit (the tiny test model never rejects)."""
    assert event["event"] == "prediction"
    assert event["digit"] in range(10)
    assert event["number"] == str(event["digit"]) and len(event["digits"]) == 1
    assert event["digits"][0]["confidence"] == event["confidence"]
    assert len(event["probabilities"]) == 10
    assert sum(event["probabilities"]) == pytest.approx(1, abs=1e-3)
    assert event["confidence"] == max(event["probabilities"])
    assert event["probabilities"].index(event["confidence"]) == event["digit"]
    assert event["ms"] > 0
