"""Check that runtime/requirements.txt installs from wheels alone on every platform we ship to.

    python scripts/check_wheels.py            # Python 3.11-3.14 x the four platforms below

For each Python version and platform, pip resolves the requirements as that machine's pip would
(`--only-binary=:all: --python-version X --implementation cp --platform TAG...`), so a missing
wheel, which would mean a compiler on the device, fails here. It runs `pip install --dry-run
--report`, the same resolver and flags as `pip download`, which reads only the wheels' metadata
instead of downloading some 60 MB per combination.

pip evaluates environment markers against the Python running it, not the target, so this script
evaluates the requirements' own markers for each target and hands pip the ones that apply.
(Markers inside the dependencies' own metadata are still pip's; none of ours use any today.)

Prints a Markdown table. Exit code 0 when every combination resolves, 1 when one does not, 2 for
bad arguments, 3 when the package index cannot be reached.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

PROG = "scripts/check_wheels.py"
REQUIREMENTS = Path(__file__).resolve().parents[1] / "runtime" / "requirements.txt"
PYTHONS = ("3.11", "3.12", "3.13", "3.14")
INDEX_URL = "https://pypi.org/simple/"
# The oldest systems we ship to. glibc 2.31: Raspberry Pi OS and Debian 11 (bullseye), Ubuntu
# 20.04. macOS 14 on Apple silicon: onnxruntime's arm64 wheels need macOS 13 up to 1.23 and 14
# since, and 1.23 has none for Python 3.14.
GLIBC = "2.31"
MACOS = "14.0"
PARALLEL = 4  # pip runs at a time: they wait on the network, not the CPU
EXIT_UNREACHABLE = 3


@dataclass(frozen=True)
class Platform:
    name: str
    sys_platform: str  # the environment markers' values there
    platform_system: str
    platform_machine: str
    os_name: str

    def tags(self, glibc: str, macos: str) -> list[str]:
        """pip's --platform values: every wheel tag such a machine installs."""
        machine = self.platform_machine.lower()
        if self.sys_platform == "linux":
            newest = int(glibc.split(".")[1])
            tags = [f"manylinux_2_{minor}_{machine}" for minor in range(newest, 4, -1)]
            return tags + [f"manylinux{year}_{machine}" for year in ("2014", "2010", "1")]
        if self.sys_platform == "darwin":
            return [f"macosx_{macos.replace('.', '_')}_{machine}"]  # pip adds older and universal2
        return ["win_amd64"]


PLATFORMS = {
    "linux-x86_64": Platform("Linux x86_64", "linux", "Linux", "x86_64", "posix"),
    "linux-aarch64": Platform(
        "Linux aarch64 (Raspberry Pi OS 64-bit)", "linux", "Linux", "aarch64", "posix"
    ),
    "macos-arm64": Platform("macOS arm64", "darwin", "Darwin", "arm64", "posix"),
    "windows-amd64": Platform("Windows amd64", "win32", "Windows", "AMD64", "nt"),
}


@dataclass(frozen=True)
class Result:
    wheels: list[str]  # the files pip chose, when it resolved
    error: str  # pip's reason, when it did not

    @property
    def cell(self) -> str:
        return "ok" if not self.error else f"**no**: {self.error}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        requirements = read_requirements(args.requirements)
    except (OSError, InvalidRequirement) as error:
        print(f"{PROG}: error: {args.requirements}: {error}", file=sys.stderr)
        return 2
    unreachable = index_unreachable(args.index_url)
    if unreachable:
        print(f"{PROG}: package index unreachable: {unreachable}", file=sys.stderr)
        return EXIT_UNREACHABLE
    combinations = [(platform, python) for platform in args.platform for python in args.python]
    with ThreadPoolExecutor(PARALLEL) as pool:
        results = dict(
            zip(
                combinations,
                pool.map(
                    lambda combination: resolve(requirements, args, *combination), combinations
                ),
                strict=True,
            )
        )
    print(table(results, args))
    return 0 if all(not result.error for result in results.values()) else 1


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("-r", "--requirements", type=Path, default=REQUIREMENTS)
    parser.add_argument("--python", action="append", help=f"(default: {', '.join(PYTHONS)})")
    parser.add_argument(
        "--platform", action="append", choices=PLATFORMS, help="(default: all of them)"
    )
    parser.add_argument("--glibc", default=GLIBC, help="Linux: newest glibc (default: %(default)s)")
    parser.add_argument("--macos", default=MACOS, help="oldest macOS (default: %(default)s)")
    parser.add_argument("--index-url", default=INDEX_URL, help="(default: %(default)s)")
    args = parser.parse_args(argv)
    args.python = args.python or list(PYTHONS)
    args.platform = [PLATFORMS[name] for name in args.platform or PLATFORMS]
    return args


def read_requirements(path: Path) -> list[Requirement]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [Requirement(line) for line in lines if line]


def for_target(requirements: list[Requirement], python: str, platform: Platform) -> list[str]:
    """The requirements that apply on the target, without their markers, for pip."""
    environment = {
        "python_version": python,
        "python_full_version": f"{python}.0",
        "implementation_name": "cpython",
        "implementation_version": f"{python}.0",
        "platform_python_implementation": "CPython",
        "sys_platform": platform.sys_platform,
        "platform_system": platform.platform_system,
        "platform_machine": platform.platform_machine,
        "os_name": platform.os_name,
    }
    chosen = []
    for requirement in requirements:
        if requirement.marker is None or requirement.marker.evaluate(environment):
            extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
            chosen.append(f"{requirement.name}{extras}{requirement.specifier}")
    return chosen


def index_unreachable(url: str) -> str:
    """Why the index cannot be reached; empty when it can."""
    try:
        with urllib.request.urlopen(url, timeout=20):
            return ""
    except urllib.error.HTTPError:
        return ""  # it answered
    except (urllib.error.URLError, OSError) as error:
        return f"{url}: {getattr(error, 'reason', error)}"


def resolve(
    requirements: list[Requirement], args: argparse.Namespace, platform: Platform, python: str
) -> Result:
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        command = [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet"]
        command += ["--ignore-installed", "--report", str(report), "--only-binary=:all:"]
        command += ["--python-version", python, "--implementation", "cp"]
        for tag in platform.tags(args.glibc, args.macos):
            command += ["--platform", tag]
        command += ["--index-url", args.index_url, *for_target(requirements, python, platform)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            return Result([], pip_reason(done.stderr))
        chosen = json.loads(report.read_text())["install"]
        return Result([item["download_info"]["url"].rsplit("/", 1)[-1] for item in chosen], "")


def pip_reason(stderr: str) -> str:
    """pip's last error line, which names what has no matching wheel."""
    errors = [
        line.removeprefix("ERROR: ") for line in stderr.splitlines() if line.startswith("ERROR")
    ]
    return errors[-1] if errors else stderr.strip().splitlines()[-1]


def table(results: dict[tuple[Platform, str], Result], args: argparse.Namespace) -> str:
    pythons = args.python
    lines = [
        f"| platform | {' | '.join(pythons)} |",
        f"| --- |{' --- |' * len(pythons)}",
    ]
    for platform in args.platform:
        cells = " | ".join(results[platform, python].cell for python in pythons)
        lines.append(f"| {platform.name} | {cells} |")
    lines.append("")
    lines.append(f"(Linux: manylinux up to glibc {args.glibc}; macOS {args.macos} or newer.)")
    for (platform, python), result in results.items():
        lines.append(
            f"- {platform.name}, Python {python}: {', '.join(result.wheels) or result.error}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
