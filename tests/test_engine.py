"""The engine's model checks: what it accepts, what it refuses and how it says so."""

import re

import numpy as np
import pytest
from conftest import build_linear_model

from runtime import predict
from runtime.engine import CONTRACT, DEFAULT_MODEL, Engine, ModelError


def test_default_model_path_is_inside_the_runtime_folder():
    assert DEFAULT_MODEL.parent.parent.name == "runtime" and DEFAULT_MODEL.is_absolute()


def test_engine_reads_a_batch_in_order_as_distributions(tiny_model_path):
    images = np.random.default_rng(1).random((3, 28, 28))
    engine = Engine(tiny_model_path)
    predictions = engine.predict_batch(images)
    assert [p.digit for p in predictions] == list(engine.probabilities(images).argmax(axis=1))
    prediction = predictions[0]
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
    "wrong-output": (wrong_output_size, "expected an output 'probabilities'"),
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
