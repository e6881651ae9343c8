"""scripts/check_wheels.py: runtime/requirements.txt installs from wheels alone for Python
3.11-3.14 on every platform we ship to. That part needs the package index: without it the test is
skipped, saying why."""

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "check_wheels.py"


@pytest.fixture(scope="module")
def check_wheels():
    spec = importlib.util.spec_from_file_location("check_wheels", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


@pytest.mark.parametrize(
    ("python", "pygame"), [("3.11", "pygame"), ("3.13", "pygame"), ("3.14", "pygame-ce")]
)
def test_each_python_gets_the_pygame_that_has_wheels_for_it(check_wheels, python, pygame):
    requirements = check_wheels.read_requirements(check_wheels.REQUIREMENTS)
    for platform in check_wheels.PLATFORMS.values():
        chosen = [
            Requirement(line).name
            for line in check_wheels.for_target(requirements, python, platform)
        ]
        assert chosen == ["onnxruntime", "numpy", pygame, "pillow"], platform.name


def test_the_runtime_extra_is_requirements_txt(check_wheels):
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extra = extra["optional-dependencies"]["runtime"]
    listed = check_wheels.read_requirements(check_wheels.REQUIREMENTS)
    assert sorted(str(Requirement(line)) for line in extra) == sorted(map(str, listed))


def check(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, str(SCRIPT), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


def test_an_unreachable_index_is_its_own_exit_code_with_the_reason(check_wheels):
    result = check("--index-url", "http://127.0.0.1:9/simple/")  # the discard port: refused
    assert (result.returncode, result.stdout) == (check_wheels.EXIT_UNREACHABLE, "")
    assert result.stderr.startswith("scripts/check_wheels.py: package index unreachable: ")
    assert len(result.stderr.splitlines()) == 1


def test_requirements_resolve_to_wheels_for_every_python_and_platform(check_wheels):
    result = check()
    if result.returncode == check_wheels.EXIT_UNREACHABLE:
        pytest.skip(result.stderr.strip())
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for platform in check_wheels.PLATFORMS.values():
        assert f"| {platform.name} | ok | ok | ok | ok |" in lines, result.stdout
