"""What every evaluation hands back, and the one writer of it: Markdown for people (its section of
EVALUATION.md, its rows of the README's headline table) and JSON for machines.

An evaluation returns a `Result`; `publish` replaces the evaluation's own section of the
evaluation document, stores its JSON beside it, and rewrites the README's headline table from
every stored result, so no figure anywhere is pasted by hand.
"""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from export.evaluation.bars import BARS, format_value
from training.files import publish as publish_files
from training.files import text_writer

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "EVALUATION.md"
RESULTS = ROOT / "export" / "evaluation" / "results"
README = ROOT / "README.md"
HEADLINE_START, HEADLINE_END = "<!-- headline figures: start -->", "<!-- headline figures: end -->"
# The order of the evaluations in the document and in the headline table.
ORDER = (
    "pen",
    "frontier",
    "rejection",
    "numbers",
    "pictures",
    "drawn",
    "adaptation",
    "benchmark",
    "pad_figures",
    "mutation",
)
DOCUMENT_HEAD = """# Evaluation

Every table here is written by the command named under its heading (`--publish`), on the
2-core development machine, with the shipped models unless a row says otherwise. Timings on a
shared machine are noisy: each compares its variants in the same run, as medians.
"""


@dataclass(frozen=True)
class Table:
    """Rows of cells already formatted as text; the first column is a label, the rest numbers."""

    columns: list[str]
    rows: list[list[str]]

    def markdown(self) -> str:
        lines = ["| " + " | ".join(self.columns) + " |"]
        lines.append("| --- |" + " ---: |" * (len(self.columns) - 1))
        lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in self.rows]
        return "\n".join(lines)


@dataclass(frozen=True)
class Headline:
    """One figure for the README's headline table, checked against its bar (if it has one)."""

    label: str
    value: float
    unit: str = "%"
    bar: str | None = None  # a key of BARS

    def cells(self) -> list[str]:
        verdict = "" if self.bar is None else BARS[self.bar].describe(self.value)
        return [self.label, format_value(self.value, self.unit), verdict]


@dataclass
class Result:
    """An evaluation's findings: `name` is its module (`pen`, `rejection`, ...)."""

    name: str
    title: str
    command: str
    intro: str
    tables: list[Table]
    notes: list[str] = field(default_factory=list)
    headline: list[Headline] = field(default_factory=list)
    figures: dict = field(default_factory=dict)  # everything measured, for machines

    def markdown(self) -> str:
        parts = [self.intro.strip(), f"```sh\n{self.command}\n```"]
        parts += [table.markdown() for table in self.tables]
        parts += self.notes
        if self.headline:
            parts.append(
                Table(["figure", "measured", "bar"], [h.cells() for h in self.headline]).markdown()
            )
        return "\n\n".join(parts)

    def as_json(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "command": self.command,
            "headline": [asdict(h) for h in self.headline],
            "figures": self.figures,
        }


def publish(result: Result, document: Path = DOCUMENT, readme: Path = README) -> None:
    """The result's section of the document, its JSON, and the README's headline table, written
    together (each file atomically)."""
    stored = RESULTS / f"{result.name}.json"
    results = _stored_results() | {result.name: result.as_json()}
    text = document.read_text(encoding="utf-8") if document.exists() else DOCUMENT_HEAD
    writers = {
        stored: text_writer(json.dumps(result.as_json(), indent=2) + "\n"),
        document: text_writer(
            _ordered(with_section(text, result.title, result.markdown()), results)
        ),
    }
    if readme.exists():
        writers[readme] = text_writer(_with_headline(readme.read_text(encoding="utf-8"), results))
    publish_files(writers)


def with_section(document: str, title: str, body: str) -> str:
    """The document with a `## title` section holding `body`: replaced if it has it, else
    added at the end."""
    heading = f"## {title}\n"
    section = f"{heading}\n{body.strip()}\n\n"
    if heading in document:
        start = document.index(heading)
        following = document.find("\n## ", start + len(heading))
        end = len(document) if following < 0 else following + 1
        return document[:start] + section + document[end:]
    return document.rstrip("\n") + "\n\n" + section


def headline_table(results: dict[str, dict]) -> str:
    """The README's table: every stored headline figure, with the command that measured it."""
    rows = []
    for name in sorted(results, key=_rank):
        command = results[name]["command"].splitlines()[0].rstrip(" \\")
        for headline in results[name]["headline"]:
            rows.append([*Headline(**headline).cells(), f"`{command}`"])
    return Table(["figure", "measured", "bar", "command"], rows).markdown()


def _with_headline(readme: str, results: dict[str, dict]) -> str:
    if HEADLINE_START not in readme or HEADLINE_END not in readme:
        return readme
    start = readme.index(HEADLINE_START) + len(HEADLINE_START)
    end = readme.index(HEADLINE_END)
    return readme[:start] + "\n" + headline_table(results) + "\n" + readme[end:]


def _stored_results() -> dict[str, dict]:
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(RESULTS.glob("*.json"))
    }


def _ordered(document: str, results: dict[str, dict]) -> str:
    """The document's sections in ORDER (a new section lands at the end: move it)."""
    head, *sections = document.split("\n## ")
    rank = {r["title"]: _rank(name) for name, r in results.items()}
    sections.sort(key=lambda section: rank.get(section.splitlines()[0].strip(), len(ORDER)))
    return "\n## ".join([head, *sections])


def _rank(name: str) -> int:
    return ORDER.index(name) if name in ORDER else len(ORDER)
