"""Turn paths, directories and standard input into decoded documents.

Bad input never stops a run: each file that cannot be used becomes a
``Problem`` (printed by the CLI as a one-line warning) and the rest goes on.
Inputs are only ever opened for reading.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from fnmatch import fnmatchcase
from pathlib import Path

from .core import Document, Problem
from .settings import EXCLUDE, INCLUDE, JSONL_SUFFIXES, PARQUET_SUFFIXES, Settings

STDIN = "-"
JSONL_WARNINGS_PER_FILE = 5
_BINARY_SNIFF_BYTES = 8192


def decode(data: bytes) -> tuple[str, str]:
    """The text dedup reads from ``data`` and the encoding it came in (see ``decode_exact``).

    Bytes that are not valid UTF-8 in a UTF-8 file show as U+FFFD, one per
    byte, so offsets agree with ``decode_exact`` and every report can print it.
    """
    text, encoding = decode_exact(data)
    return shown(text), encoding


def decode_exact(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-16 (with its BOM), UTF-8 (BOM allowed), else Windows-1252, else Latin-1.

    ``encode_exact`` turns the text back into exactly ``data``.  A file that is
    UTF-8 but for a few bad bytes (a truncated copy, one corrupted character)
    stays UTF-8, its bad bytes kept as surrogate escapes: decoding the whole
    file as cp1252 would turn every accented letter and curly quote into
    mojibake.  A file with more bad bytes than valid multi-byte characters is
    not UTF-8 at all.  cp1252 comes before latin-1 because real news text that
    is not UTF-8 is almost always Windows-encoded: its 0x80-0x9F bytes are
    curly quotes, dashes and the euro sign, which latin-1 would turn into
    control characters.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    escaped = data.decode("utf-8-sig", "surrogateescape")
    bad = bad_byte_count(escaped)
    if sum(1 for ch in escaped if ch > "\x7f") - bad > bad:
        return escaped, "utf-8"
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def encode_exact(text: str, encoding: str) -> bytes:
    """The bytes ``decode_exact`` read ``text`` from (bad UTF-8 bytes included); a BOM is the caller's."""
    return text.encode(encoding, "surrogateescape")


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # surrogateescape's range
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # also from a JSON "\\udXXX" escape; no terminal prints one


def bad_byte_count(text: str) -> int:
    """How many bytes of a ``decode_exact`` text were not valid UTF-8."""
    return len(_ESCAPED_BYTE.findall(text))


def shown(text: str) -> str:
    """``text`` with each escaped bad byte (or other lone surrogate) as U+FFFD: what reports, matching and the index see."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def bad_utf8_offset(data: bytes) -> int:
    """Byte offset of the first invalid UTF-8 sequence (-1 if none)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    return -1


def looks_binary(data: bytes) -> bool:
    """A NUL byte in the first few KB: text formats we read never contain one (UTF-16, with its BOM, is text)."""
    return data[:2] not in (b"\xff\xfe", b"\xfe\xff") and b"\x00" in data[:_BINARY_SNIFF_BYTES]


def _wanted(relative: str, include: Sequence[str], exclude: Sequence[str]) -> bool:
    """Glob match on the path relative to the walked directory and on the bare name."""
    name = relative.rsplit("/", 1)[-1]
    if any(fnmatchcase(relative, g) or fnmatchcase(name, g) for g in exclude):
        return False
    return any(fnmatchcase(relative, g) or fnmatchcase(name, g) for g in include)


def iter_input_files(
    paths: Iterable[str | os.PathLike],
    problems: list[Problem],
    include: Sequence[str] = INCLUDE,
    exclude: Sequence[str] = EXCLUDE,
) -> Iterator[Path | str]:
    """Expand directories (recursively, sorted, hidden entries skipped) into files.

    A file named explicitly is always read; inside directories only files
    matching ``include`` and not ``exclude`` are (globs, case-sensitive, as on
    the file systems news archives live on; by default .txt, .md, .jsonl).
    """
    seen: set[Path] = set()

    def first_naming(path: Path) -> bool:
        # One file is one document however many times or ways it is named (x.txt, ./x.txt, a directory
        # holding it): otherwise it would be reported as a repeat of itself.
        resolved = path.resolve()
        if resolved in seen:
            return False
        seen.add(resolved)
        return True

    for raw in paths:
        if str(raw) == STDIN:
            yield STDIN
            continue
        path = Path(raw)
        if path.is_dir():
            found = False
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    full = Path(root) / name
                    if name.startswith(".") or not _wanted(full.relative_to(path).as_posix(), include, exclude):
                        continue
                    found = True
                    if not full.is_file():
                        # A FIFO, socket or device inside a directory would block or never end a read.
                        problems.append(Problem(str(full), "skipped: not a regular file"))
                        continue
                    if first_naming(full):
                        yield full
            if not found:
                problems.append(Problem(str(path), f"no files matching {', '.join(include)} in this directory"))
        elif path.exists():
            if first_naming(path):
                yield path
        else:
            problems.append(Problem(str(path), "no such file or directory"))


def read_documents(
    paths: Iterable[str | os.PathLike], settings: Settings | None = None, *, stdin=None
) -> tuple[list[Document], list[Problem]]:
    """Read every input into documents; return them with the problems met on the way."""
    settings = settings or Settings()
    problems: list[Problem] = []
    documents: list[Document] = []
    for item in iter_input_files(paths, problems, settings.include, settings.exclude):
        if item == STDIN:
            stream = stdin if stdin is not None else sys.stdin.buffer
            data = stream.read()
            if isinstance(data, str):
                data = data.encode("utf-8")
            documents.extend(_documents_from_bytes("<stdin>", data, problems, settings, jsonl=False))
            continue
        documents.extend(read_file(item, settings, problems))
    return documents, problems


def without_drafts(references: list[Document], drafts: Sequence[Document]) -> list[Document]:
    """References less any file that is also a draft: a draft is never checked against itself."""
    named = {(Path(d.path).resolve(), d.record) for d in drafts if d.path != "<stdin>"}
    return [r for r in references if (Path(r.path).resolve(), r.record) not in named]


def read_file(path: Path, settings: Settings, problems: list[Problem]) -> list[Document]:
    """The documents of one input file; both engines read a file through here.

    Text and JSON Lines files are decoded as described above; a Parquet
    file (a shard of a dataset) gives one document per row with a string
    ``text_field``, ``record`` being the 1-based row.
    """
    name = str(path)
    try:
        size = path.stat().st_size
        if size > settings.max_file_bytes and not name.endswith(PARQUET_SUFFIXES):
            problems.append(Problem(name, f"skipped: {size:,} bytes is over the {settings.max_file_bytes:,}-byte limit"))
            return []
        if name.endswith(PARQUET_SUFFIXES):
            return _parquet_documents(name, path, problems, settings)
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(name, f"unreadable: {exc.strerror or exc}"))
        return []
    return _documents_from_bytes(name, data, problems, settings, jsonl=name.endswith(JSONL_SUFFIXES))


def _parquet_documents(name: str, path: Path, problems: list[Problem], settings: Settings) -> list[Document]:
    try:
        import pyarrow.parquet as pq  # the `ray` extra; only Parquet inputs need it
    except ImportError:
        problems.append(Problem(name, "skipped: reading Parquet needs pyarrow (pip install 'dedup[ray]')"))
        return []
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        problems.append(Problem(name, f"skipped: not a readable Parquet file ({exc})"))
        return []
    if settings.text_field not in table.column_names:
        problems.append(Problem(name, f"skipped: no column {settings.text_field!r}"))
        return []
    ids = None
    if settings.id_field and settings.id_field in table.column_names:
        ids = table.column(settings.id_field).to_pylist()
    documents = []
    for row, value in enumerate(table.column(settings.text_field).to_pylist()):
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(f"{name}:{row + 1}", f"skipped: empty or missing {settings.text_field!r}"))
            continue
        doc_id = None if ids is None or ids[row] is None else str(ids[row])
        documents.append(Document(path=name, text=value, encoding="utf-8", record=row + 1, id=doc_id))
    return documents


def _documents_from_bytes(
    name: str, data: bytes, problems: list[Problem], settings: Settings, *, jsonl: bool
) -> list[Document]:
    if looks_binary(data):
        problems.append(Problem(name, "skipped: binary file (contains NUL bytes)"))
        return []
    exact, encoding = decode_exact(data)
    if encoding not in ("utf-8", "utf-16"):
        problems.append(Problem(name, f"not valid UTF-8; decoded as {encoding} "
                                      f"(first bad byte at offset {bad_utf8_offset(data)})"))
    elif bad := bad_byte_count(exact):
        problems.append(Problem(name, f"not valid UTF-8 in {bad:,} byte(s), shown as \ufffd "
                                      f"(first bad byte at offset {bad_utf8_offset(data)})"))
    text = shown(exact)
    if jsonl:
        return _jsonl_documents(name, text, encoding, problems, settings)
    if not text.strip():
        problems.append(Problem(name, "skipped: empty file"))
        return []
    return [Document(path=name, text=text, encoding=encoding)]


def _jsonl_documents(
    name: str, text: str, encoding: str, problems: list[Problem], settings: Settings
) -> list[Document]:
    documents = []
    field_name = settings.text_field
    bad_records = 0

    def skip(number: int, why: str) -> None:
        # The first few bad records are named; 10,000 more would bury every other warning.
        nonlocal bad_records
        bad_records += 1
        if bad_records <= JSONL_WARNINGS_PER_FILE:
            problems.append(Problem(f"{name}:{number}", why))

    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            skip(number, f"skipped: not valid JSON ({exc.msg})")
            continue
        value = record.get(field_name) if isinstance(record, dict) else None
        if not isinstance(value, str):
            skip(number, f"skipped: no string field {field_name!r}")
            continue
        value = shown(value)
        if not value.strip():
            skip(number, f"skipped: empty {field_name!r}")
            continue
        doc_id = None
        if settings.id_field and isinstance(record, dict) and settings.id_field in record:
            doc_id = str(record[settings.id_field])
        documents.append(Document(path=name, text=value, encoding=encoding, record=number, id=doc_id))
    if bad_records > JSONL_WARNINGS_PER_FILE:
        problems.append(Problem(name, f"and {bad_records - JSONL_WARNINGS_PER_FILE:,} more bad record(s) skipped "
                                      f"({bad_records:,} in all)"))
    if not documents and not bad_records:
        problems.append(Problem(name, "skipped: empty file"))
    return documents
