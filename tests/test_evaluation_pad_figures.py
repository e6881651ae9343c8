"""python -m export.evaluation.pad_figures: it measures every figure the README quotes, on the
real pad, without TensorFlow. The values are the machine's; only the table's shape is checked."""

import re
import subprocess
import sys
from pathlib import Path

from conftest import markdown_tables

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--runs", "1", "--idle-seconds", "1", "--drawings", "2", "--strokes", "3"]
TINY += ["--samples", "2", "--wake-samples", "2", "--numbers", "2"]
ROWS = [
    r"process start to the `ready` event \(1 runs\)",
    r"CPU while idle \(1 s, 1 runs\)",
    r"stroke end to prediction, \d+ strokes in 2 drawings of 1-3 strokes, \d+x\d+ px canvas",
    r"stroke end to prediction, on a canvas holding 3 strokes \(2 strokes\)",
    r"undo to prediction, on a canvas holding 3 strokes \(2 undos\)",
    r"first event after idling, posted to handled \(2 key presses after .* idle\)",
    r"last stroke end of a six-digit number to the number on screen \(2 numbers of 6-12 strokes\)",
]


def figures(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "export.evaluation.pad_figures", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=300)


def test_prints_a_row_for_every_figure_on_the_shipped_model():
    result = figures(*TINY)
    assert result.returncode == 0, result.stderr
    table, headline = markdown_tables(result.stdout)
    assert table[0] == ["measured", "value"]
    rows = table[1:]
    assert len(rows) == len(ROWS)
    for (label, value), pattern in zip(rows, ROWS, strict=True):
        assert re.fullmatch(pattern, label), label
        assert re.match(r"median \d+\.\d+ ?(s|ms|%)", value), value
    assert [row[0] for row in headline[1:]] == [
        "six-digit number on screen, median",
        "stroke end on 2000 strokes against a fresh canvas",
        "pad idle CPU, median",
        "first event after idling, median",
    ]


def test_a_bad_model_is_one_error_line():
    result = figures("--model", "missing.onnx", *TINY)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("python -m export.evaluation.pad_figures: error: model file")
    assert len(result.stderr.splitlines()) == 1


def test_it_never_imports_the_training_stack():
    """Nor onnx: the pad runs without it, and so is measured without it."""
    code = (
        "import sys, export.evaluation.pad_figures; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'tensorflow', 'keras', 'onnx'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "[]"
