"""The pad learns its writer: corrections, their undo, confirmations, forgetting, and the profile
on disk. With the shipped image model alone (`--no-strokes`: the stroke model reads all but two
of them right) and a validation writer's (28) 1s, three of which it reads as 7s."""

import io
import json
import sys

import numpy as np
import pygame
import pytest
from pad_events import feed, key, stroke

from runtime import predict
from runtime import profile as profile_module
from runtime.engine import Engine
from runtime.pad import Pad
from runtime.profile import Profile
from runtime.reader import Reader
from training.pen import load_pendigits

SIZE = (900, 620)
PREDICT = ["--no-strokes", "--strokes", "-"]  # strokes read by the image model alone


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(strokes=False)


@pytest.fixture(scope="module")
def ones_read_as_sevens(pen_path, engine) -> list[list[np.ndarray]]:
    """Writer 28's 1s that the models read as 7 (three of them)."""
    writer = load_pendigits(pen_path).of_groups([28])
    ones = [writer.strokes[i] for i in np.flatnonzero(writer.labels == 1)]
    reader = Reader(engine)
    misread = [s for s in ones if reader.read_strokes([x.astype(float) for x in s]).number == "7"]
    assert len(misread) >= 3
    return misread[:3]


def write(pad: Pad, strokes: list[np.ndarray]) -> None:
    """Write a pen digit (500-unit box) in the middle of the pad's canvas."""
    rect = pad.layout.canvas
    scale = rect.h * 0.7 / 500
    for points in strokes:
        positions = [
            (rect.centerx - 175 * scale + round(x * scale), rect.top + 20 + round(y * scale))
            for x, y in points
        ]
        feed(pad, *stroke(positions))


@pytest.fixture
def emitted() -> list[dict]:
    return []


@pytest.fixture
def pad(engine, emitted, tmp_path) -> Pad:
    writer = Profile(engine.model_id)
    return Pad(engine, SIZE, emit=emitted.append, profile=writer, profile_path=tmp_path / "p.npz")


def test_a_writer_s_misread_ones_are_read_right_once_two_are_taught(pad, ones_read_as_sevens):
    first, second, third = ones_read_as_sevens
    write(pad, first)
    assert pad.reading.number == "7"
    feed(pad, key(pygame.K_1))
    assert pad.reading.number == "1" and pad.notice == "learned: 1"  # read again at once
    feed(pad, key(pygame.K_c))
    write(pad, second)
    assert pad.reading.number == "1"  # after one correction, though not yet surely
    feed(pad, key(pygame.K_1))  # the writer says so: taught too
    assert pad.notice == "learned: 1" and len(pad.reader.profile) == 2
    feed(pad, key(pygame.K_c))
    write(pad, third)
    assert pad.reading.number == "1"


def test_a_correction_is_an_event_is_saved_at_once_and_survives_a_restart(
    pad, emitted, ones_read_as_sevens, engine, tmp_path
):
    write(pad, ones_read_as_sevens[0])
    feed(pad, key(pygame.K_KP1))
    correction = next(e for e in emitted if e["event"] == "correction")
    assert correction == {"event": "correction", "digit": 1, "was": 7, "profile": 1}
    assert emitted[-1]["event"] == "prediction" and emitted[-1]["number"] == "1"
    again = profile_module.load(tmp_path / "p.npz", engine.model_id)
    assert again.message is None and again.profile.labels.tolist() == [1]


def test_a_corrected_digit_is_shown_as_said_until_its_strokes_change(pad, engine):
    rect = pad.layout.canvas
    zero = [
        (rect.left + 300 + round(60 * np.cos(t)), rect.top + 160 + round(100 * np.sin(t)))
        for t in np.linspace(0, 6.3, 30)
    ]
    feed(pad, *stroke(zero))
    assert pad.reading.number == "0"
    feed(pad, key(pygame.K_8))  # one sample cannot outweigh so sure a reading...
    assert pad.reading.number == "8" and not pad.reading.single.unsure  # ...it is shown as said
    feed(pad, *stroke([(rect.left + 600, rect.top + 60), (rect.left + 600, rect.top + 260)]))
    assert pad.reading.number == "81"
    feed(pad, key(pygame.K_u), key(pygame.K_u))  # the stroke, then the correction
    assert pad.reading.number == "0"


def test_undo_takes_back_the_correction_before_any_stroke(pad, ones_read_as_sevens):
    write(pad, ones_read_as_sevens[0])
    feed(pad, key(pygame.K_1), key(pygame.K_u))
    assert len(pad.teacher.profile) == 0 and pad.reading.number == "7"
    assert len(pad.canvas.strokes) == len(ones_read_as_sevens[0])  # the strokes are still there
    feed(pad, key(pygame.K_u))
    assert len(pad.canvas.strokes) == len(ones_read_as_sevens[0]) - 1


def test_a_clicked_digit_is_the_one_corrected(pad, ones_read_as_sevens):
    from runtime.pad.layout import cell_rects

    write(pad, ones_read_as_sevens[0])
    ((image, _),) = cell_rects(pad.layout.cells, 1)
    feed(pad, pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=image.center, button=1))
    assert pad.selected == 0
    feed(pad, key(pygame.K_1))
    assert pad.teacher.profile.labels.tolist() == [1]


def test_sure_digits_left_uncorrected_are_confirmed_when_the_canvas_is_cleared(pad):
    rect = pad.layout.canvas
    seven = [
        (rect.left + 300, rect.top + 60),
        (rect.left + 420, rect.top + 60),
        (rect.left + 340, rect.top + 260),
    ]
    feed(pad, *stroke(seven))
    assert pad.reading.number == "7" and not pad.reading.single.unsure
    feed(pad, key(pygame.K_c))
    assert pad.teacher.profile.labels.tolist() == [7]


def test_forgetting_empties_the_profile_here_and_on_disk(
    pad, emitted, ones_read_as_sevens, engine, tmp_path
):
    write(pad, ones_read_as_sevens[0])
    feed(pad, key(pygame.K_1), key(pygame.K_f))
    assert emitted[-2:][0] == {"event": "forgotten"} and pad.reading.number == "7"
    assert len(profile_module.load(tmp_path / "p.npz", engine.model_id).profile) == 0


def test_without_a_profile_a_correction_says_it_was_not_learned(engine, ones_read_as_sevens):
    pad = Pad(engine, SIZE)
    write(pad, ones_read_as_sevens[0])
    feed(pad, key(pygame.K_1))
    assert pad.reading.number == "7" and pad.notice.startswith("not learned")


def _predict(lines: list[str], *options: str, monkeypatch, capsys) -> tuple[int, list[dict], str]:
    """digits-predict --strokes - on these lines: its exit code, answers and stderr."""
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    code = predict.main([*PREDICT, *options])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def _line(strokes, **extra) -> str:
    return json.dumps({"strokes": [s.tolist() for s in strokes], **extra})


def test_label_lines_teach_a_profile_line_by_line_through_predict(
    ones_read_as_sevens, tmp_path, monkeypatch, capsys
):
    lines = [
        _line(ones_read_as_sevens[0], label=1),
        _line(ones_read_as_sevens[1], label=1),
        _line(ones_read_as_sevens[2]),
        json.dumps({"strokes": [[[0, 0], [0, 100]]], "label": "one"}),
        json.dumps({"strokes": [[[0, 0], [0, 100]], [[300, 0], [300, 100]]], "label": 1}),
    ]
    path = tmp_path / "writer.npz"
    code, answers, _ = _predict(
        lines, "--profile", str(path), monkeypatch=monkeypatch, capsys=capsys
    )
    assert answers[0]["number"] == "7"  # answered before it is learned
    assert answers[2]["number"] == "1"  # after two labelled lines
    assert "label" in answers[3]["error"] and code == 1
    assert '"label" is for a drawing of one digit' in answers[4]["error"]  # "11" teaches nothing
    assert profile_module.load(path, Engine().model_id).profile.labels.tolist() == [1, 1]


def test_without_profile_predict_reads_as_the_models_do(ones_read_as_sevens, monkeypatch, capsys):
    line = _line(ones_read_as_sevens[2], label=1)
    code, answers, _ = _predict([line], monkeypatch=monkeypatch, capsys=capsys)
    assert answers[0]["number"] == "7" and code == 0


def test_no_profile_leaves_a_named_profile_unread_and_unchanged(
    ones_read_as_sevens, tmp_path, monkeypatch, capsys
):
    path = tmp_path / "writer.npz"
    taught = [_line(ones_read_as_sevens[i], label=1) for i in (0, 1)]
    _predict(taught, "--profile", str(path), monkeypatch=monkeypatch, capsys=capsys)
    before = path.read_bytes()
    lines = [_line(ones_read_as_sevens[2]), _line(ones_read_as_sevens[2], label=1)]
    options = ("--profile", str(path), "--no-profile")
    _, answers, _ = _predict(lines, *options, monkeypatch=monkeypatch, capsys=capsys)
    assert answers[0]["number"] == "7" and path.read_bytes() == before


def test_predict_sets_a_damaged_profile_aside_says_so_and_starts_afresh(
    ones_read_as_sevens, tmp_path, monkeypatch, capsys
):
    path = tmp_path / "writer.npz"
    path.write_bytes(b"not a profile")
    lines = [_line(ones_read_as_sevens[0], label=1)]
    code, _, err = _predict(lines, "--profile", str(path), monkeypatch=monkeypatch, capsys=capsys)
    assert code == 0 and err.startswith("digits-predict: the profile") and "damaged" in err
    assert err.count("\n") == 1 and len(list(tmp_path.glob("writer.npz.damaged-*"))) == 1
    assert profile_module.load(path, Engine().model_id).profile.labels.tolist() == [1]
