"""The pad's real loop and window, with events posted as a user would make them."""

import pygame
from pad_events import check_prediction, inside, key, seven, stroke

from runtime.pad import layout, loop, run


def test_run_draws_posted_strokes_and_reports_the_protocol(tiny_engine):
    box, emitted = layout((700, 500)), []
    script = [
        *stroke(seven(box.canvas)),
        *stroke([inside(box.canvas, 0.3, 0.5), inside(box.canvas, 0.7, 0.5)]),
        key(pygame.K_z, pygame.KMOD_CTRL),
        key(pygame.K_c),
        pygame.event.Event(pygame.QUIT),
    ]
    run(tiny_engine, (700, 500), emit=emitted.append, script=script)
    assert emitted[0] == {"event": "ready", "canvas": list(box.canvas), "model": "tiny.onnx"}
    assert [event["event"] for event in emitted[1:]] == ["prediction"] * 3 + ["clear"]
    for event in emitted[1:4]:
        check_prediction(event)
    assert emitted[3] == {**emitted[1], "ms": emitted[3]["ms"]}  # undo: back to the first stroke
    assert not pygame.display.get_init()  # the window is closed


def test_an_idle_pad_sleeps_between_looks_for_events(tiny_engine, monkeypatch):
    """pygame's own wait polls every millisecond, 2% of a core: an idle pad must not use it."""
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 3:
            pygame.event.post(pygame.event.Event(pygame.QUIT))

    def wait(*args):
        raise AssertionError("pygame.event.wait while idle")

    monkeypatch.setattr(loop.time, "sleep", sleep)
    monkeypatch.setattr(pygame.event, "wait", wait)
    run(tiny_engine, (700, 500))
    assert sleeps == [loop.IDLE_POLL_S] * 3
