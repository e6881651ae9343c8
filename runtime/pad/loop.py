"""The pad's window and its event loop: open the window, then handle events, draw and flip
until the user quits."""

from collections.abc import Iterable

import pygame

from runtime import canvas
from runtime.engine import Engine
from runtime.errors import DigitsError
from runtime.pad.layout import WINDOW_SIZE
from runtime.pad.state import Emit, Pad
from runtime.pad.view import View

TITLE = "digits - draw a digit"


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
