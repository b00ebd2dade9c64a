"""Write a cleaned copy of a corpus: later repeats taken out, every removal logged.

``clean(sources, out)`` reads the sources as ``check`` does, runs the checker
once over all of them, and writes ``out`` as a mirror of the inputs:

* **Layout.**  Each input file goes to ``out/<path relative to the source it
  came from>``; a file given directly goes to ``out/<its name>``.  Only the
  files dedup reads are mirrored (``--include``/``--exclude`` apply).  Two
  inputs that would land on one output path, or an input named
  ``removed.jsonl`` at the top of a source, are refused (``CleanError``)
  before anything is written: clean their common parent instead.

* **What is removed.**  For every repeat finding (and every claim finding
  with ``drop_claims``) the first occurrence in reading order is kept and
  every later one is removed, each sentence once even when it is in several
  findings (a repeat finding wins over a claim finding).  The occurrence
  logged as ``kept`` is always one that survives in the output: when the
  first occurrence of a repeat is itself dropped as a claim, its repeats
  point at the claim's kept sentence (reason ``claim``).

* **Whole documents** (``drop_docs``).  Documents are visited in reading
  order.  A document is a near-duplicate of an earlier *surviving* document E
  when at least ``doc_overlap`` of the characters of its eligible sentences
  (long enough to be matched, not ignored) are in repeat findings whose first
  surviving occurrence is in E, one document, not the sum over several.  It
  is dropped whole (a text file is not written, a JSON Lines record's line is
  left out) and logged as one entry, ``reason: "document"``, ``start`` 0,
  ``end`` its length, with E as ``kept`` and the ``overlap`` found.  Claims
  never make a document a duplicate: only copied wording does.  Sentence
  removal then runs over the surviving documents only, so a sentence whose
  first occurrence was in a dropped document is kept at its next occurrence.

* **Joins.**  A removed sentence goes with one of the whitespace runs around
  it: the smaller one (fewer line breaks, then shorter; the following one on
  a tie), so a sentence alone on its line takes its line with it, and
  ``A. B.\\n\\nC.`` loses `` B.`` and keeps its paragraph break.  Removed
  sentences separated only by whitespace are taken out as one block.  The
  whitespace removed is logged (``space_before``, ``space_after``), so
  ``restore`` rebuilds the original text exactly.

* **Encodings and formats.**  A text file is written in the encoding it was
  decoded from (a UTF-8 BOM is kept), so every byte outside the removals is
  unchanged; a file with nothing removed is copied byte for byte.  In JSON
  Lines only the text field of a record with removals is rewritten (the
  record is re-serialized, every other field kept); every other line,
  including lines skipped as unreadable, is copied unchanged.  Files nothing
  could be read from (binary, empty, too big, no usable record) are copied
  unchanged and reported; data is never lost.

* **removed.jsonl.**  One line per removal: ``path`` (the input), ``record``
  and ``id`` (JSON Lines), ``output`` (path inside ``out``), ``start`` and
  ``end`` (character offsets into the original decoded text, of the text
  field for JSON Lines), ``text``, ``space_before``, ``space_after``,
  ``reason`` (``repeat``, ``claim`` or ``document``) and ``kept`` (``path``,
  ``record``, ``id``, ``start``, ``end``, ``text``).  It is written last: its
  presence marks a complete run.

* **Safety.**  Inputs are only read.  ``out`` may not be inside a source nor
  contain one, may not be a file, and must be empty unless ``force``.  Every
  file is written to a temporary ``.dedup-tmp-*`` file in its target
  directory, fsynced and renamed over the target, so a run killed at any
  point leaves some complete files (and maybe temporaries, removed by the
  next ``force`` run) but never a partial file under a real name.
"""

from __future__ import annotations

import codecs
import errno
import json
import os
import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .core import Document, Finding, Problem, Sentence
from .documents import STDIN, decode_exact, encode_exact, iter_input_files, read_documents, read_file, shown
from .files import TMP_PREFIX, write_atomic
from .pipeline import check_documents, eligibility
from .contract import document_ref
from .settings import DOC_OVERLAP, JSONL_SUFFIXES, Settings

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
class _Input:
    path: Path
    output: str  # posix path relative to out


# --------------------------------------------------------------------------- planning


def _inside(child: str, parent: str) -> bool:
    return child == parent or child.startswith(parent.rstrip(os.sep) + os.sep)


def _plan(sources: Sequence[str], out: str, settings: Settings, force: bool) -> tuple[list[_Input], list[Problem]]:
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
    if os.path.isdir(out) and not force:
        with os.scandir(out) as entries:
            if any(True for _ in entries):
                raise CleanError(f"output directory {out} is not empty (use --force to write into it)")

    problems: list[Problem] = []
    inputs: list[_Input] = []
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
            inputs.append(_Input(item, output))
    return inputs, problems


# --------------------------------------------------------------------------- deciding


@dataclass
class _Removal:
    sentence: Sentence
    reason: str
    kept: Sentence


def _drop_documents(
    documents: Sequence[Document],
    sentences_by_doc: dict[int, list[Sentence]],
    repeat_of: dict[int, Finding],
    eligible: Callable[[Sentence], bool],
    doc_overlap: float,
) -> dict[int, tuple[Document, float]]:
    """id(document) → (earlier surviving document it nearly duplicates, overlap)."""
    rank = {id(d): i for i, d in enumerate(documents)}
    by_id = {id(d): d for d in documents}
    first_kept: dict[int, Sentence] = {}  # id(finding) → first occurrence in a surviving document
    dropped: dict[int, tuple[Document, float]] = {}
    for document in documents:
        sentences = sentences_by_doc.get(id(document), [])
        total = 0
        shared: Counter[int] = Counter()
        for s in sentences:
            if not eligible(s):
                continue
            total += s.end - s.start
            finding = repeat_of.get(s.index)
            kept = first_kept.get(id(finding)) if finding is not None else None
            if kept is not None:
                shared[id(kept.document)] += s.end - s.start
        if total and shared:
            best, chars = max(shared.items(), key=lambda kv: (kv[1], -rank[kv[0]]))
            if chars / total >= doc_overlap:
                dropped[id(document)] = (by_id[best], round(chars / total, 4))
                continue
        for s in sentences:
            finding = repeat_of.get(s.index)
            if finding is not None:
                first_kept.setdefault(id(finding), s)
    return dropped


def _sentence_removals(findings: Iterable[Finding], dropped: dict[int, tuple[Document, float]]) -> dict[int, _Removal]:
    """sentence index → removal; findings are taken in order, the first to claim a sentence wins."""
    from .conflicts import find_conflicts
    from .story import changes

    removals: dict[int, _Removal] = {}
    for finding in findings:
        surviving = [o for o in finding.occurrences if id(o.document) not in dropped]
        kept = surviving[0] if surviving else None
        for other in surviving[1:]:
            if other.index in removals or kept.normalized == other.normalized:
                if other.index not in removals:
                    removals[other.index] = _Removal(other, finding.kind, kept)
                continue
            # "profit rose to 93 million" is not a repeat of "... to 39 million", nor "a British ship
            # ... a French trade man" of "a French ship ... a British trade man": a near-copy whose
            # figures, dates, names or their order differ from the kept one states another fact and stays.
            if finding.kind == "claim":
                other_fact = bool(finding.conflicts and find_conflicts(kept.text, other.text))
            else:
                other_fact = bool(changes(kept.text, other.text))
            if not other_fact:
                removals[other.index] = _Removal(other, finding.kind, kept)
    # A kept sentence may itself be removed (the first of a repeat, dropped as a claim):
    # point at what really survives.  Kept sentences come earlier in reading order, so this ends.
    for removal in removals.values():
        while removal.kept.index in removals:
            further = removals[removal.kept.index]
            removal.kept = further.kept
            if further.reason == "claim":
                removal.reason = "claim"
    return removals


# --------------------------------------------------------------------------- text surgery


def _newline_weight(space: str) -> tuple[int, int]:
    return space.count("\n") + space.count("\r") - space.count("\r\n"), len(space)


def cut_spans(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The ranges actually cut for ``spans`` (sorted, disjoint): each span with its share of whitespace.

    Spans separated only by whitespace form one block; a block goes with the
    smaller of the whitespace runs around it (see the module docstring), and
    the whitespace between spans of a block goes with the span before it.
    Returns one ``(cut_start, cut_end)`` per span, in order.
    """
    spans = sorted(spans)
    cuts: list[tuple[int, int]] = []
    i = 0
    n = len(text)
    while i < len(spans):
        j = i
        while j + 1 < len(spans) and not text[spans[j][1] : spans[j + 1][0]].strip():
            j += 1
        block_start, block_end = spans[i][0], spans[j][1]
        before = block_start
        while before > 0 and text[before - 1].isspace():
            before -= 1
        after = block_end
        while after < n and text[after].isspace():
            after += 1
        at_start, at_end = before == 0, after == n
        if at_start and at_end:
            cut = (block_start, block_end)
        elif at_start:
            cut = (block_start, after)
        elif at_end:
            cut = (before, block_end)
        elif _newline_weight(text[before:block_start]) < _newline_weight(text[block_end:after]):
            cut = (before, block_end)
        else:
            cut = (block_start, after)
        for k in range(i, j + 1):
            start = cut[0] if k == i else spans[k][0]
            end = cut[1] if k == j else spans[k + 1][0]
            cuts.append((start, end))
        i = j + 1
    return cuts


def apply_cuts(text: str, cuts: Sequence[tuple[int, int]]) -> str:
    parts, pos = [], 0
    for start, end in sorted(cuts):
        parts.append(text[pos:start])
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def restore(cleaned: str, removed: Iterable[dict]) -> str:
    """The original text of one document from its cleaned text and its ``removed.jsonl`` entries.

    Exact: each entry's ``space_before + text + space_after`` goes back where it was cut.
    A dropped document's entry (``reason: "document"``) restores it from ``""``.
    """
    parts, pos, shift = [], 0, 0
    for entry in sorted(removed, key=lambda e: e["start"]):
        before, after = entry.get("space_before", ""), entry.get("space_after", "")
        at = entry["start"] - len(before) - shift
        parts.append(cleaned[pos:at])
        piece = before + entry["text"] + after
        parts.append(piece)
        pos = at
        shift += len(piece)
    parts.append(cleaned[pos:])
    return "".join(parts)


# --------------------------------------------------------------------------- writing


def _write_bytes(target: Path, data: bytes) -> None:
    write_atomic(target, data)


def _copy_file(source: Path, target: Path) -> None:
    with open(source, "rb") as src:
        write_atomic(target, lambda handle: shutil.copyfileobj(src, handle, 1 << 20))


def _remove_stale_temporaries(out: Path) -> None:
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
    raw: bytes, documents: Sequence[Document], cleaned: dict[int, str | None], entries: dict[int, list[dict]],
    dropped: set[int], settings: Settings,
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
        if id(document) in dropped:
            continue
        new_text = cleaned.get(id(document))
        if new_text is None:
            parts.append(line)
            continue
        record[settings.text_field] = _cleaned_exact(value, new_text, entries.get(id(document), []))
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
    item: _Input,
    mine: Sequence[Document],
    cleaned: dict[int, str | None],
    entries: dict[int, list[dict]],
    dropped: set[int],
    out_dir: Path,
    settings: Settings,
) -> FileOutcome:
    """Write one input's cleaned copy (or the input unchanged) into ``out_dir``.

    ``mine`` are the input's documents; ``cleaned``, ``entries`` and
    ``dropped`` are keyed by ``id(document)``.  Any process that has read the
    file can call it, which is how the Ray engine writes its shards.
    """
    outcome = FileOutcome()
    target = out_dir / item.output
    try:
        if not mine:
            _copy_file(item.path, target)
            outcome.copied = outcome.written = True
            outcome.problems.append(Problem(str(item.path), f"copied unchanged to {target}"))
            return outcome
        raw = item.path.read_bytes()
        try:
            if item.path.name.endswith(JSONL_SUFFIXES):
                data = _clean_jsonl_file(raw, mine, cleaned, entries, dropped, settings)
            else:
                (document,) = mine
                if id(document) in dropped:
                    if target.exists() or target.is_symlink():
                        target.unlink()  # a stale copy from an earlier run into this OUT
                    outcome.dropped = True
                    outcome.documents_dropped += 1
                    outcome.log_lines.extend(json.dumps(e, ensure_ascii=False) for e in entries[id(document)])
                    return outcome
                data = _clean_text_file(raw, document, cleaned.get(id(document)), entries.get(id(document), []))
        except _Changed:
            outcome.problems.append(Problem(str(item.path), "changed during the run; copied unchanged, nothing removed"))
            _write_bytes(target, raw)
            outcome.copied = outcome.written = True
            return outcome
        _write_bytes(target, data)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
            raise  # the output is unusable: stop rather than warn 500 times
        outcome.problems.append(Problem(str(item.path), f"not written: {exc.strerror or exc}"))
        return outcome
    outcome.written = True
    for document in mine:
        logged = entries.get(id(document), [])
        if id(document) in dropped:
            outcome.documents_dropped += 1
        else:
            outcome.spans_removed += len(logged)
        outcome.log_lines.extend(json.dumps(e, ensure_ascii=False) for e in logged)
    return outcome


def _write_in_worker(path: str, output: str, payload) -> FileOutcome:
    """One input's cleaned copy, written where a Ray worker runs it (``engine_ray.map_files``)."""
    cleaned_by_name, entries_by_name, out_dir, settings = payload
    documents = read_file(Path(path), settings, [])
    cleaned = {id(d): cleaned_by_name.get(d.name) for d in documents}
    entries = {id(d): entries_by_name.get(d.name, []) for d in documents}
    return write_file(_Input(Path(path), output), documents, cleaned, entries, set(), Path(out_dir), settings)


# --------------------------------------------------------------------------- the command


def clean(
    sources: Sequence[str | os.PathLike],
    out: str | os.PathLike,
    settings: Settings | None = None,
    *,
    drop_claims: bool = False,
    drop_docs: bool = False,
    force: bool = False,
    doc_overlap: float = DOC_OVERLAP,
    engine: dict | None = None,
    drop_boilerplate: bool = False,
) -> CleanReport:
    """Write a cleaned copy of ``sources`` to ``out`` and the removal log ``out/removed.jsonl``.

    Raises ``CleanError`` (nothing written) when the request is refused; input
    problems are returned in the report, as ``check`` does.  ``engine``, the
    keyword arguments of ``engine_ray.check_ray`` (``address``, ``workers``),
    runs the check on Ray and writes the files from the Ray workers; only the
    documents with removals are ever held here.  Boilerplate (house phrases,
    ``group``) is kept unless ``drop_boilerplate``; then its later
    occurrences that state the same figures as the first are removed, as
    repeats are.  A template instance with other figures is never removed.
    """
    settings = (settings or Settings()).replace(boilerplate="show" if drop_boilerplate else "hide")
    if engine is None:
        return _clean(sources, out, settings, drop_claims, drop_docs, force, doc_overlap, None)
    from .engine_ray import session

    with session(engine.get("address"), engine.get("workers", 2)):  # one Ray for the check and the writing
        return _clean(sources, out, settings, drop_claims, drop_docs, force, doc_overlap, engine)


def _clean(sources, out, settings, drop_claims, drop_docs, force, doc_overlap, engine) -> CleanReport:
    settings = settings or Settings()
    if not 0.0 < doc_overlap <= 1.0:
        raise CleanError(f"doc_overlap must be in (0, 1], got {doc_overlap}")
    sources = [os.fspath(s) for s in sources]
    out = os.fspath(out)
    inputs, problems = _plan(sources, out, settings, force)

    if engine is not None:
        if drop_docs:
            raise CleanError("--drop-docs is not supported with --engine ray yet")
        from .engine_ray import check_ray

        result = check_ray([str(i.path) for i in inputs], settings, **engine)
        documents = [d for d in result.documents if d.text]  # the documents findings name
        problems.extend(result.problems)
    else:
        documents, read_problems = read_documents([i.path for i in inputs], settings)
        problems.extend(read_problems)
        result = check_documents(documents, settings)

    sentences_by_doc: dict[int, list[Sentence]] = defaultdict(list)
    for s in result.sentences:
        sentences_by_doc[id(s.document)].append(s)
    repeats = [f for f in result.findings if f.kind == "repeat"]
    boilerplate = [f for f in result.findings if f.kind == "boilerplate"]  # only there when asked to drop it
    claims = [f for f in result.findings if f.kind == "claim"] if drop_claims else []
    dropped: dict[int, tuple[Document, float]] = {}
    if drop_docs:
        repeat_of = {o.index: f for f in repeats for o in f.occurrences}
        dropped = _drop_documents(documents, sentences_by_doc, repeat_of, eligibility(settings), doc_overlap)
    removals = _sentence_removals([*repeats, *boilerplate, *claims], dropped)

    # Per document: the cleaned text (None when nothing is removed) and its log entries.
    removals_by_doc: dict[int, list[_Removal]] = defaultdict(list)
    for removal in removals.values():
        removals_by_doc[id(removal.sentence.document)].append(removal)
    cleaned: dict[int, str | None] = {}
    entries: dict[int, list[dict]] = {}
    output_of = {str(i.path): i.output for i in inputs}
    for document in documents:
        output = output_of[document.path]
        if id(document) in dropped:
            earlier, overlap = dropped[id(document)]
            entries[id(document)] = [{
                **document_ref(document), "output": output, "start": 0, "end": len(document.text),
                "text": document.text, "space_before": "", "space_after": "", "reason": "document",
                "overlap": overlap,
                "kept": {**document_ref(earlier), "start": 0, "end": len(earlier.text), "text": earlier.text},
            }]
            cleaned[id(document)] = None
            continue
        mine = sorted(removals_by_doc.get(id(document), []), key=lambda r: r.sentence.start)
        if not mine:
            cleaned[id(document)] = None
            entries[id(document)] = []
            continue
        cuts = cut_spans(document.text, [(r.sentence.start, r.sentence.end) for r in mine])
        logged = []
        for removal, (cut_start, cut_end) in zip(mine, cuts):
            s, k = removal.sentence, removal.kept
            logged.append({
                **document_ref(document), "output": output, "start": s.start, "end": s.end, "text": s.text,
                "space_before": document.text[cut_start : s.start], "space_after": document.text[s.end : cut_end],
                "reason": removal.reason,
                "kept": {**document_ref(k.document), "start": k.start, "end": k.end, "text": k.text},
            })
        new_text = apply_cuts(document.text, cuts)
        if restore(new_text, logged) != document.text:  # the log must always undo the clean
            raise RuntimeError(f"internal error: removals in {document.name} would not restore")
        cleaned[id(document)] = new_text
        entries[id(document)] = logged

    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    if force:
        _remove_stale_temporaries(out_dir)
    report = CleanReport(out=out, problems=problems)
    docs_by_path: dict[str, list[Document]] = defaultdict(list)
    for document in documents:
        docs_by_path[document.path].append(document)
    if engine is not None:
        from .ray_cluster import map_files

        by_name = {d.name: d for d in documents}
        payload = (
            {name: cleaned[id(d)] for name, d in by_name.items() if cleaned.get(id(d)) is not None},
            {name: entries[id(d)] for name, d in by_name.items() if entries.get(id(d))},
            str(out_dir), settings,
        )
        outcomes = map_files([(str(i.path), i.output) for i in inputs], _write_in_worker, payload)
    else:
        outcomes = [
            write_file(item, docs_by_path.get(str(item.path), []), cleaned, entries, set(dropped), out_dir, settings)
            for item in inputs
        ]
    log_lines: list[str] = []
    for item, outcome in zip(inputs, outcomes):
        if outcome.written:
            report.files_written.append(item.output)
        if outcome.copied:
            report.files_copied.append(item.output)
        if outcome.dropped:
            report.files_dropped.append(item.output)
        report.documents_dropped += outcome.documents_dropped
        report.spans_removed += outcome.spans_removed
        problems.extend(outcome.problems)
        log_lines.extend(outcome.log_lines)

    _write_bytes(out_dir / REMOVED_LOG, "".join(line + "\n" for line in log_lines).encode("utf-8"))
    return report
