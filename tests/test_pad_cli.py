"""digits-pad (`python -m runtime`): its output, its errors and what it imports."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from runtime.__main__ import main
from runtime.engine import CONTRACT
from runtime.pad import layout

ROOT = Path(__file__).resolve().parents[1]


def pad_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "runtime", *args]


def pad_env() -> dict[str, str]:
    return {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}


def signal_when_ready(model: Path, signal_number: int) -> tuple[dict, subprocess.Popen, str, str]:
    """Start the pad, read its ready line, send it a signal once it is idle: what it then did."""
    process = subprocess.Popen(
        pad_command("--print-predictions", "--model", str(model), "--size", "700x500"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=pad_env(),
        # A shell's background job ignores Ctrl+C, and children inherit that: the pad must get
        # it as a terminal user's pad does, wherever the tests run.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        ready = json.loads(process.stdout.readline())
        process.send_signal(signal_number)
        out, err = process.communicate(timeout=10)  # a hang fails here, not a timing assertion
    finally:
        process.kill()
    return ready, process, out, err


def test_cli_prints_the_ready_line_and_exits_cleanly(tiny_model_path):
    ready, process, out, err = signal_when_ready(tiny_model_path, signal.SIGTERM)  # SDL: QUIT
    canvas = list(layout((700, 500)).canvas)
    assert ready == {"event": "ready", "canvas": canvas, "model": "tiny.onnx"}
    assert (process.returncode, out, err) == (0, "", "")


def test_ctrl_c_quits_an_idle_pad_at_once_and_quietly(tiny_model_path):
    ready, process, out, err = signal_when_ready(tiny_model_path, signal.SIGINT)
    assert ready["event"] == "ready"
    assert process.returncode in (0, 130)
    assert (out, err) == ("", "")


def no_display_env(**variables: str) -> dict[str, str]:
    """The environment of an SSH session: no X11 or Wayland display, no SDL driver chosen."""
    unset = ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")
    return {
        **{name: value for name, value in os.environ.items() if name not in unset},
        "SDL_AUDIODRIVER": "dummy",
        **variables,
    }


NO_X_SERVER = ":987"  # a display number nothing listens on


@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="macOS and Windows have a display")
@pytest.mark.parametrize(
    "variables",
    [
        {},
        {"SDL_VIDEODRIVER": "x11"},
        {"SDL_VIDEODRIVER": "x11", "DISPLAY": NO_X_SERVER},
        {"DISPLAY": NO_X_SERVER},  # pygame falls back to its windowless driver
    ],
    ids=["ssh", "x11-without-display", "x11-without-server", "display-without-server"],
)
def test_without_a_display_the_pad_says_how_to_get_one(tiny_model_path, tmp_path, variables):
    # A session has XDG_RUNTIME_DIR; without it SDL's Wayland probe prints a line of its own.
    env = no_display_env(XDG_RUNTIME_DIR=str(tmp_path), **variables)
    result = subprocess.run(
        pad_command("--model", str(tiny_model_path)),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=30,  # before: an invisible window, forever
    )
    assert (result.returncode, result.stdout) == (2, "")
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("digits-pad: error: "), result.stderr
    assert "no display" in lines[0] and "Xvfb" in lines[0] and "SDL_VIDEODRIVER=dummy" in lines[0]


def wrong_signature_model(path: Path) -> Path:
    graph = helper.make_graph(
        [helper.make_node("Softmax", ["pixels"], ["scores"], axis=-1)],
        "not_digits",
        [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, ["N", 784])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["N", 784])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    helper.set_model_props(model, dict(CONTRACT))
    onnx.save(model, path)
    return path


@pytest.mark.parametrize("case", ["missing", "corrupt", "wrong-signature"])
def test_a_bad_model_is_one_error_line_and_exit_2(tmp_path, case):
    path = tmp_path / "model.onnx"
    if case == "corrupt":
        path.write_bytes(np.random.default_rng(1).bytes(4096))
    elif case == "wrong-signature":
        wrong_signature_model(path)
    result = subprocess.run(
        pad_command("--print-predictions", "--model", str(path)),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=pad_env(),
        timeout=30,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("digits-pad: error: "), result.stderr
    assert "model.onnx" in lines[0]


@pytest.mark.parametrize(
    "args", [["--size", "12"], ["--size", "100x100"], ["--brush", "2"], ["--brush", "x"]]
)
def test_bad_arguments_are_argparse_errors(args, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert "digits-pad: error: argument" in capsys.readouterr().err


def test_the_pad_never_imports_the_training_stack():
    code = (
        "import sys, runtime.__main__, runtime.pad; "
        "print(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'tensorflow', 'keras', 'onnx', 'tf2onnx', 'training', 'export'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert result.stdout.strip() == "[]"
