"""The predict CLI: one JSON line per file, bad files reported, polarity and alpha handled."""

import json

import numpy as np
import pytest
from conftest import drawn_png
from PIL import Image

from runtime import predict
from runtime.preprocess import to_model_input


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
