"""Pen data: pendigits (our .npz and the original UCI text files) and the UNIPEN letters."""

import numpy as np
import pytest

from training.pen import (
    TEST_LETTER_SOURCES,
    TEST_WRITERS,
    TRAIN_WRITERS,
    VALIDATION_LETTER_SOURCES,
    VALIDATION_WRITERS,
    load_letters,
    load_pendigits,
)
from training.sources import PENDIGITS, DataError

UCI_TRAIN = """.INCLUDE dene.doc
.LEXICON "0" "1" "2" "3" "4" "5" "6" "7" "8" "9"
.HIERARCHY DIGIT
.SEGMENT DIGIT 0 ? "8"
.COMMENT 8 1 1
.PEN_DOWN
 267  333
 275  326
.PEN_UP
.DT 100
.SEGMENT DIGIT 1-2 ? "4"
.COMMENT 4 2 1
.PEN_DOWN
  10  400
  20  100
.PEN_UP
.DT 100
.PEN_DOWN
  30  480
.PEN_UP
.DT 100
"""
UCI_TEST = """.SEGMENT DIGIT 0 ? "7"
.COMMENT 7 1 1
.PEN_DOWN
 100  400
 300  400
 150  100
.PEN_UP
.DT 100
"""


def uci_folder(folder, train=UCI_TRAIN, test=UCI_TEST):
    (folder / "pendigits-orig.tra").write_text(train)
    (folder / "pendigits-orig.tes").write_text(test)
    return folder


def test_the_shared_npz_holds_44_writers_and_the_test_writers_digits(pen_path):
    pen = load_pendigits(pen_path)
    assert len(pen) == 10992
    assert sorted(set(pen.groups.tolist())) == list(range(1, 45))
    assert len(pen.of_groups(TEST_WRITERS)) == 3498
    assert pen.strokes[0][0].shape == (78, 2) and pen.labels[0] == 8


def test_the_writer_split_is_disjoint_and_covers_everyone():
    groups = [set(TRAIN_WRITERS), set(VALIDATION_WRITERS), set(TEST_WRITERS)]
    assert set().union(*groups) == set(range(1, 45))
    assert sum(len(g) for g in groups) == 44


def test_the_uci_files_are_read_with_y_down_and_test_writers_numbered_after_30(tmp_path):
    pen = load_pendigits(uci_folder(tmp_path))
    assert pen.labels.tolist() == [8, 4, 7]
    assert pen.groups.tolist() == [1, 2, 31]
    np.testing.assert_array_equal(pen.strokes[0][0], [[267, 500 - 333], [275, 500 - 326]])
    assert [len(s) for s in pen.strokes[1]] == [2, 1]


def test_the_uci_files_give_the_same_digits_as_our_npz(tmp_path, pen_path):
    """Write the first digits of the .npz in the UCI format: reading them back is lossless."""
    pen = load_pendigits(pen_path)

    def as_uci(indices, writer_offset):
        lines = []
        for i in indices:
            label, writer = pen.labels[i], pen.groups[i] - writer_offset
            lines += [f'.SEGMENT DIGIT 0 ? "{label}"', f".COMMENT {label} {writer} 1"]
            for stroke in pen.strokes[i]:
                lines.append(".PEN_DOWN")
                lines += [f" {int(x):4d} {500 - int(y):4d}" for x, y in stroke]
                lines += [".PEN_UP", ".DT 100"]
        return "\n".join(lines) + "\n"

    test_first = int(np.flatnonzero(pen.groups == 31)[0])
    uci = load_pendigits(uci_folder(tmp_path, as_uci(range(5), 0), as_uci([test_first], 30)))
    for mine, theirs in zip([*range(5), test_first], range(6), strict=True):
        assert uci.labels[theirs] == pen.labels[mine] and uci.groups[theirs] == pen.groups[mine]
        for a, b in zip(uci.strokes[theirs], pen.strokes[mine], strict=True):
            np.testing.assert_array_equal(a, b)


def test_letters_come_with_their_sources_and_the_held_apart_ones_exist(letters_path):
    letters = load_letters(letters_path)
    assert len(letters) == 17801
    for source in (*TEST_LETTER_SOURCES, *VALIDATION_LETTER_SOURCES):
        assert len(letters.of_groups([source])) > 100, source
    assert chr(letters.labels[0]).isalpha()


def test_without_pen_data_the_error_says_where_to_get_it(monkeypatch):
    monkeypatch.delenv(PENDIGITS.env, raising=False)
    with pytest.raises(DataError, match=f"--pen-data PATH or set {PENDIGITS.env}.*UCI") as error:
        load_pendigits(None)
    assert "\n" not in str(error.value)


def test_the_environment_variable_names_the_data(monkeypatch, pen_path):
    monkeypatch.setenv(PENDIGITS.env, str(pen_path))
    assert len(load_pendigits(None)) == 10992


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: p / "absent.npz", "not found"),
        (lambda p: (p / "bad.npz").write_bytes(b"\0" * 64) and p / "bad.npz", "cannot read"),
        (lambda p: np.savez(p / "x.npz", label=np.zeros(2)) or p / "x.npz", "missing"),
        (lambda p: (p / "pendigits-orig.tra.Z").write_bytes(b"x") and p, "gzip -d"),
        (lambda p: uci_folder(p, UCI_TRAIN.replace('? "8"', '? "eight"')), "unexpected segment"),
    ],
    ids=["missing", "corrupt", "not-pen", "compressed", "bad-segment"],
)
def test_bad_pen_data_is_one_clear_line(tmp_path, setup, message):
    with pytest.raises(DataError, match=message) as error:
        load_pendigits(setup(tmp_path))
    assert "\n" not in str(error.value)


def test_offsets_that_do_not_fit_the_points_are_refused(tmp_path, pen_path):
    with np.load(pen_path) as archive:
        arrays = dict(archive)
    arrays["stroke_offsets"] = arrays["stroke_offsets"].copy()
    arrays["stroke_offsets"][-1] += 5
    np.savez(tmp_path / "shifted.npz", **arrays)
    with pytest.raises(DataError, match="offsets do not fit"):
        load_pendigits(tmp_path / "shifted.npz")
