"""The evaluations' one report writer: Markdown for the document and the README, JSON stored."""

import json

import pytest

from export.evaluation import report
from export.evaluation.bars import BARS, Bar
from export.evaluation.report import Headline, Result, Table, with_section


def a_result(name: str, value: float, title: str = "Pen") -> Result:
    return Result(
        name=name,
        title=title,
        command=f"python -m export.evaluation.{name} --publish",
        intro="What was measured.",
        tables=[Table(["", "path"], [["all", f"{value:.2%}"]])],
        headline=[Headline("writers 31-44, stroke path", value, bar="pen: stroke path")],
        figures={"accuracy": value},
    )


def test_a_table_is_markdown_with_numbers_right_aligned():
    table = Table(["kind", "count", "share"], [["letters", "3", "93.8%"]])
    assert table.markdown().splitlines() == [
        "| kind | count | share |",
        "| --- | ---: | ---: |",
        "| letters | 3 | 93.8% |",
    ]


def test_a_headline_says_whether_its_bar_is_met():
    assert Headline("x", 0.9935, bar="pen: stroke path").cells() == [
        "x",
        "99.35%",
        "at least 99.3%: met",
    ]
    assert Headline("y", 6.2, "ms", "six-digit number on screen").cells()[2] == (
        "at most 5 ms: **not met**"
    )
    assert Bar(0.5).met(0.5) and not Bar(0.5, at_least=False).met(0.51)
    assert all(bar.limit > 0 for bar in BARS.values())


def test_a_section_is_added_once_and_then_replaced():
    document = "# Evaluation\n\nintro\n"
    once = with_section(document, "Pen", "| table 1 |")
    twice = with_section(with_section(once, "Rejection", "| r |"), "Pen", "| table 2 |")
    assert twice.count("## Pen") == 1 and "| table 2 |" in twice and "| table 1 |" not in twice
    assert twice.index("## Pen") < twice.index("## Rejection")


@pytest.fixture
def places(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "RESULTS", tmp_path / "results")
    document, readme = tmp_path / "EVALUATION.md", tmp_path / "README.md"
    readme.write_text(
        f"# digits\n\n{report.HEADLINE_START}\nold figures\n{report.HEADLINE_END}\n\nmore\n"
    )
    return document, readme


def test_publishing_writes_the_section_the_result_and_the_readme_s_headline_table(places):
    document, readme = places
    report.publish(a_result("pen", 0.9935), document, readme)
    report.publish(a_result("rejection", 0.95, "Rejection"), document, readme)
    report.publish(a_result("pen", 0.9901), document, readme)  # measured again: replaced
    text = document.read_text()
    assert text.startswith("# Evaluation") and text.count("## Pen") == 1 and "99.01%" in text
    assert text.index("## Pen") < text.index("## Rejection")  # in the evaluations' order
    stored = json.loads((report.RESULTS / "pen.json").read_text())
    assert stored["figures"] == {"accuracy": 0.9901}
    lines = readme.read_text().splitlines()
    table = lines[lines.index(report.HEADLINE_START) + 1 : lines.index(report.HEADLINE_END)]
    assert table[0] == "| figure | measured | bar | command |"
    assert table[2].startswith(
        "| writers 31-44, stroke path | 99.01% | at least 99.3%: **not met**"
    )
    assert table[2].endswith("| `python -m export.evaluation.pen --publish` |")
    assert len(table) == 4 and lines[-1] == "more"
