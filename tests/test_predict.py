"""The predict CLI: one JSON line per image or stroke drawing, bad inputs reported, exit codes."""

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import build_linear_model, drawn_png
from PIL import Image

from runtime import predict
from runtime.engine import CONTRACT

ROOT = Path(__file__).resolve().parents[1]
KEYS = {"file", "digit", "confidence", "probabilities", "number", "digits"}
SEVEN = {"strokes": [[[0, 0], [60, 0], [20, 100]]]}


def lines_of(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_each_file_gets_a_line_and_bad_ones_an_error(tmp_path, tiny_model_path, capsys):
    good = drawn_png(tmp_path / "seven.png")
    drawn_png(tmp_path / "seven_inverted.png", dark_on_light=False)
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "cut.png").write_bytes(good.read_bytes()[:300])
    Image.new("L", (64, 64), 255).save(tmp_path / "blank.png")
    files = ["seven.png", "notes.txt", "missing.png", "cut.png", "blank.png", "seven_inverted.png"]

    code = predict.main(["--model", str(tiny_model_path), *(str(tmp_path / f) for f in files)])
    lines = lines_of(capsys)

    assert code == 1
    assert [line["file"] for line in lines] == [str(tmp_path / f) for f in files]
    by_name = dict(zip(files, lines, strict=True))
    seven = by_name["seven.png"]
    assert set(seven) == KEYS
    assert seven["number"] == str(seven["digit"]) and len(seven["digits"]) == 1
    assert seven["digits"][0]["confidence"] == seven["confidence"]
    assert {k: v for k, v in by_name["seven_inverted.png"].items() if k != "file"} == {
        k: v for k, v in seven.items() if k != "file"
    }
    assert "not an image" in by_name["notes.txt"]["error"]
    assert "not found" in by_name["missing.png"]["error"]
    assert "error" in by_name["cut.png"]
    blank = by_name["blank.png"]  # no ink: no prediction, never a guess
    assert blank == {
        "file": str(tmp_path / "blank.png"),
        "digit": None,
        "confidence": None,
        "probabilities": None,
        "number": None,
        "digits": [],
    }


def test_exit_code_is_0_when_every_input_is_read(tmp_path, tiny_model_path, capsys):
    good = drawn_png(tmp_path / "seven.png")
    assert predict.main(["--model", str(tiny_model_path), str(good)]) == 0
    assert lines_of(capsys)[0]["digit"] in range(10)


def test_a_stroke_file_is_answered_like_an_image(tmp_path, tiny_model_path, capsys):
    (tmp_path / "seven.json").write_text(json.dumps(SEVEN, indent=2))
    assert (
        predict.main(["--model", str(tiny_model_path), "--strokes", str(tmp_path / "seven.json")])
        == 0
    )
    (line,) = lines_of(capsys)
    assert set(line) == KEYS and line["file"] == str(tmp_path / "seven.json")
    assert line["digits"][0]["box"] == [0, 0, 60, 100]


def test_standard_input_takes_one_drawing_a_line_and_reports_each_bad_one(
    tiny_model_path, monkeypatch, capsys
):
    text = "\n".join(
        [
            json.dumps(SEVEN),
            "{not json",
            "",
            json.dumps({"strokes": [[[0, 0], [math.nan, 1]]]}),
            json.dumps({"strokes": []}),
            json.dumps({"strokes": [[[0, 0], [0, 100]], [[50, 0], [110, 0], [70, 100]]]}),
        ]
    )
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO(text + "\n"))
    assert predict.main(["--model", str(tiny_model_path), "--strokes", "-"]) == 1
    lines = lines_of(capsys)
    assert [line.get("line") for line in lines] == [1, 2, 4, 5, 6]
    assert [("error" in line) for line in lines] == [False, True, True, True, False]
    assert "not JSON" in lines[1]["error"] and "finite" in lines[2]["error"]
    two_digits = lines[4]
    assert two_digits["digit"] is None and two_digits["probabilities"] is None
    assert len(two_digits["number"]) == 2 and len(two_digits["digits"]) == 2


def test_an_unreadable_stroke_file_is_an_error_line(tmp_path, tiny_model_path, capsys):
    assert (
        predict.main(["--model", str(tiny_model_path), "--strokes", str(tmp_path / "no.json")]) == 1
    )
    assert "cannot read" in lines_of(capsys)[0]["error"]


@pytest.mark.parametrize("args", [[], ["x.png", "--strokes", "-"]], ids=["neither", "both"])
def test_images_or_strokes_one_of_the_two(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        predict.main(args)
    assert exit_info.value.code == 2
    assert "give image files or --strokes" in capsys.readouterr().err


def test_a_model_answering_nan_gives_an_error_line_not_invalid_json(tmp_path, capsys):
    broken = build_linear_model(
        tmp_path / "nan.onnx", np.zeros((784, 10)), dict(CONTRACT), output=np.full(10, np.nan)
    )
    (tmp_path / "seven.json").write_text(json.dumps(SEVEN))
    assert predict.main(["--model", str(broken), "--strokes", str(tmp_path / "seven.json")]) == 1
    out = capsys.readouterr().out
    line = json.loads(out, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
    assert "not a number" in line["error"]


def test_a_closed_pipe_ends_quietly(tmp_path, tiny_model_path):
    image = drawn_png(tmp_path / "seven.png")
    command = [sys.executable, "-m", "runtime.predict", "--model", str(tiny_model_path)]
    with subprocess.Popen(
        [*command, *[str(image)] * 200], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        process.stdout.readline()
        process.stdout.close()  # as `| head -1` does
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0 and err == b""
