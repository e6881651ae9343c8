"""The engine's model checks: what it accepts, what it refuses and how it says so."""

import re

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from conftest import build_linear_model, ticking_clock
from onnx import TensorProto, helper, numpy_helper

from runtime import engine as engine_module
from runtime import predict
from runtime.engine import CONTRACT, DEFAULT_MODEL, INPUT_NAME, LOGITS_NAME, Engine, ModelError


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


def test_a_prediction_times_the_inference_call_in_milliseconds(tiny_engine, monkeypatch):
    monkeypatch.setattr(engine_module, "time", ticking_clock(0.25))
    predictions = tiny_engine.predict_batch(np.zeros((2, 28, 28)))
    assert [p.ms for p in predictions] == [250.0, 250.0]  # the one call, for the whole batch


def test_the_session_runs_on_one_cpu_thread_and_logs_only_errors(tiny_model_path):
    """The second core is left to the pad (see `session_options`), and onnxruntime's warnings
    never reach a pad user's terminal."""
    session = Engine(tiny_model_path).session
    options = session.get_session_options()
    assert options.intra_op_num_threads == 1
    assert options.log_severity_level == 3  # onnxruntime's ERROR
    assert session.get_providers() == ["CPUExecutionProvider"]


def test_a_load_failure_without_a_message_is_named_by_its_type(tiny_model_path, monkeypatch):
    def failing(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(ort, "InferenceSession", failing)
    with pytest.raises(ModelError, match=r"^cannot load model .*tiny\.onnx: MemoryError$"):
        Engine(tiny_model_path)


def constant_model(path, inputs: list[tuple[str, int, list]]):
    """A model with these (name, element type, shape) inputs, which it ignores, and a
    constant `probabilities` output: to try the engine's signature check."""
    value = numpy_helper.from_array(np.full((1, 10), 0.1, np.float32))
    graph = helper.make_graph(
        [helper.make_node("Constant", [], [LOGITS_NAME], value=value)],
        "constant",
        [helper.make_tensor_value_info(name, kind, shape) for name, kind, shape in inputs],
        [helper.make_tensor_value_info(LOGITS_NAME, TensorProto.FLOAT, ["N", 10])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    helper.set_model_props(model, dict(CONTRACT))
    onnx.save(model, path)
    return path


IMAGE = (INPUT_NAME, TensorProto.FLOAT, ["N", 28, 28, 1])


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
    "corrupt": (corrupt, ": [ONNXRuntimeError] : 7 : INVALID_PROTOBUF : "),
    "truncated": (truncated, "cannot load model"),
    "wrong-output": (wrong_output_size, "expected an output 'logits' float [N, 10] or [N, 11]"),
    "no-metadata": (
        no_metadata,
        "not exported for this runtime's preprocessing (input_polarity=None, input_range=None,",
    ),
    "wrong-metadata": (wrong_metadata, "input_polarity='x'"),
    "no-input": (lambda p: constant_model(p / "m.onnx", []), "[N, 28, 28, 1], got none"),
    "bytes-input": (
        lambda p: constant_model(p / "m.onnx", [(INPUT_NAME, TensorProto.UINT8, ["N", 28, 28, 1])]),
        "expected one input 'image' float [N, 28, 28, 1], got 'image' tensor(uint8) ['N', 28,",
    ),
    "two-inputs": (
        lambda p: constant_model(p / "m.onnx", [IMAGE, ("size", TensorProto.FLOAT, ["N"])]),
        "got 'image' tensor(float) ['N', 28, 28, 1], 'size' tensor(float) ['N']",
    ),
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


def test_an_image_model_is_read_with_the_stroke_model_it_names(tmp_path):
    from conftest import build_model_pair

    engine = Engine(build_model_pair(tmp_path))
    assert engine.stroke is not None and engine.stroke.path.name == "strokes.int8.onnx"
    assert engine.fusion.weight == 0.8 and engine.fused_policy.reject_at == 0.5
    assert Engine(tmp_path / "digits.int8.onnx", strokes=False).stroke is None


def test_a_stroke_model_exported_with_another_image_model_is_refused(tmp_path):
    from conftest import build_model_pair

    image = build_model_pair(tmp_path, paired=False)
    with pytest.raises(
        ModelError,
        match=r"another image model than digits.*: export both together with digits-export$",
    ):
        Engine(image)


def test_a_stroke_model_of_another_contract_is_refused_at_load(tmp_path):
    from conftest import build_model_pair

    image = build_model_pair(tmp_path, {"trajectory_points": "32"})
    with pytest.raises(ModelError, match=r"strokes\.int8\.onnx was not exported .*points='32'"):
        Engine(image)


def test_a_missing_stroke_model_is_named(tmp_path):
    from conftest import build_model_pair

    image = build_model_pair(tmp_path)
    (tmp_path / "strokes.int8.onnx").unlink()
    with pytest.raises(ModelError, match=r"stroke model strokes\.int8\.onnx, which is not beside"):
        Engine(image)


def test_a_stroke_model_without_its_fusion_is_refused(tmp_path):
    from conftest import build_model_pair

    image = build_model_pair(tmp_path, {"fusion_weight": "-1"})
    with pytest.raises(ModelError, match="fusion_weight is '-1', not a positive number"):
        Engine(image)


def test_drawings_with_trajectories_are_read_by_both_models_combined(tmp_path):
    from conftest import build_model_pair

    from runtime.fusion import log_classes

    engine = Engine(build_model_pair(tmp_path))
    rng = np.random.default_rng(0)
    images, paths = rng.random((3, 28, 28)), rng.random((3, 64, 7))
    readout = engine.read(images, paths)
    fused = engine.decide(readout)
    alone = engine.predict_batch(images)
    image, stroke = readout.image, readout.stroke
    both = log_classes(image.probabilities, image.not_digit) + 0.8 * log_classes(
        stroke.probabilities, stroke.not_digit
    )
    expected = np.exp(both) / np.exp(both).sum(axis=1, keepdims=True)
    for prediction, row in zip(fused, expected, strict=True):
        assert prediction.not_digit == pytest.approx(row[10], rel=1e-5)
        np.testing.assert_allclose(prediction.probabilities, row[:10] / row[:10].sum(), rtol=1e-5)
    assert all(p.rejected == (p.not_digit >= 0.5) for p in fused)
    assert all(p.rejected == (p.not_digit >= 0.5) for p in alone)


def test_the_softmax_divides_the_logits_by_the_model_s_temperature(tmp_path):
    weights = np.random.default_rng(2).normal(0, 1, (784, 10))
    plain = Engine(build_linear_model(tmp_path / "a.onnx", weights, dict(CONTRACT)))
    warm = build_linear_model(tmp_path / "b.onnx", weights, {**CONTRACT, "temperature": "2"})
    image = np.random.default_rng(3).random((1, 28, 28))
    logits = plain.image.session.run(
        None, {INPUT_NAME: image.reshape(1, 28, 28, 1).astype(np.float32)}
    )[0]
    expected = np.exp(logits / 2) / np.exp(logits / 2).sum()
    np.testing.assert_allclose(Engine(warm).probabilities(image), expected, rtol=1e-5)
    bad = build_linear_model(tmp_path / "c.onnx", weights, {**CONTRACT, "temperature": "0"})
    with pytest.raises(ModelError, match="temperature is '0', not a positive number"):
        Engine(bad)
