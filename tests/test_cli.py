"""The CLI helper: errors as one stderr line with the right exit code, and the argument types."""

import argparse
import errno
import os
import subprocess
import sys
import textwrap

import pytest
from conftest import REPO

from runtime import cli
from runtime.errors import DigitsError, ModelError, Refusal


def _raise(error: Exception):
    def body():
        raise error

    return body


@pytest.mark.parametrize(
    ("error", "code", "line"),
    [
        (DigitsError("no such data"), 2, "prog: error: no such data"),
        (ModelError("not a digits model"), 2, "prog: error: not a digits model"),
        (Refusal("int8 lost too much"), 1, "prog: refused: int8 lost too much"),
        (
            OSError(errno.ENOSPC, "No space left on device", "out/model.keras"),
            2,
            "prog: error: out/model.keras: No space left on device",
        ),
    ],
)
def test_an_error_the_user_can_cause_is_one_stderr_line_and_an_exit_code(capsys, error, code, line):
    assert cli.run("prog", _raise(error)) == code
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", line + "\n")


@pytest.mark.parametrize(("returned", "code"), [(None, 0), (0, 0), (1, 1)])
def test_the_body_chooses_the_exit_code_when_it_finishes(returned, code):
    """digits-predict finishes every file and then exits 1 if any of them failed."""
    assert cli.run("prog", lambda: returned) == code


def test_a_programming_error_still_raises():
    with pytest.raises(KeyError):
        cli.run("prog", _raise(KeyError("bug")))


@pytest.mark.parametrize("more_lines", [1, 100_000])
def test_a_reader_that_closes_stdout_early_ends_the_run_quietly(more_lines):
    """One more line stays in the buffer until the end; many more fill it while the body runs."""
    program = textwrap.dedent(
        f"""
        import sys
        from runtime import cli

        def body():
            print("first", flush=True)
            sys.stdin.readline()  # until the reader has gone
            for line in range({more_lines}):
                print(line)

        sys.exit(cli.run("prog", body))
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", program],
        cwd=REPO,
        env={k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout.readline() == b"first\n"
    process.stdout.close()  # as `| head -1` does
    process.stdin.write(b"go\n")
    process.stdin.close()
    assert process.wait(timeout=60) == 0
    assert process.stderr.read() == b""


INTEGERS = [
    (cli.positive_int, "1", 1),
    (cli.positive_int, "0", None),
    (cli.positive_int, "-3", None),
    (cli.positive_int, "2.5", None),
    (cli.positive_int, "ten", None),
    (cli.non_negative_int, "0", 0),
    (cli.non_negative_int, "-1", None),
    (cli.integer(0, 9), "9", 9),
    (cli.integer(0, 9), "10", None),
    (cli.seed, "4294967295", 2**32 - 1),
    (cli.seed, "4294967296", None),
]


@pytest.mark.parametrize(("parse", "text", "value"), INTEGERS)
def test_integer_types(parse, text, value):
    _check(parse, text, value)


NUMBERS = [
    (cli.fraction, "0", 0.0),
    (cli.fraction, "0.25", 0.25),
    (cli.fraction, "1", None),
    (cli.fraction, "-0.1", None),
    (cli.fraction, "nan", None),
    (cli.number(0, above=True), "1e-9", 1e-9),
    (cli.number(0, above=True), "0", None),
    (cli.number(0, above=True), "inf", None),
    (cli.number(0, above=True), "-inf", None),
    (cli.number(0), "0", 0.0),
    (cli.number(0), "NaN", None),
    (cli.number(0.01, 0.3), "0.3", 0.3),
    (cli.number(0.01, 0.3), "0.31", None),
    (cli.number(0.01, 0.3), "thin", None),
]


@pytest.mark.parametrize(("parse", "text", "value"), NUMBERS)
def test_number_types_take_finite_numbers_in_their_range_only(parse, text, value):
    _check(parse, text, value)


def _check(parse, text, value):
    if value is None:
        with pytest.raises(argparse.ArgumentTypeError, match=f"got '{text}'"):
            parse(text)
    else:
        assert parse(text) == value
