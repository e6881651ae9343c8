"""The predict CLI: one JSON line per image or stroke drawing, bad inputs reported, exit codes."""

import errno
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import build_linear_model, drawn_png
from PIL import Image

from runtime import predict
from runtime.engine import CONTRACT, DEFAULT_MODEL

ROOT = Path(__file__).resolve().parents[1]
KEYS = {"file", "digit", "confidence", "unsure", "probabilities", "number", "digits"}
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
        "unsure": None,
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
            json.dumps({"strokes": [[[0, 0], [0, 100]], [[80, 0], [140, 0], [100, 100]]]}),
        ]
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO(text + "\n"))
    assert predict.main(["--model", str(tiny_model_path), "--strokes", "-"]) == 1
    lines = lines_of(capsys)
    assert [line.get("line") for line in lines] == [1, 2, 4, 5, 6]
    assert {line["file"] for line in lines} == {"-"}
    assert [("error" in line) for line in lines] == [False, True, True, True, False]
    assert "not JSON" in lines[1]["error"] and "finite" in lines[2]["error"]
    two_digits = lines[4]
    assert two_digits["digit"] is None and two_digits["probabilities"] is None
    assert len(two_digits["number"]) == 2 and len(two_digits["digits"]) == 2


def test_an_unreadable_stroke_file_is_an_error_line(tmp_path, tiny_model_path, capsys):
    missing = str(tmp_path / "no.json")
    assert predict.main(["--model", str(tiny_model_path), "--strokes", missing]) == 1
    assert lines_of(capsys) == [
        {"file": missing, "error": f"cannot read: {os.strerror(errno.ENOENT)}"}
    ]


def test_a_stroke_file_not_in_utf8_is_an_error_line_that_says_why(
    tmp_path, tiny_model_path, capsys
):
    latin1 = tmp_path / "seven.json"
    latin1.write_bytes(
        json.dumps({**SEVEN, "name": "sept é"}, ensure_ascii=False).encode("latin-1")
    )
    assert predict.main(["--model", str(tiny_model_path), "--strokes", str(latin1)]) == 1
    (line,) = lines_of(capsys)
    assert line["error"].startswith("cannot read: 'utf-8' codec can't decode byte 0xe9")


def test_a_utf8_stroke_file_reads_the_same_whatever_the_locale(tmp_path, tiny_model_path, capsys):
    """JSON is UTF-8: a name with an accent in it must not depend on the user's locale."""
    stroke_file = tmp_path / "seven.json"
    stroke_file.write_text(
        json.dumps({**SEVEN, "name": "sept é"}, ensure_ascii=False), encoding="utf-8"
    )
    args = ["--model", str(tiny_model_path), "--strokes", str(stroke_file)]
    assert predict.main(args) == 0
    ascii_locale = {**os.environ, "LC_ALL": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"}
    # as the installed digits-predict script runs it (also lets mutmut reach the module)
    digits_predict = "import sys; from runtime.predict import main; sys.exit(main())"
    in_ascii_locale = subprocess.run(
        [sys.executable, "-c", digits_predict, *args],
        cwd=ROOT,
        env=ascii_locale,
        capture_output=True,
        timeout=60,
    )
    assert in_ascii_locale.returncode == 0, in_ascii_locale.stdout
    assert in_ascii_locale.stdout.decode() == capsys.readouterr().out


def test_each_answer_is_sent_before_the_next_drawing_is_read(tiny_model_path, monkeypatch):
    """A program drawing on the other end of a pipe waits for each answer before it sends the
    next drawing: an answer held in a buffer would leave both waiting."""
    sent = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(sent, encoding="utf-8"))
    seen_before_each_drawing = []

    def drawings():
        for _ in range(3):
            seen_before_each_drawing.append(sent.getvalue().count(b"\n"))
            yield json.dumps(SEVEN) + "\n"

    monkeypatch.setattr(sys, "stdin", drawings())
    assert predict.main(["--model", str(tiny_model_path), "--strokes", "-"]) == 0
    assert seen_before_each_drawing == [0, 1, 2]


def test_an_image_keeps_the_name_it_was_given(tmp_path, tiny_model_path, monkeypatch, capsys):
    drawn_png(tmp_path / "seven.png")
    monkeypatch.chdir(tmp_path)
    names = ["./seven.png", "seven.png", f"{tmp_path}//seven.png"]
    assert predict.main(["--model", str(tiny_model_path), *names]) == 0
    assert [line["file"] for line in lines_of(capsys)] == names


def test_help_says_what_to_give_and_which_model_reads_it(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "200")  # one line per option, whatever the terminal
    with pytest.raises(SystemExit) as exit_info:
        predict.main(["--help"])
    assert exit_info.value.code == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert shown.startswith(
        "usage: digits-predict [-h] [--strokes FILE] [--model MODEL] [--no-strokes] "
        "[--profile PROFILE] [--no-profile] [IMAGE ...] "
        "Read the digits in images or strokes (JSON lines on stdout). "
        "positional arguments: IMAGE "
    )
    assert (
        '--strokes FILE read {"strokes": [[[x, y], ...], ...]} from FILE, or one object a line '
        "from - (standard input), instead of images"
    ) in shown
    assert f"--model MODEL ONNX model (default: {DEFAULT_MODEL})" in shown


@pytest.mark.parametrize("args", [[], ["x.png", "--strokes", "-"]], ids=["neither", "both"])
def test_images_or_strokes_one_of_the_two(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        predict.main(args)
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.endswith(
        "digits-predict: error: give image files or --strokes FILE, not both and not neither\n"
    )


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
