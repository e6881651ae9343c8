"""Publishing files as a set: all new, or, if anything fails, all old, byte for byte."""

import os
import stat

import pytest
from conftest import disk_full_halfway

from training import files
from training.files import atomic_write, publish, text_writer

NAMES = ("model.onnx", "report.json", "figure.png")


@pytest.fixture
def previous(tmp_path):
    """A folder holding the previous set of files."""
    for name in NAMES:
        (tmp_path / name).write_text(f"the good old {name}")
    return tmp_path


def _contents(folder):
    return {path.name: path.read_bytes() for path in folder.iterdir()}


def test_publish_replaces_every_file_of_the_set(previous):
    publish({previous / name: text_writer(f"new {name}") for name in NAMES})
    assert _contents(previous) == {name: f"new {name}".encode() for name in NAMES}
    assert {stat.S_IMODE((previous / name).stat().st_mode) for name in NAMES} == {0o644}


def test_publish_creates_the_folder(tmp_path):
    publish({tmp_path / "new" / "report.json": text_writer("{}")})
    assert (tmp_path / "new" / "report.json").read_text() == "{}"


@pytest.mark.parametrize("failing", range(len(NAMES)))
def test_a_failure_while_writing_any_file_leaves_every_previous_file_byte_identical(
    previous, failing
):
    before = _contents(previous)
    writers = {previous / name: text_writer(f"new {name}") for name in NAMES}
    writers[previous / NAMES[failing]] = disk_full_halfway
    with pytest.raises(OSError, match="No space left on device") as error:
        publish(writers)
    assert error.value.filename == str(previous / NAMES[failing])  # the file, not a temporary
    assert _contents(previous) == before  # nothing replaced, no temporary left


def test_an_interrupted_write_leaves_the_old_file_byte_identical(tmp_path):
    target = tmp_path / "model.onnx"
    target.write_bytes(b"the good old model")

    def interrupted_halfway(tmp):
        tmp.write_bytes(b"half a new mod")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, interrupted_halfway)
    assert _contents(tmp_path) == {"model.onnx": b"the good old model"}


def test_every_file_is_on_disk_before_the_first_rename(previous, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        kind = "folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"
        events.append(f"fsync {kind}")
        real_fsync(fd)

    def replace(source, target):
        events.append("rename")
        real_replace(source, target)

    monkeypatch.setattr(files.os, "fsync", fsync)
    monkeypatch.setattr(files.os, "replace", replace)
    publish({previous / name: text_writer("new") for name in NAMES})
    assert events == ["fsync file"] * 3 + ["rename"] * 3 + ["fsync folder"]
