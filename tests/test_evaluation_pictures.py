"""python -m export.evaluation.pictures: the variants users' pictures come in, and the CLI."""

import json

import numpy as np
import pytest
from conftest import markdown_tables

from export.evaluation import pictures
from training.pen import TEST_WRITERS, load_pendigits


@pytest.fixture(scope="module")
def few(pen_path):
    samples = load_pendigits(pen_path).of_groups(TEST_WRITERS)
    keep = np.zeros(len(samples), bool)
    keep[:6] = True
    return samples.where(keep)


def test_each_variant_changes_the_picture_as_its_name_says(few):
    (picture,) = pictures.pen_pictures(few.strokes[:1])
    ink = (picture < 128).sum()
    assert (pictures.thick_marker(picture) < 128).sum() > ink  # grown to MARKER of its height
    tight = pictures.tight_crop(picture)
    assert (tight[0] < 128).any() and (tight[:, -1] < 128).any() and (tight < 128).sum() == ink
    for side in (16, 32):
        assert pictures.scan(side)(picture).shape == (side, side)
    assert pictures.grey_paper(picture).max() < 235 and pictures.dark_board(picture).min() >= 40
    assert np.median(pictures.dark_board(picture)) < 128  # light ink on a dark board


def test_the_cli_reads_every_variant_of_both_sets(
    few, tiny_model_path, mnist_path, pen_path, tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr(pictures, "load_pendigits", lambda data: few)
    argv = ["--model", str(tiny_model_path), "--data", str(mnist_path), "--pen-data", str(pen_path)]
    assert pictures.main([*argv, "--count", "4", "--json", str(tmp_path / "p.json")]) == 0
    table = markdown_tables(capsys.readouterr().out)[0]
    assert [row[0] for row in table[1:]] == list(pictures.VARIANTS)
    figures = json.loads((tmp_path / "p.json").read_text())["figures"]
    assert set(figures["writers 31-44"]) == set(pictures.VARIANTS)
    assert "fine pen" not in figures["MNIST test"]  # redrawn strokes: pen digits only
