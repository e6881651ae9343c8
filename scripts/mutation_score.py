"""Publish the mutation score of the runtime modules from mutmut's own results, after a run:

    MNIST_DATA=... PENDIGITS_DATA=... LETTERS_DATA=... SDL_VIDEODRIVER=dummy \\
        .venv/bin/mutmut run --max-children 2
    .venv/bin/python scripts/mutation_score.py     # its section of EVALUATION.md, README's row

A mutant counts as killed when a test failed on it, or it ran past mutmut's time limit (an endless
loop a user would notice); the others survive, and `mutmut results` names them.
"""

import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from export.evaluation.report import Headline, Result, Table, publish  # noqa: E402

KILLED = {"killed", "timeout"}


def counts() -> dict[str, Counter]:
    listed = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "mutmut"), "results", "--all", "true"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    ).stdout
    modules: dict[str, Counter] = {}
    for line in listed.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if not name.startswith("runtime."):
            continue
        module = "runtime/" + name.split(".")[1] + ".py"
        modules.setdefault(module, Counter())[status] += 1
    return modules


def main() -> None:
    modules = counts()
    rows, total, killed = [], 0, 0
    for module, found in sorted(modules.items()):
        n, k = sum(found.values()), sum(found[s] for s in KILLED)
        total, killed = total + n, killed + k
        rows.append([f"`{module}`", str(n), f"{k / n:.1%}", str(n - k)])
    rows.append(["all", str(total), f"**{killed / total:.1%}**", str(total - killed)])
    publish(
        Result(
            name="mutation",
            title="Mutation testing",
            command="mutmut run --max-children 2 && python scripts/mutation_score.py",
            intro=(
                "mutmut changes the runtime modules one small edit at a time (a `<` for a `<=`, a "
                "dropped argument) and runs the fast runtime tests against each (`[tool.mutmut]` "
                "in pyproject.toml). A mutant is killed when a test fails on it or it runs past "
                "mutmut's time limit; `mutmut results` names the ones that survive."
            ),
            tables=[Table(["module", "mutants", "killed", "survived"], rows)],
            headline=[
                Headline(
                    "mutants of the runtime modules killed by the tests",
                    killed / total,
                    bar="mutation score",
                )
            ],
            figures={m: dict(c) for m, c in modules.items()},
        )
    )
    print(f"{killed} of {total} mutants killed ({killed / total:.1%})")


if __name__ == "__main__":
    main()
