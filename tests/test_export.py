"""Export: tf2onnx conversion and parity, int8 quantization, the gate, metadata, publishing."""

import shutil

import keras
import numpy as np
import onnx
import pytest
from conftest import assert_bad_option_line, data_args, disk_full_halfway

from export import pipeline
from export.__main__ import CARD_FILE, main, parse_args
from export.convert import PARITY_TOLERANCE, keras_to_onnx, parity_difference
from export.gate import GateError, check_drop
from runtime.engine import (
    CONTRACT,
    EMBEDDING_NAME,
    LOGITS_NAME,
    PAIRED_KEY,
    STROKE_CONTRACT,
    Engine,
)
from runtime.preprocess import model_batch
from training.accuracy import accuracy
from training.data import load_mnist
from training.files import sha256_of_files

FP32_FILE, INT8_FILE = (pipeline.model_file("digits", p) for p in ("fp32", "int8"))
STROKE_FP32, STROKE_INT8 = (pipeline.model_file("strokes", p) for p in ("fp32", "int8"))
PUBLISHED = (FP32_FILE, INT8_FILE, STROKE_FP32, STROKE_INT8, CARD_FILE)


@pytest.fixture(scope="module")
def mnist_test_images(mnist_path):
    data = load_mnist(mnist_path)
    return model_batch(data.x_test[:1000]), data.y_test[:1000]


def test_from_function_conversion_is_faithful_and_clean(tiny_artifacts, mnist_test_images):
    """Pins the conversion path that works with Keras 3: tf.function + tf2onnx.from_function."""
    model = keras.models.load_model(tiny_artifacts / "model.keras")
    proto = keras_to_onnx(model)

    (graph_input,) = proto.graph.input
    dims = graph_input.type.tensor_type.shape.dim
    assert graph_input.name == "image"
    assert not dims[0].HasField("dim_value")  # dynamic batch
    assert [d.dim_value for d in dims[1:]] == [28, 28, 1]
    assert {o.name for o in proto.graph.output} == {EMBEDDING_NAME, LOGITS_NAME}
    ops = {node.op_type for node in proto.graph.node}
    assert not ops & {"BatchNormalization", "Mul", "Sub"}  # folded into the convolutions
    assert not any("random" in node.name.lower() for node in proto.graph.node)
    assert parity_difference(model, proto, mnist_test_images[0]) <= PARITY_TOLERANCE


def test_export_publishes_both_models_with_metadata(tiny_export, tiny_artifacts, mnist_path):
    fp32, int8 = Engine(tiny_export / FP32_FILE), Engine(tiny_export / INT8_FILE)
    for engine, precision in ((fp32, "fp32"), (int8, "int8")):
        meta = engine.metadata
        assert {k: meta[k] for k in CONTRACT} == CONTRACT
        assert meta["precision"] == precision
        assert 0.8 < float(meta["test_accuracy"]) <= 1
        assert meta["source_keras_sha256"] == sha256_of_files([tiny_artifacts / "model.keras"])
        assert meta["training_data_sha256"].startswith(load_mnist(mnist_path).sha256)
        assert "tf2onnx 1.17" in meta["versions"]
    assert int8.metadata["quantization_quant_format"] == "QDQ"
    assert int8.metadata["quantization_calibration_images"] == "300"
    assert (tiny_export / INT8_FILE).stat().st_size < (tiny_export / FP32_FILE).stat().st_size / 2
    card = (tiny_export / CARD_FILE).read_text()
    assert f"{float(int8.metadata['test_accuracy']):.2%}" in card
    for name in PUBLISHED[:-1]:  # the sizes on the card are the published files'
        assert f"| {(tiny_export / name).stat().st_size / 1024:.1f} KiB |" in card


def test_each_image_model_is_published_with_the_stroke_model_calibrated_with_it(
    tiny_export, tiny_artifacts
):
    for image_file, stroke_file in ((FP32_FILE, STROKE_FP32), (INT8_FILE, STROKE_INT8)):
        engine = Engine(tiny_export / image_file)
        assert engine.stroke.path.name == stroke_file
        meta = engine.stroke.metadata
        assert {k: meta[k] for k in STROKE_CONTRACT} == STROKE_CONTRACT
        assert meta[PAIRED_KEY] == sha256_of_files([tiny_export / image_file])
        assert meta["source_keras_sha256"] == sha256_of_files([tiny_artifacts / "strokes.keras"])
        assert engine.fusion.weight > 0 and engine.fusion.temperature > 0
        assert 0 < engine.fused_policy.reject_at < 1 and 0 < engine.fused_policy.unsure_below < 1
        assert 0.5 < float(meta["validation_writers_accuracy"]) <= 1


def test_int8_graph_really_is_quantized(tiny_export):
    ops = {node.op_type for node in onnx.load(tiny_export / INT8_FILE).graph.node}
    assert {"QuantizeLinear", "DequantizeLinear"} <= ops


def test_gate_refuses_a_broken_calibration_and_keeps_the_old_models(
    tiny_export, tiny_artifacts, mnist_path, pen_path, letters_path, monkeypatch, capsys
):
    before = {name: (tiny_export / name).read_bytes() for name in PUBLISHED}
    from export import quantize

    real = quantize.calibration_inputs

    def nearly_blank(sources, count):
        images, trajectories = real(sources, count)
        return images * 0.02, trajectories

    # Calibrating on nearly blank images sets activation ranges far too narrow: accuracy collapses.
    monkeypatch.setattr(quantize, "calibration_inputs", nearly_blank)
    args = ["--model", str(tiny_artifacts / "model.keras"), "--calibration-images", "300"]
    args += data_args(mnist_path, pen_path, letters_path)
    assert main([*args, "--out", str(tiny_export)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("digits-export: refused: image model's int8 accuracy")
    assert error.count("\n") == 1
    assert {name: (tiny_export / name).read_bytes() for name in before} == before


def test_a_failure_while_publishing_keeps_every_previous_file_byte_identical(
    tiny_export, tiny_artifacts, mnist_path, pen_path, letters_path, tmp_path, monkeypatch, capsys
):
    out = tmp_path / "models"
    shutil.copytree(tiny_export, out)
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    exported = pipeline.Exported(
        models={name: _republished(out / name) for name in PUBLISHED[:-1]},
        gates={"image": pipeline.Gate("MNIST test", 0.9, 0.9)},
        parity={"image": 0.0},
    )
    monkeypatch.setattr(pipeline, "export_models", lambda *args: exported)
    real_save, saved = onnx.save, []

    def save_then_fill_the_disk(model, path):
        saved.append(path)
        (real_save if len(saved) == 1 else disk_full_halfway)(model, path)

    monkeypatch.setattr(onnx, "save", save_then_fill_the_disk)
    args = ["--model", str(tiny_artifacts / "model.keras"), "--out", str(out)]
    assert main([*args, *data_args(mnist_path, pen_path, letters_path)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("digits-export: error: ") and error.count("\n") == 1
    assert "No space left on device" in error
    assert len(saved) == 2  # the first model was written; the second failed halfway
    # nothing replaced, nothing added: no temporary file is left behind either
    assert {path.name: path.read_bytes() for path in out.iterdir()} == before


def test_an_unwritable_out_folder_is_an_error_before_exporting(
    tiny_artifacts, mnist_path, pen_path, letters_path, tmp_path, monkeypatch, capsys
):
    (tmp_path / "a_file").write_text("not a folder")

    def export_models(*args):
        raise AssertionError("exported although the models could not be published")

    monkeypatch.setattr(pipeline, "export_models", export_models)
    args = ["--model", str(tiny_artifacts / "model.keras"), "--out", str(tmp_path / "a_file" / "m")]
    assert main([*args, *data_args(mnist_path, pen_path, letters_path)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("digits-export: error: ") and error.count("\n") == 1
    assert "a_file" in error


def _republished(path):
    """The published model with one more metadata entry: a new file for the same model."""
    model = onnx.load(path)
    model.metadata_props.add(key="republished", value="yes")
    return model


@pytest.mark.parametrize("model", ["absent.keras", "corrupt.keras"])
def test_bad_keras_model_exits_2(tmp_path, mnist_path, capsys, model):
    (tmp_path / "corrupt.keras").write_bytes(b"PK\x03\x04 not really a zip")
    code = main(
        ["--model", str(tmp_path / model), "--data", str(mnist_path), "--out", str(tmp_path)]
    )
    assert code == 2
    error = capsys.readouterr().err
    assert error.startswith("digits-export: error: ") and error.count("\n") == 1
    assert not list(tmp_path.glob("*.onnx"))


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--max-drop", "nan"),  # switched the gate off: every comparison with NaN is false
        ("--max-drop", "inf"),
        ("--max-drop", "-0.1"),
        ("--calibration-images", "0"),
        ("--calibration-images", "many"),
    ],
)
def test_a_bad_number_is_an_argparse_error_before_any_work(tmp_path, capsys, option, value):
    with pytest.raises(SystemExit) as exit_info:
        main([option, value, "--model", str(tmp_path / "absent.keras"), "--out", str(tmp_path)])
    assert_bad_option_line(capsys, exit_info, "digits-export", option)


def test_a_max_drop_of_zero_is_taken():
    assert parse_args(["--max-drop", "0"]).max_drop == 0


def test_the_gate_fails_closed():
    check_drop(0.99, 0.99, max_drop=0)
    for fp32, int8, max_drop in (
        (0.99, 0.98, 0.5),
        (0.99, float("nan"), 1),
        (0.99, 0.99, float("nan")),
    ):
        with pytest.raises(GateError):
            check_drop(fp32, int8, max_drop)


def test_engine_predicts_real_digits_with_the_tiny_int8_model(tiny_export, mnist_test_images):
    images, labels = mnist_test_images
    probabilities = Engine(tiny_export / INT8_FILE).probabilities(images)
    assert probabilities.shape == (1000, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-5)  # a float softmax
    assert accuracy(probabilities, labels) > 0.8
    # the softmax runs in float: a quantized one could output at most 256 distinct values
    assert len(np.unique(probabilities)) > 256
