"""Writing a file so that a reader, or a killed run, only ever sees the old file or the whole new one.

Every file dedup writes for a user (cleaned copies, the removal log, a
baseline, a findings shard, a model stamp) goes through ``write_atomic``:
a temporary file beside the target (``TMP_PREFIX``, so a rerun recognises
and removes litter), fsynced, then renamed over the target.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import IO

TMP_PREFIX = ".dedup-tmp-"


def write_atomic(target: str | os.PathLike, content: bytes | str | Callable[[IO[bytes]], object]) -> None:
    """Write ``content`` (bytes, text as UTF-8, or a function given the binary handle) to ``target`` atomically.

    The temporary file is created exclusively with the umask's permissions,
    so the result has the permissions any new file of the user would.
    """
    target = Path(target)
    if isinstance(content, str):
        content = content.encode("utf-8")
    write = (lambda handle: handle.write(content)) if isinstance(content, bytes) else content
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = target.parent / f"{TMP_PREFIX}{secrets.token_hex(8)}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # permissions from the umask
        except FileExistsError:
            continue
        break
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
