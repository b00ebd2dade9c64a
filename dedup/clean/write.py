"""Write one input's cleaned copy, byte for byte outside the removals; any process that read the file can."""

from __future__ import annotations

import codecs
import errno
import json
import os
import re
import shutil
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..core import Document, Problem
from ..documents import decode_exact, encode_exact, read_file, shown
from ..files import TMP_PREFIX, write_atomic
from ..settings import JSONL_SUFFIXES, Settings
from .cut import apply_cuts
from .plan import Input

def write_bytes(target: Path, data: bytes) -> None:
    write_atomic(target, data)


def copy_file(source: Path, target: Path) -> None:
    with open(source, "rb") as src:
        write_atomic(target, lambda handle: shutil.copyfileobj(src, handle, 1 << 20))


def remove_stale_temporaries(out: Path) -> None:
    for root, _dirs, files in os.walk(out):
        for name in files:
            if name.startswith(TMP_PREFIX):
                try:
                    os.unlink(os.path.join(root, name))
                except OSError:
                    pass


# JSON allows these raw inside strings, but str.splitlines (how JSON Lines are read) breaks lines at them.
_LINE_BREAKERS = re.compile("[\x85\u2028\u2029]")


def _dump_record(record, encoding: str) -> str:
    line = json.dumps(record, ensure_ascii=False)
    line = _LINE_BREAKERS.sub(lambda m: f"\\u{ord(m.group()):04x}", line)
    try:
        line.encode(encoding)
    except UnicodeEncodeError:  # escaped in the input, not representable raw in its encoding
        line = json.dumps(record, ensure_ascii=True)
    return line


class _Changed(Exception):
    """An input no longer holds the text that was checked."""


def _encode(text: str, encoding: str, raw: bytes) -> bytes:
    bom = codecs.BOM_UTF8 if encoding == "utf-8" and raw.startswith(codecs.BOM_UTF8) else b""
    return bom + encode_exact(text, encoding)


def _cleaned_exact(exact: str, cleaned: str, logged: Sequence[dict]) -> str:
    """``cleaned`` with the input's bad bytes back where they were, so they are written as they were read.

    ``cleaned`` is cut from the text every report sees (a bad byte is U+FFFD
    there); the same cuts, taken from the log, are made in the exact text.
    """
    if exact == shown(exact):
        return cleaned
    cuts = [(e["start"] - len(e["space_before"]), e["end"] + len(e["space_after"])) for e in logged]
    carried = apply_cuts(exact, cuts)
    if shown(carried) != cleaned:
        raise RuntimeError("internal error: cuts in the exact text differ from the cleaned text")
    return carried


def _clean_text_file(raw: bytes, document: Document, cleaned: str | None, logged: Sequence[dict]) -> bytes:
    exact, encoding = decode_exact(raw)
    if shown(exact) != document.text:
        raise _Changed
    return raw if cleaned is None else _encode(_cleaned_exact(exact, cleaned, logged), encoding, raw)


def _clean_jsonl_file(
    raw: bytes, documents: Sequence[Document], cleaned: Mapping[Document, str | None],
    entries: Mapping[Document, list[dict]], dropped: Collection[Document], settings: Settings,
) -> bytes:
    """Rewrite the records with removals, leave out dropped records, copy every other line as it was."""
    text, encoding = decode_exact(raw)
    by_record = {d.record: d for d in documents}
    lines = text.splitlines(keepends=True)
    parts = []
    for number, line in enumerate(lines, start=1):
        document = by_record.get(number)
        if document is None:
            parts.append(line)
            continue
        body = line.splitlines()[0]
        try:
            record = json.loads(body)
        except json.JSONDecodeError:
            raise _Changed from None
        value = record.get(settings.text_field) if isinstance(record, dict) else None
        if not isinstance(value, str) or shown(value) != document.text:
            raise _Changed
        if document in dropped:
            continue
        new_text = cleaned.get(document)
        if new_text is None:
            parts.append(line)
            continue
        record[settings.text_field] = _cleaned_exact(value, new_text, entries.get(document, []))
        parts.append(_dump_record(record, encoding) + line[len(body) :])
    if len(lines) < max(by_record, default=0):
        raise _Changed
    return _encode("".join(parts), encoding, raw)


@dataclass
class FileOutcome:
    """What writing one input file did; the caller adds it to the report in input order."""

    written: bool = False
    copied: bool = False
    dropped: bool = False
    documents_dropped: int = 0
    spans_removed: int = 0
    log_lines: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def write_file(
    item: Input,
    mine: Sequence[Document],
    cleaned: Mapping[Document, str | None],
    entries: Mapping[Document, list[dict]],
    dropped: Collection[Document],
    out_dir: Path,
    settings: Settings,
) -> FileOutcome:
    """Write one input's cleaned copy (or the input unchanged) into ``out_dir``.

    ``mine`` are the input's documents, the keys of ``cleaned`` and ``entries``
    (see ``cut.cut_documents``).  Any process that has read the file can call
    it, which is how the Ray engine writes its shards.
    """
    outcome = FileOutcome()
    target = out_dir / item.output
    try:
        if not mine:
            copy_file(item.path, target)
            outcome.copied = outcome.written = True
            outcome.problems.append(Problem(str(item.path), f"copied unchanged to {target}"))
            return outcome
        raw = item.path.read_bytes()
        try:
            if item.path.name.endswith(JSONL_SUFFIXES):
                data = _clean_jsonl_file(raw, mine, cleaned, entries, dropped, settings)
            else:
                (document,) = mine
                if document in dropped:
                    if target.exists() or target.is_symlink():
                        target.unlink()  # a stale copy from an earlier run into this OUT
                    outcome.dropped = True
                    outcome.documents_dropped += 1
                    outcome.log_lines.extend(json.dumps(e, ensure_ascii=False) for e in entries[document])
                    return outcome
                data = _clean_text_file(raw, document, cleaned.get(document), entries.get(document, []))
        except _Changed:
            outcome.problems.append(Problem(str(item.path), "changed during the run; copied unchanged, nothing removed"))
            write_bytes(target, raw)
            outcome.copied = outcome.written = True
            return outcome
        write_bytes(target, data)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
            raise  # the output is unusable: stop rather than warn 500 times
        outcome.problems.append(Problem(str(item.path), f"not written: {exc.strerror or exc}"))
        return outcome
    outcome.written = True
    for document in mine:
        logged = entries.get(document, [])
        if document in dropped:
            outcome.documents_dropped += 1
        else:
            outcome.spans_removed += len(logged)
        outcome.log_lines.extend(json.dumps(e, ensure_ascii=False) for e in logged)
    return outcome


def write_in_worker(path: str, output: str, payload) -> FileOutcome:
    """One input's cleaned copy, written where a Ray worker runs it (``engine_ray.map_files``)."""
    cleaned_by_name, entries_by_name, out_dir, settings = payload
    documents = read_file(Path(path), settings, [])
    cleaned = {d: cleaned_by_name.get(d.name) for d in documents}
    entries = {d: entries_by_name.get(d.name, []) for d in documents}
    return write_file(Input(Path(path), output), documents, cleaned, entries, (), Path(out_dir), settings)


