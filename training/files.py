"""Publishing files so that an interrupted or failed run leaves the previous ones in place."""

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

Writer = Callable[[Path], None]  # writes a file at the path it is given


def publish(writers: dict[Path, Writer]) -> None:
    """Write a set of files that belong together: `{target: writer}`.

    Each writer writes a hidden temporary beside its target (on the same filesystem, so the
    rename into place is atomic), which is flushed to disk; only once every file is written are
    they renamed over their targets and the folders flushed. If a writer fails or the disk
    fills, nothing has been replaced: the previous files stay byte for byte, and no temporary is
    left behind. The renames follow each other within microseconds; a power cut between two of
    them could still leave a mix. A temporary keeps its target's suffix because some writers
    (Keras, matplotlib) choose the format from it.
    """
    staged: dict[Path, Path] = {}
    target = None
    try:
        for target, write in writers.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(
                dir=target.parent, prefix=f".{target.stem}.", suffix=target.suffix
            )
            os.close(fd)
            staged[target] = Path(name)
            write(staged[target])
            _fsync(staged[target])
            staged[target].chmod(0o644)  # mkstemp makes it private; the result is a shared file
        for target, tmp in staged.items():
            os.replace(tmp, target)
        for folder in {path.parent for path in staged}:
            _fsync_folder(folder)
    except OSError as error:  # name the file the user knows, not the temporary
        raise OSError(error.errno, error.strerror or str(error), str(target)) from error
    finally:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)


def check_writable(folder: Path) -> None:
    """Make `folder` and write a file in it: a run finds out it cannot publish before its work,
    not after."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise OSError(error.errno, error.strerror or str(error), str(folder)) from error


def text_writer(text: str) -> Writer:
    return lambda path: path.write_text(text, encoding="utf-8")


def atomic_write(path: Path, write: Writer) -> None:
    """`publish` for a single file."""
    publish({path: write})


def atomic_write_text(path: Path, text: str) -> None:
    publish({path: text_writer(text)})


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDWR)  # Windows flushes only a file opened for writing
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make the renames durable. Only POSIX can open a folder to flush it."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_of_files(paths: list[Path]) -> str:
    """One digest over the files' bytes in order: of a single file, or of a data set's files."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
