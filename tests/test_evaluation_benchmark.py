"""The benchmark: every way to run the model, measured in one run, on the tiny trained model."""

import json

import pytest
from conftest import data_args

from export.__main__ import FP32_FILE, INT8_FILE
from export.evaluation.benchmark import BASELINE_ROW, main
from runtime.engine import Engine


def test_benchmark_measures_every_variant_and_writes_the_rows(
    tiny_artifacts, tiny_export, mnist_path, pen_path, letters_path, tmp_path, capsys
):
    keras_model = str(tiny_artifacts / "model.keras")
    args = ["--model", keras_model, "--baseline", keras_model, "--models-dir", str(tiny_export)]
    args += [*data_args(mnist_path, pen_path, letters_path), "--rounds", "1"]
    assert main([*args, "--json", str(tmp_path / "rows.json")]) == 0
    rows = {row["name"]: row for row in json.loads((tmp_path / "rows.json").read_text())}
    assert {BASELINE_ROW, "shipped int8 ONNX", "Keras model(x)", "Keras predict"} <= set(rows)
    printed = capsys.readouterr().out
    assert all(name in printed for name in rows), printed

    # The shipped models are measured as export measured them for the gate...
    for name, file in (("shipped fp32 ONNX", FP32_FILE), ("shipped int8 ONNX", INT8_FILE)):
        published = float(Engine(tiny_export / file).metadata["test_accuracy"])
        assert rows[name]["accuracy"] == pytest.approx(published, abs=5e-5)
        assert rows[name]["size_bytes"] == (tiny_export / file).stat().st_size
    # ...Keras agrees with its fp32 export, and the baseline (here the same model) is the unit.
    assert rows["Keras predict"]["accuracy"] == pytest.approx(
        rows["shipped fp32 ONNX"]["accuracy"], abs=0.002
    )
    assert rows[BASELINE_ROW]["ratio"] == 1.0
    assert all(row["single_median_us"] > 0 and row["throughput"] > 0 for row in rows.values())
