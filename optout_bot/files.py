"""Private files: folders only their owner can enter, files written atomically with mode 0600."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def private_dir(path: Path) -> Path:
    """Create a folder only its owner can enter, and so any folder above it that it creates. A
    folder that exists is left as the person made it (it may be their home folder); the files
    written into it are 0600 all the same."""
    if not path.is_dir():
        for folder in [*reversed(path.parents), path]:
            if not folder.is_dir():
                folder.mkdir(mode=0o700)
                os.chmod(folder, 0o700)  # mkdir's mode is filtered by the umask
    return path


def open_to_others(path: Path) -> int | None:
    """The folder's mode when others may open it (the files in it stay 0600, but their names show
    in a listing); None when it is private or not there."""
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        return None
    return mode if mode & 0o077 else None


def check_writable(path: Path) -> None:
    """Raise OSError unless files can be written in `path` (created private if missing)."""
    os.unlink(_private_temp(private_dir(path), ".check", b""))


def _private_temp(folder: Path, suffix: str, data: bytes) -> str:
    """`data` in a new file of `folder`, mode 0600 from the start, flushed to disk."""
    # Not ending in `suffix`: one left by a crash is never listed as what it was to become.
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=suffix + ".part")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def write_new(folder: Path, stem: str, suffix: str, data: bytes) -> Path:
    """Write `data` under a name not yet taken, atomically, mode 0600; an earlier file is never replaced."""
    tmp = _private_temp(folder, suffix, data)
    try:
        for n in range(1, 1000):
            final = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
            try:
                os.link(tmp, final)  # fails if the name exists: no overwrite, no half-written file
                return final
            except FileExistsError:
                continue
            except OSError:  # no hard links here (FAT, some network shares): claim the name, then write
                try:
                    fd = os.open(final, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                except FileExistsError:
                    continue
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                return final
        raise FileExistsError(f"no free name for {stem}{suffix} in {folder}")
    finally:
        os.unlink(tmp)


def replace_private(path: Path, data: bytes) -> None:
    """Atomically replace `path` (mode 0600): for files that are meant to be rewritten, such as .env."""
    tmp = _private_temp(path.parent, path.suffix, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
