"""The pad's window and its event loop: open the window, then handle events, draw and flip
until the user quits."""

import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pygame

from runtime import canvas
from runtime.engine import Engine
from runtime.errors import DigitsError
from runtime.pad.layout import WINDOW_SIZE
from runtime.pad.state import Emit, Pad
from runtime.pad.view import View
from runtime.profile import Profile

TITLE = "digits - write a digit or a number"
WINDOWLESS_DRIVERS = ("dummy", "offscreen")  # SDL video drivers that show nothing
DISPLAY_VARIABLES = {"x11": "DISPLAY", "wayland": "WAYLAND_DISPLAY"}  # drivers that need one
GET_A_DISPLAY = (
    "run the pad on a desktop, or under Xvfb (xvfb-run python -m runtime), or set "
    "SDL_VIDEODRIVER=dummy to run it without a window, for automation"
)
# An idle pad looks for events this often. Each look costs a wake-up: on the 2-core development
# machine (a VM), at 0.02 s, 0.4% and 0.6% of a core in two runs of the same code, against 2% for
# pygame's own wait (export.evaluation.pad_figures); 0.025 s takes a fifth of the wake-ups off
# (0.5% in its run: the machine's noise is as large). The first event after idling waits for the
# next look: median 9.6 ms at 0.02 s, 15.1 ms at 0.025 s, well within a frame or two.
IDLE_POLL_S = 0.025
HANDLING, PRESENTED = "handling", "presented"  # what a watcher is told (see `run`)


def run(
    engine: Engine,
    window_size: tuple[int, int] = WINDOW_SIZE,
    brush_fraction: float = canvas.BRUSH_FRACTION,
    emit: Emit | None = None,
    script: Iterable[pygame.event.Event] = (),
    watch: Callable[[str], None] | None = None,
    profile: Profile | None = None,
    profile_path: Path | None = None,
) -> None:
    """Open the window and run the loop until quit. `script` events are posted once the window is
    up, as if the user had made them: tests drive the real loop with it. `watch`, if given, is
    told HANDLING just before each event is handed to the pad and PRESENTED just after each
    frame goes to the screen: measurements time the pad with it."""
    watch = watch or (lambda moment: None)
    try:
        _open_display()
        pygame.font.init()
        screen = _open_window(window_size)
        pad = Pad(
            engine,
            screen.get_size(),
            brush_fraction,
            emit,
            profile=profile,
            profile_path=profile_path,
        )
        view = View()
        _present(view, pad, watch)
        pad.emit({"event": "ready", "canvas": list(pad.layout.canvas), "model": engine.path.name})
        for event in script:
            pygame.event.post(event)
        while pad.running:
            for event in _next_events(pad):
                watch(HANDLING)
                pad.handle(event)
            pad.tick()
            if pad.dirty:
                _present(view, pad, watch)
    finally:
        pygame.quit()


def _present(view: View, pad: Pad, watch: Callable[[str], None]) -> None:
    view.draw(pygame.display.get_surface(), pad)
    pygame.display.flip()
    pad.dirty = False
    watch(PRESENTED)


def _open_display() -> None:
    """Start SDL's video, or say in one line why there is no display and how to get one.

    Without a display (an SSH session) pygame falls back to a windowless driver and the pad
    would run unseen until killed, after SDL's probes print their own complaints.
    """
    missing = _missing_display_variables()
    if missing:
        raise _no_display("no " + " or ".join(missing))
    try:
        pygame.display.init()
    except pygame.error as error:
        raise _no_display(str(error)) from error
    driver = pygame.display.get_driver()
    if driver in WINDOWLESS_DRIVERS and driver not in _requested_drivers():
        raise _no_display(f"none answered, SDL fell back to {driver!r}")


def _missing_display_variables() -> list[str]:
    """The display variables, DISPLAY or WAYLAND_DISPLAY, of the video drivers SDL may try, when
    each of them needs one and none is set; else nothing. (macOS and Windows always have a
    display.)"""
    if sys.platform in ("darwin", "win32"):
        return []
    variables = [
        DISPLAY_VARIABLES.get(driver) for driver in _requested_drivers() or DISPLAY_VARIABLES
    ]
    if None in variables or any(os.environ.get(variable) for variable in variables):
        return []
    return variables


def _requested_drivers() -> list[str]:
    """SDL_VIDEODRIVER: SDL takes one driver name or a comma-separated list."""
    value = os.environ.get("SDL_VIDEODRIVER", "").lower()
    return [name.strip() for name in value.split(",") if name.strip()]


def _no_display(reason: str) -> DigitsError:
    return DigitsError(f"no display to show the window on ({reason}): {GET_A_DISPLAY}")


def _open_window(size: tuple[int, int]) -> pygame.Surface:
    pygame.display.set_caption(TITLE)
    try:
        return pygame.display.set_mode(size, pygame.RESIZABLE)
    except pygame.error as error:
        raise DigitsError(f"cannot open a window: {error}") from error


def _next_events(pad: Pad) -> list[pygame.event.Event]:
    """The events that arrived, waiting for at least one, or none once a live prediction is due.

    An idle pad sleeps between looks (see IDLE_POLL_S). While the user draws, it waits on pygame,
    which keeps the ink and the live predictions prompt, never for long, so that Python's signal
    handlers get to run.
    """
    if pad.idle:
        while not (events := pygame.event.get()):
            time.sleep(IDLE_POLL_S)
        return events
    wait_ms = pad.live_wait_ms()
    if wait_ms == 0:
        return pygame.event.get()
    timeout = round(IDLE_POLL_S * 1000) if wait_ms is None else wait_ms
    return [pygame.event.wait(timeout), *pygame.event.get()]
