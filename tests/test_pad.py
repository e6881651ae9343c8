"""The pad: its layout, its logic driven by pygame events, the real loop, and the CLI."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pygame
import pytest
from hypothesis import given
from hypothesis import strategies as st
from onnx import TensorProto, helper

from runtime import pad as pad_module
from runtime.__main__ import main
from runtime.canvas import INK
from runtime.engine import CONTRACT, Engine, Prediction
from runtime.pad import LIVE_INTERVAL_MS, Layout, Pad, View, layout, run

ROOT = Path(__file__).resolve().parents[1]
SIZE = (900, 620)
PANEL_PARTS = [field for field in Layout.__dataclass_fields__ if field not in ("canvas", "panel")]


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def engine(tiny_model_path) -> Engine:
    return Engine(tiny_model_path)


@pytest.fixture
def emitted() -> list[dict]:
    return []


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def pad(engine, emitted, clock) -> Pad:
    return Pad(engine, SIZE, emit=emitted.append, clock=clock)


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
    assert event["event"] == "prediction"
    assert event["digit"] in range(10)
    assert len(event["probabilities"]) == 10
    assert sum(event["probabilities"]) == pytest.approx(1, abs=1e-3)
    assert event["confidence"] == max(event["probabilities"])
    assert event["probabilities"].index(event["confidence"]) == event["digit"]
    assert event["ms"] > 0


# Layout


@given(st.integers(0, 4000), st.integers(0, 3000))
def test_layout_keeps_a_square_canvas_and_a_panel_that_do_not_overlap(width, height):
    box = layout((width, height))
    window = pygame.Rect(0, 0, max(width, 480), max(height, 320))
    assert box.canvas.w == box.canvas.h > 0
    assert window.contains(box.canvas) and window.contains(box.panel)
    assert not box.canvas.colliderect(box.panel)
    parts = [getattr(box, name) for name in PANEL_PARTS]
    for index, part in enumerate(parts):
        assert box.panel.contains(part), PANEL_PARTS[index]
        assert part.collidelist(parts[index + 1 :]) == -1, PANEL_PARTS[index]
    assert box.preview.w == box.preview.h and box.preview.w % 28 == 0


def test_panel_goes_beside_a_wide_window_and_below_a_tall_one():
    wide, tall = layout((900, 620)), layout((500, 900))
    assert wide.panel.left > wide.canvas.right and wide.canvas.h >= 520
    assert tall.panel.top > tall.canvas.bottom and tall.canvas.w >= 460


# The pad's logic, driven by events


def test_a_stroke_leaves_ink_along_its_path_and_one_prediction(pad, emitted):
    rect = pad.layout.canvas
    start, end = inside(rect, 0.1, 0.5), inside(rect, 0.9, 0.5)
    feed(pad, *stroke([start, end]))  # one long, fast move: no points in between
    ink = pad.canvas.ink()
    row = ink[start[1] - rect.top, start[0] - rect.left : end[0] - rect.left + 1]
    assert (row == INK).all()
    assert ink[: rect.h // 4].max() == 0  # and nowhere near the top
    assert len(emitted) == 1
    check_prediction(emitted[0])
    assert pad.prediction is not None and pad.prediction.digit == emitted[0]["digit"]
    assert pad.model_input.shape == (28, 28)


def test_a_diagonal_stroke_is_as_thick_as_the_brush(pad):
    rect = pad.layout.canvas
    feed(pad, *stroke([inside(rect, 0.2, 0.2), inside(rect, 0.8, 0.8)]))
    ink = pad.canvas.ink() > 0
    centre = rect.w // 2
    across = [ink[centre - step, centre + step] for step in range(-rect.w // 4, rect.w // 4)]
    thickness = sum(across) * 2**0.5  # steps along the anti-diagonal are sqrt(2) apart
    assert thickness == pytest.approx(pad.canvas.brush_width, abs=3)


def test_every_stroke_is_followed_by_a_prediction(pad, emitted):
    rect = pad.layout.canvas
    for fy in (0.3, 0.5, 0.7):
        feed(pad, *stroke([inside(rect, 0.2, fy), inside(rect, 0.5, fy), inside(rect, 0.8, fy)]))
    assert len(pad.canvas.strokes) == 3
    assert [event["event"] for event in emitted] == ["prediction"] * 3


def test_an_empty_canvas_has_no_prediction(pad, emitted):
    pad.predict()
    assert pad.prediction is None and pad.model_input is None
    assert emitted == [{"event": "clear"}]


def test_motion_without_a_press_on_the_canvas_does_not_draw(pad, emitted):
    centre, outside = pad.layout.canvas.center, pad.layout.hint.center
    feed(pad, mouse(pygame.MOUSEMOTION, centre), *stroke([outside, centre]))
    assert pad.canvas.is_empty and pad.canvas.ink().max() == 0
    assert emitted == []


def test_a_stroke_leaving_the_canvas_is_clamped_to_its_edge(pad):
    rect = pad.layout.canvas
    feed(pad, *stroke([inside(rect, 0.5, 0.5), (rect.right + 200, rect.centery)]))
    ink = pad.canvas.ink()
    assert ink[rect.h // 2, -1] == INK
    assert pad.canvas.strokes[-1][-1][0] < 1


@pytest.mark.parametrize("code", [pygame.K_c, pygame.K_BACKSPACE, pygame.K_DELETE])
def test_clear_keys(pad, emitted, code):
    feed(pad, *stroke(seven(pad.layout.canvas)), key(code))
    assert pad.canvas.is_empty and pad.canvas.ink().max() == 0
    assert pad.prediction is None
    assert emitted[-1] == {"event": "clear"}


def test_clear_button(pad, emitted):
    feed(pad, *stroke(seven(pad.layout.canvas)))
    feed(pad, mouse(pygame.MOUSEBUTTONDOWN, pad.layout.clear_button.center))
    assert pad.canvas.is_empty and pad.prediction is None
    assert emitted[-1] == {"event": "clear"}


@pytest.mark.parametrize(
    "undo",
    [key(pygame.K_z, pygame.KMOD_LCTRL), key(pygame.K_u), "button"],
    ids=["ctrl-z", "u", "button"],
)
def test_undo_removes_the_last_stroke_and_predicts_what_remains(pad, emitted, undo):
    if undo == "button":
        undo = mouse(pygame.MOUSEBUTTONDOWN, pad.layout.undo_button.center)
    rect = pad.layout.canvas
    feed(pad, *stroke(seven(rect)))
    first_ink, first = pad.canvas.ink(), emitted[-1]
    feed(pad, *stroke([inside(rect, 0.2, 0.5), inside(rect, 0.8, 0.5)]), undo)
    assert len(pad.canvas.strokes) == 1
    assert np.array_equal(pad.canvas.ink(), first_ink)
    assert [event["event"] for event in emitted] == ["prediction"] * 3
    assert emitted[-1] == {**first, "ms": emitted[-1]["ms"]}
    pad.handle(undo)
    assert pad.canvas.is_empty and pad.prediction is None
    assert emitted[-1] == {"event": "clear"}
    pad.handle(undo)  # nothing left to undo: nothing happens
    assert len(emitted) == 4


def test_z_without_ctrl_does_not_undo(pad):
    feed(pad, *stroke(seven(pad.layout.canvas)), key(pygame.K_z))
    assert len(pad.canvas.strokes) == 1


@pytest.mark.parametrize(
    "event",
    [key(pygame.K_ESCAPE), key(pygame.K_q), pygame.event.Event(pygame.QUIT)],
    ids=["escape", "q", "window-close"],
)
def test_quit(pad, event):
    assert pad.running
    pad.handle(event)
    assert not pad.running


def test_live_predictions_are_throttled_while_the_ink_changes(pad, emitted, clock):
    rect = pad.layout.canvas
    pad.handle(mouse(pygame.MOUSEBUTTONDOWN, inside(rect, 0.1, 0.5)))
    predictions = []
    for step in range(100):  # 100 motion events over 400 ms
        clock.now += 0.004
        pad.handle(mouse(pygame.MOUSEMOTION, inside(rect, 0.1 + step * 0.008, 0.5)))
        pad.tick()
        if pad.prediction is not None and pad.prediction not in predictions:
            predictions.append(pad.prediction)
    assert 400 / LIVE_INTERVAL_MS - 1 <= len(predictions) <= 400 / LIVE_INTERVAL_MS + 1
    assert emitted == []  # live predictions update the panel only
    assert pad.live_pending
    clock.now += 1
    pad.handle(mouse(pygame.MOUSEBUTTONUP, inside(rect, 0.9, 0.5)))
    assert len(emitted) == 1 and not pad.live_pending
    assert pad.live_wait_ms() is None  # nothing pending: the loop may sleep until an event


def test_resize_lays_out_again_and_keeps_the_strokes(pad):
    feed(pad, *stroke(seven(pad.layout.canvas)))
    pad.handle(pygame.event.Event(pygame.VIDEORESIZE, size=(1280, 800), w=1280, h=800))
    assert pad.layout == layout((1280, 800))
    assert pad.canvas.size == pad.layout.canvas.size
    assert len(pad.canvas.strokes) == 1 and pad.canvas.ink().max() == INK


# Drawing


def colours_in(surface: pygame.Surface, rect: pygame.Rect) -> set[tuple[int, int, int]]:
    pixels = pygame.surfarray.array3d(surface.subsurface(rect)).reshape(-1, 3)
    return {tuple(int(c) for c in pixel) for pixel in np.unique(pixels, axis=0)}


@pytest.mark.parametrize("confidence", [None, 0.95, 0.3], ids=["empty", "sure", "unsure"])
def test_the_panel_shows_the_prediction_and_marks_low_confidence(pad, confidence):
    pygame.font.init()
    screen = pygame.Surface(SIZE)
    if confidence is not None:
        rest = (1 - confidence) / 9
        probabilities = (rest,) * 3 + (confidence,) + (rest,) * 6
        pad.prediction = Prediction(
            3, confidence, probabilities, None, False, confidence < 0.6, 1.0
        )
        pad.model_input = np.eye(28, dtype=np.float32)
    View().draw(screen, pad)
    box = pad.layout
    digit, bars = colours_in(screen, box.digit), colours_in(screen, box.bars)
    preview = pygame.surfarray.array3d(screen.subsurface(box.preview))
    if confidence is None:
        assert pad_module.TEXT not in digit and preview.max() == 0
    elif pad.prediction.unsure:
        assert pad_module.MUTED in digit and pad_module.UNSURE in bars
        status = np.array(sorted(colours_in(screen, box.status)))  # shrunk to fit: blended
        assert (np.abs(status - pad_module.UNSURE).max(axis=1) <= 4).any()
    else:
        assert pad_module.TEXT in digit and pad_module.ACCENT in bars
        pixel = box.preview.w // 28  # the diagonal, one model pixel per block
        assert preview[pixel // 2, pixel // 2].min() == 255 and preview[pixel * 2, 0].max() == 0


# The real loop, with events posted as a user would make them


def test_run_draws_posted_strokes_and_reports_the_protocol(engine):
    box, emitted = layout((700, 500)), []
    script = [
        *stroke(seven(box.canvas)),
        *stroke([inside(box.canvas, 0.3, 0.5), inside(box.canvas, 0.7, 0.5)]),
        key(pygame.K_z, pygame.KMOD_CTRL),
        key(pygame.K_c),
        pygame.event.Event(pygame.QUIT),
    ]
    run(engine, (700, 500), emit=emitted.append, script=script)
    assert emitted[0] == {"event": "ready", "canvas": list(box.canvas), "model": "tiny.onnx"}
    assert [event["event"] for event in emitted[1:]] == ["prediction"] * 3 + ["clear"]
    for event in emitted[1:4]:
        check_prediction(event)
    assert emitted[3] == {**emitted[1], "ms": emitted[3]["ms"]}  # undo: back to the first stroke
    assert not pygame.display.get_init()  # the window is closed


# The CLI


def pad_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "runtime", *args]


def pad_env() -> dict[str, str]:
    return {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}


def test_cli_prints_the_ready_line_and_exits_cleanly(tiny_model_path):
    process = subprocess.Popen(
        pad_command("--print-predictions", "--model", str(tiny_model_path), "--size", "700x500"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=pad_env(),
    )
    try:
        ready = json.loads(process.stdout.readline())
        process.send_signal(signal.SIGTERM)  # SDL turns it into a QUIT event
        out, err = process.communicate(timeout=20)
    finally:
        process.kill()
    canvas = list(layout((700, 500)).canvas)
    assert ready == {"event": "ready", "canvas": canvas, "model": "tiny.onnx"}
    assert (process.returncode, out, err) == (0, "", "")


def wrong_signature_model(path: Path) -> Path:
    graph = helper.make_graph(
        [helper.make_node("Softmax", ["pixels"], ["scores"], axis=-1)],
        "not_digits",
        [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, ["N", 784])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["N", 784])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    helper.set_model_props(model, dict(CONTRACT))
    onnx.save(model, path)
    return path


@pytest.mark.parametrize("case", ["missing", "corrupt", "wrong-signature"])
def test_a_bad_model_is_one_error_line_and_exit_2(tmp_path, case):
    path = tmp_path / "model.onnx"
    if case == "corrupt":
        path.write_bytes(np.random.default_rng(1).bytes(4096))
    elif case == "wrong-signature":
        wrong_signature_model(path)
    result = subprocess.run(
        pad_command("--print-predictions", "--model", str(path)),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=pad_env(),
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("digits-pad: error: "), result.stderr
    assert "model.onnx" in lines[0]


@pytest.mark.parametrize(
    "args", [["--size", "12"], ["--size", "100x100"], ["--brush", "2"], ["--brush", "x"]]
)
def test_bad_arguments_are_argparse_errors(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert "digits-pad: error: argument" in capsys.readouterr().err


def test_the_pad_never_imports_the_training_stack():
    code = (
        "import sys, runtime.__main__, runtime.pad; "
        "print(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'tensorflow', 'keras', 'onnx', 'tf2onnx', 'training', 'export'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "[]"
