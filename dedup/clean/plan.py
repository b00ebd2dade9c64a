"""Check a clean request and list its inputs with their output paths, before anything is written."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..core import Problem
from ..documents import STDIN, iter_input_files
from ..files import TMP_PREFIX
from ..settings import Settings

REMOVED_LOG = "removed.jsonl"


class CleanError(ValueError):
    """A clean that was refused before anything was written (the CLI exits 2)."""


@dataclass
class CleanReport:
    """What a clean wrote.  Paths in the lists are relative to ``out``, in input order."""

    out: str
    files_written: list[str] = field(default_factory=list)  # every file written, cleaned or copied
    files_copied: list[str] = field(default_factory=list)  # copied unchanged: nothing in them could be cleaned
    files_dropped: list[str] = field(default_factory=list)  # text files dropped whole as near-duplicates
    documents_dropped: int = 0
    spans_removed: int = 0  # sentences removed (dropped documents not counted)
    problems: list[Problem] = field(default_factory=list)

    @property
    def removed_log(self) -> str:
        return os.path.join(self.out, REMOVED_LOG)


@dataclass
class Input:
    path: Path
    output: str  # posix path relative to out


def _inside(child: str, parent: str) -> bool:
    return child == parent or child.startswith(parent.rstrip(os.sep) + os.sep)


def _only_temporaries(out: str) -> bool:
    """OUT holds nothing but what a killed clean left (temporaries, their directories): as good as empty."""
    for _root, _dirs, files in os.walk(out):
        if any(not name.startswith(TMP_PREFIX) for name in files):
            return False
    return True


def plan_inputs(sources: Sequence[str], out: str, settings: Settings, force: bool) -> tuple[list[Input], list[Problem]]:
    """Check the request and list the inputs with their output paths; raise CleanError on refusal."""
    if not sources:
        raise CleanError("no sources given")
    out_real = os.path.realpath(out)
    for source in sources:
        if str(source) == STDIN:
            raise CleanError("cannot clean standard input: give files or directories")
        if not os.path.exists(source):
            raise CleanError(f"{source}: no such file or directory")
        real = os.path.realpath(source)
        if os.path.isdir(source) and _inside(out_real, real):
            raise CleanError(f"output directory {out} is inside source {source}; choose an OUT outside the inputs")
        if _inside(real, out_real):
            raise CleanError(f"source {source} is inside the output directory {out}")
    if os.path.lexists(out) and not os.path.isdir(out):
        raise CleanError(f"{out} exists and is not a directory")
    if os.path.isdir(out) and not force and not _only_temporaries(out):
        raise CleanError(f"output directory {out} is not empty (use --force to write into it)")

    problems: list[Problem] = []
    inputs: list[Input] = []
    by_real: dict[str, Path] = {}
    by_output: dict[str, Path] = {}
    for source in sources:
        root = Path(source)
        for item in iter_input_files([root], problems, settings.include, settings.exclude):
            assert isinstance(item, Path)
            real = os.path.realpath(item)
            if real in by_real:
                problems.append(Problem(str(item), f"same file as {by_real[real]}; read once"))
                continue
            output = item.relative_to(root).as_posix() if root.is_dir() else item.name
            if output == REMOVED_LOG:
                raise CleanError(f"{item} would overwrite the removal log {os.path.join(out, REMOVED_LOG)}")
            if output in by_output:
                raise CleanError(
                    f"{by_output[output]} and {item} would both be written to {os.path.join(out, output)}; "
                    "clean their common parent directory instead"
                )
            by_real[real] = item
            by_output[output] = item
            inputs.append(Input(item, output))
    return inputs, problems


