"""python -m export.evaluation.frontier: a row per set of models, measured when added."""

import numpy as np

from export.evaluation import frontier, pen
from runtime.engine import Engine
from training.pen import TEST_WRITERS, load_pendigits


def test_a_row_measures_both_paths_mnist_size_and_cost(
    tiny_model_path, pen_path, mnist_path, monkeypatch
):
    from training.data import load_mnist

    samples = load_pendigits(pen_path).of_groups(TEST_WRITERS)
    keep = np.zeros(len(samples), bool)
    keep[:5] = True
    monkeypatch.setattr(pen, "styled", lambda s: ([], np.array([], int), []))
    engine = Engine(tiny_model_path)
    row = frontier.measure_row(engine, engine, samples.where(keep), load_mnist(mnist_path))
    assert 0 <= row["stroke path"] <= 1 and 0 <= row["image path"] <= 1
    assert row["size"] == tiny_model_path.stat().st_size
    assert row["per digit us"] > 0 and row["baseline us"] > 0
    table = frontier.result({"tiny": row}).tables[0]
    assert table.rows[0][0] == "tiny" and table.rows[0][-1].endswith("x")
