"""The benchmark: every way to run the model, measured in one run, on the tiny trained model."""

import json

import pytest
from conftest import data_args

from export.evaluation.benchmark import BASELINE_ROW, PAIR_ROW, main
from export.pipeline import model_file
from runtime.engine import Engine


def test_benchmark_measures_every_variant_and_writes_the_rows(
    tiny_artifacts, tiny_export, mnist_path, pen_path, letters_path, tmp_path, capsys
):
    keras_model = str(tiny_artifacts / "model.keras")
    args = ["--keras-model", keras_model, "--baseline", keras_model]
    args += ["--models-dir", str(tiny_export)]
    args += [*data_args(mnist_path, pen_path, letters_path), "--rounds", "1"]
    assert main([*args, "--json", str(tmp_path / "rows.json")]) == 0
    written = json.loads((tmp_path / "rows.json").read_text())
    rows = {row["name"]: row for row in written["figures"]["rows"]}
    shipped = {"shipped image int8 ONNX", "shipped stroke int8 ONNX", "shipped image fp32 ONNX"}
    assert {BASELINE_ROW, PAIR_ROW, *shipped, "Keras model(x)", "Keras predict"} <= set(rows)
    printed = capsys.readouterr().out
    assert all(name in printed for name in rows), printed

    # The shipped models are measured as export measured them for the gate...
    for name, precision in (
        ("shipped image fp32 ONNX", "fp32"),
        ("shipped image int8 ONNX", "int8"),
    ):
        file = tiny_export / model_file("digits", precision)
        published = float(Engine(file).metadata["test_accuracy"])
        assert rows[name]["accuracy"] == pytest.approx(published, abs=5e-5)
        assert rows[name]["size_bytes"] == file.stat().st_size
    both = [tiny_export / model_file(stem, "int8") for stem in ("digits", "strokes")]
    assert rows[PAIR_ROW]["size_bytes"] == sum(path.stat().st_size for path in both)
    assert rows[PAIR_ROW]["single_median_us"] > rows["shipped image int8 ONNX"]["single_median_us"]
    # ...Keras agrees with its fp32 export, and the baseline (here the same model) is the unit.
    assert rows["Keras predict"]["accuracy"] == pytest.approx(
        rows["shipped image fp32 ONNX"]["accuracy"], abs=0.002
    )
    assert rows[BASELINE_ROW]["ratio"] == 1.0
    assert all(row["single_median_us"] > 0 and row["throughput"] > 0 for row in rows.values())


def test_without_the_keras_model_the_shipped_onnx_models_are_still_measured(
    tiny_artifacts, tiny_export, mnist_path, pen_path, letters_path, tmp_path
):
    """A user holding only runtime/models and the baseline can still benchmark them."""
    args = ["--baseline", str(tiny_artifacts / "model.keras"), "--models-dir", str(tiny_export)]
    args += [*data_args(mnist_path, pen_path, letters_path), "--rounds", "1"]
    assert main([*args, "--json", str(tmp_path / "rows.json")]) == 0
    rows = {r["name"] for r in json.loads((tmp_path / "rows.json").read_text())["figures"]["rows"]}
    assert {BASELINE_ROW, PAIR_ROW, "shipped image int8 ONNX"} <= rows
    assert not any(name.startswith("Keras") or "LiteRT" in name for name in rows)
