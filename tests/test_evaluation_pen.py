"""python -m export.evaluation.pen: the test writers through the stroke and image paths."""

import json

import numpy as np
import pytest
from conftest import markdown_tables

from export.evaluation import pen
from runtime.reader import Reader
from training.pen import TEST_WRITERS, load_pendigits


@pytest.fixture(scope="module")
def few(pen_path):
    """Twenty test-writer digits, two of each."""
    samples = load_pendigits(pen_path).of_groups(TEST_WRITERS)
    keep = np.zeros(len(samples), bool)
    for digit in range(10):
        keep[np.flatnonzero(samples.labels == digit)[:2]] = True
    return samples.where(keep)


def test_every_path_reads_what_the_pad_and_predict_read(few, tiny_engine):
    from runtime.canvas import Canvas

    reader = Reader(tiny_engine)
    readings = pen.stroke_path(reader, few.strokes[:3])
    for strokes, reading in zip(few.strokes[:3], readings, strict=True):
        canvas = Canvas((pen.STROKE_CANVAS, pen.STROKE_CANVAS))
        canvas.replay(pen._positions(strokes, pen.STROKE_CANVAS))
        expected = Reader(tiny_engine).read_strokes(canvas.pixel_strokes())
        assert reading.as_json() == expected.as_json()
    images = pen.image_path(reader, few.strokes[:3])
    assert all(len(r.digits) == 1 for r in images)
    thin = pen.thin_pen_path(reader, few.strokes[:3])
    assert all(len(r.digits) == 1 for r in thin)
    assert all(max(r.digits[0].box.as_xywh()[2:]) > 200 for r in thin)  # on 1000 px pictures


def test_styles_are_told_from_the_strokes():
    one_with_flag = [np.array([[0, 40], [30, 0], [30, 100]], float)]
    plain_one = [np.array([[30, 0], [30, 100]], float)]
    four = [np.array([[20, 0], [0, 60], [50, 60], [40, 30], [40, 100]], float)]
    assert pen.style_of(one_with_flag, 1) == "1 with an up-stroke flag"
    assert pen.style_of(plain_one, 1) is None
    assert pen.style_of(four, 4) == "4 in one stroke"
    assert pen.style_of(four + plain_one, 7) == "crossed 7"


def test_the_cli_reports_every_writer_digit_and_style_and_writes_json(
    few, tiny_model_path, pen_path, tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr(pen, "load_pendigits", lambda data: few)
    out, sheets = tmp_path / "pen.json", tmp_path / "errors.png"
    argv = ["--model", str(tiny_model_path), "--pen-data", str(pen_path)]
    assert pen.main([*argv, "--json", str(out), "--errors", str(sheets)]) == 0
    printed = capsys.readouterr().out
    table = markdown_tables(printed)[0]
    assert table[1][0] == "all 20 digits" and "worst writer" in printed
    results = json.loads(out.read_text())["figures"]
    paths = (pen.STROKES, pen.IMAGE, pen.THIN)  # the tiny model has no stroke model
    assert list(results["paths"]) == list(paths)
    for path in paths:
        summary = results["paths"][path]
        assert sorted(summary["per_digit"]) == [str(d) for d in range(10)]
        right = round(summary["accuracy"] * 20)
        assert sum(round(a * 2) for a in summary["per_digit"].values()) == right
        assert (tmp_path / f"errors-{path}.png").read_bytes()[:4] == b"\x89PNG"
    made = [f"{style.name} (made)" for style in pen.styles.STYLES]
    assert list(results["paths"]["stroke"]["styles"])[-len(made) :] == made


def test_a_missing_model_is_one_error_line(tmp_path, pen_path, capsys):
    assert pen.main(["--model", str(tmp_path / "no.onnx"), "--pen-data", str(pen_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not found" in err
