"""The engine's model checks and the predict CLI, with small models the tests build."""

import json
import re

import numpy as np
import pytest
from conftest import build_linear_model
from PIL import Image

from runtime import predict
from runtime.canvas import Canvas
from runtime.engine import CONTRACT, DEFAULT_MODEL, Engine, ModelError
from runtime.preprocess import to_model_input


def test_default_model_path_is_inside_the_runtime_folder():
    assert DEFAULT_MODEL.parent.parent.name == "runtime" and DEFAULT_MODEL.is_absolute()


def test_engine_predicts_a_distribution(tiny_model_path):
    prediction = Engine(tiny_model_path).predict(np.random.default_rng(1).random((28, 28)))
    assert 0 <= prediction.digit <= 9 and len(prediction.probabilities) == 10
    assert prediction.confidence == max(prediction.probabilities)
    assert sum(prediction.probabilities) == pytest.approx(1, abs=1e-5)
    assert prediction.ms > 0


def wrong_metadata(tmp_path):
    weights = np.zeros((784, 10))
    return build_linear_model(tmp_path / "m.onnx", weights, {**CONTRACT, "input_polarity": "x"})


def no_metadata(tmp_path):
    return build_linear_model(tmp_path / "m.onnx", np.zeros((784, 10)), {})


def wrong_output_size(tmp_path):
    return build_linear_model(tmp_path / "m.onnx", np.zeros((784, 12)), dict(CONTRACT))


def corrupt(tmp_path):
    (tmp_path / "m.onnx").write_bytes(np.random.default_rng(0).bytes(3000))
    return tmp_path / "m.onnx"


def truncated(tmp_path):
    good = build_linear_model(tmp_path / "good.onnx", np.zeros((784, 10)), dict(CONTRACT))
    (tmp_path / "m.onnx").write_bytes(good.read_bytes()[:1500])
    return tmp_path / "m.onnx"


BAD_MODELS = {
    "missing": (lambda p: p / "absent.onnx", "not found"),
    "corrupt": (corrupt, "cannot load model"),
    "truncated": (truncated, "cannot load model"),
    "wrong-output": (wrong_output_size, "expected one output 'probabilities'"),
    "no-metadata": (no_metadata, "not exported for this runtime"),
    "wrong-metadata": (wrong_metadata, "input_polarity='x'"),
}


@pytest.mark.parametrize("case", BAD_MODELS)
def test_bad_models_are_refused_with_a_clear_message(tmp_path, case):
    make, message = BAD_MODELS[case]
    with pytest.raises(ModelError, match=re.escape(message)):
        Engine(make(tmp_path))


@pytest.mark.parametrize("case", BAD_MODELS)
def test_predict_cli_exits_2_on_a_bad_model(tmp_path, capsys, case):
    make, _ = BAD_MODELS[case]
    assert predict.main(["--model", str(make(tmp_path)), "anything.png"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("digits-predict: error: ")
    assert captured.err.count("\n") == 1


def drawn_png(path, dark_on_light=True):
    """A '7' drawn with the pad's brush, saved like a screenshot of a drawing app."""
    canvas = Canvas((280, 280))
    canvas.begin_stroke((70, 60))
    for point in [(210, 60), (150, 150), (120, 230)]:
        canvas.extend_stroke(point)
    ink = canvas.ink()
    Image.fromarray(255 - ink if dark_on_light else ink).convert("RGB").save(path)
    return path


def test_predict_cli_reads_each_file_and_reports_bad_ones(tmp_path, tiny_model_path, capsys):
    good = drawn_png(tmp_path / "seven.png")
    drawn_png(tmp_path / "seven_inverted.png", dark_on_light=False)
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "cut.png").write_bytes(good.read_bytes()[:300])
    Image.new("L", (64, 64), 255).save(tmp_path / "blank.png")
    files = ["seven.png", "notes.txt", "missing.png", "cut.png", "blank.png", "seven_inverted.png"]

    code = predict.main(["--model", str(tiny_model_path), *(str(tmp_path / f) for f in files)])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    assert code == 1
    assert [line["file"] for line in lines] == [str(tmp_path / f) for f in files]
    by_name = dict(zip(files, lines, strict=True))
    assert set(by_name["seven.png"]) == {"file", "digit", "confidence", "probabilities"}
    assert by_name["seven.png"]["digit"] == by_name["seven_inverted.png"]["digit"]
    assert by_name["seven.png"]["probabilities"] == by_name["seven_inverted.png"]["probabilities"]
    assert "not an image" in by_name["notes.txt"]["error"]
    assert "not found" in by_name["missing.png"]["error"]
    assert "error" in by_name["cut.png"]
    assert by_name["blank.png"]["digit"] is None  # no ink: no prediction, never a guess


def test_predict_cli_exit_code_is_0_when_all_files_are_read(tmp_path, tiny_model_path, capsys):
    good = drawn_png(tmp_path / "seven.png")
    assert predict.main(["--model", str(tiny_model_path), str(good)]) == 0
    assert json.loads(capsys.readouterr().out)["digit"] in range(10)


def test_transparent_images_use_alpha_as_ink(tmp_path):
    ink = np.asarray(Image.open(drawn_png(tmp_path / "seven.png")).convert("L"))
    rgba = np.zeros((*ink.shape, 4), np.uint8)
    rgba[..., 3] = 255 - ink  # black ink on a clear background
    Image.fromarray(rgba, "RGBA").save(tmp_path / "clear.png")
    expected = to_model_input((255 - ink).astype(np.float32) / 255)
    got = to_model_input(predict.load_ink(tmp_path / "clear.png"))
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_decompression_bombs_are_refused(tmp_path):
    Image.new("1", (10_000, 10_000)).save(tmp_path / "bomb.png")  # 100 Mpx, a few kB on disk
    with pytest.raises(predict.ImageError, match="too large"):
        predict.load_ink(tmp_path / "bomb.png")
