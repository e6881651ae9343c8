"""export.evaluation.adaptation: enrolment and correction streams, through predict's code."""

import numpy as np
import pytest

from export.evaluation import adaptation
from runtime.engine import Engine
from training.pen import load_pendigits


@pytest.fixture(scope="module")
def writer(pen_path):
    """Validation writer 28's 1s, some of which the models read as 7s, and three of each other
    digit."""
    samples = load_pendigits(pen_path).of_groups([28])
    keep = samples.labels == 1
    for digit in range(10):
        keep[np.flatnonzero(samples.labels == digit)[:3]] = True
    return samples.where(keep)


def test_a_stream_corrects_what_it_misreads_and_the_profile_then_reads_better(writer):
    engine = Engine()
    rng = np.random.default_rng(0)
    order = np.argsort(writer.labels != 1, kind="stable")  # the 1s first
    without, with_profile = adaptation.stream(engine, writer, order, "corrections only", rng)
    assert without >= 2 and with_profile < without


def test_enrolment_learns_k_of_each_digit_then_reads_the_rest(writer):
    digits, without, with_profile = adaptation.enrolment(
        Engine(), writer, 1, np.random.default_rng(0)
    )
    assert digits == len(writer) - 10 and with_profile <= without


def test_a_label_line_is_answered_before_it_is_learned(writer):
    from runtime.profile import Profile
    from runtime.reader import Reader

    engine = Engine()
    reader = Reader(engine, Profile(engine.model_id))
    answer = adaptation.read(reader, writer.strokes[0], int(writer.labels[0]))
    assert "error" not in answer and len(reader.profile) == 1
