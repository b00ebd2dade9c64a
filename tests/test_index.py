"""The persistent archive index: build/add/query round trip, same findings as a raw check, crash and concurrency safety."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from dedup import pipeline
from dedup.core import Document
from dedup.index import (
    DedupIndexError,
    add_to_index,
    build_index,
    check_against_index,
    check_paths_against,
    index_info,
)
from dedup.settings import Settings

from .conftest import ROOT

LEXICAL = Settings(methods=("exact", "fuzzy"))
FAST = Settings(model="fast")  # every method, with the static model (no MiniLM load)


def _business(bbc: Path, start: int, stop: int) -> list[str]:
    return [str(p) for p in sorted((bbc / "business").glob("*.txt"))[start:stop]]


def _findings(result) -> set:
    return {(f.kind, frozenset((o.document.name, o.start) for o in f.occurrences)) for f in result.findings}


def _counts(path) -> tuple[int, int, int, int]:
    info = index_info(path)
    return info["documents"], info["sentences"], info["keys"], info["vectors"]


def _draft(tmp_path: Path, archive_file: str) -> tuple[Path, str, str]:
    """A draft with one sentence copied from the archive and one lightly edited (fuzzy)."""
    doc = pipeline.read_documents([archive_file])[0][0]
    long = [s.text for s in pipeline.segment_documents([doc]) if len(s.text.split()) >= 12]
    copied, edited = long[0], long[1]
    variant = edited.replace(" the ", " a ", 1) if " the " in edited else edited[:-1] + " too."
    draft = tmp_path / "draft.txt"
    draft.write_text(
        f"Breaking news from the markets.\n\n{copied}\n\nThe city council met on Friday to discuss bicycle lanes "
        f"near the harbour.\n\n{variant}\n",
        encoding="utf-8",
    )
    return draft, copied, variant


def test_round_trip_build_add_query(bbc, tmp_path):
    out = tmp_path / "archive.dedup"
    report = build_index(_business(bbc, 0, 40), out, LEXICAL)
    assert report.added == 40 and out.is_file()
    before = index_info(out)
    assert before["documents"] == 40 and before["sentences"] > 400 and before["vectors"] == 0
    assert before["model"] is None and before["size_bytes"] > 0

    more = add_to_index(out, _business(bbc, 40, 50), LEXICAL)
    assert more.added == 10
    after = index_info(out)
    assert after["documents"] == 50 and after["sentences"] > before["sentences"] and after["keys"] > before["keys"]
    # Idempotent: adding the same files again changes nothing.
    again = add_to_index(out, _business(bbc, 40, 50), LEXICAL)
    assert (again.added, again.skipped) == (0, 10)
    assert _counts(out) == (after["documents"], after["sentences"], after["keys"], after["vectors"])

    # A sentence copied from a document added incrementally is found, and its edited neighbour too.
    source = _business(bbc, 45, 46)[0]
    draft, copied, variant = _draft(tmp_path, source)
    result = check_paths_against([str(draft)], LEXICAL, against=[str(out)])
    exact = next(f for f in result.findings if any(o.text == copied and o.document.reference for o in f.occurrences))
    assert exact.methods == ["exact"] and {o.document.path for o in exact.occurrences} == {str(draft), source}
    fuzzy = next(f for f in result.findings if any(o.text == variant for o in f.occurrences))
    assert "fuzzy" in fuzzy.methods and source in {o.document.path for o in fuzzy.occurrences}
    # Nothing came from the new sentence:
    assert not any("bicycle" in o.text for f in result.findings for o in f.occurrences)


def test_same_findings_as_raw_archive_lexical(bbc, tmp_path):
    archive, drafts = _business(bbc, 0, 150), _business(bbc, 150, 170)
    out = tmp_path / "a.dedup"
    build_index(archive, out, LEXICAL)
    planted, _, _ = _draft(tmp_path, archive[30])
    drafts.append(str(planted))
    via_index = check_paths_against(drafts, LEXICAL, against=[str(out)])
    raw = pipeline.check(drafts, LEXICAL, against=archive)
    assert _findings(via_index) == _findings(raw)
    assert len(raw.findings) >= 2
    # Only the documents that can matter were loaded from the index.
    assert sum(d.reference for d in via_index.documents) < len(archive)


def test_same_findings_as_raw_archive_semantic_fast(bbc, tmp_path):
    archive, drafts = _business(bbc, 0, 60), _business(bbc, 60, 80)
    out = tmp_path / "a.dedup"
    build_index(archive, out, FAST)
    assert index_info(out)["model"] == "fast" and index_info(out)["vectors"] > 500
    via_index = check_paths_against(drafts, FAST, against=[str(out)])
    raw = pipeline.check(drafts, FAST, against=archive)
    assert _findings(via_index) == _findings(raw)
    assert any(f.kind == "claim" for f in raw.findings)


def test_index_and_raw_references_mix(bbc, tmp_path):
    out = tmp_path / "a.dedup"
    build_index(_business(bbc, 0, 20), out, LEXICAL)
    draft, _, _ = _draft(tmp_path, _business(bbc, 30, 31)[0])
    mixed = check_paths_against([str(draft)], LEXICAL, against=[str(out), *_business(bbc, 20, 40)])
    raw = pipeline.check([str(draft)], LEXICAL, against=_business(bbc, 0, 40))
    assert _findings(mixed) == _findings(raw) != set()


def test_model_mismatch_refused(bbc, tmp_path):
    out = tmp_path / "fast.dedup"
    build_index(_business(bbc, 0, 5), out, FAST)
    drafts = [Document("d.txt", "The quarterly profits of the company rose sharply last year, analysts said.")]
    with pytest.raises(DedupIndexError, match=r"model 'fast'.*model 'accurate'.*--model fast"):
        check_against_index(drafts, out, Settings(model="accurate"))
    with pytest.raises(DedupIndexError, match="another model"):
        add_to_index(out, _business(bbc, 5, 6), Settings(model="accurate"))
    # A changed checksum (same name, other weights) is refused too.
    with sqlite3.connect(out) as db:
        db.execute("UPDATE meta SET value = 'deadbeef' WHERE key = 'model_sha256'")
    with pytest.raises(DedupIndexError, match="sha256"):
        check_against_index(drafts, out, FAST)
    # Lexical methods need no vectors, so any model is fine for them.
    check_against_index(drafts, out, LEXICAL.replace(model="accurate"))


def test_refusals(bbc, tmp_path):
    out = tmp_path / "lex.dedup"
    build_index(_business(bbc, 0, 3), out, LEXICAL)
    with pytest.raises(DedupIndexError, match="already exists"):
        build_index(_business(bbc, 0, 3), out, LEXICAL)
    build_index(_business(bbc, 0, 4), out, LEXICAL, force=True)
    assert index_info(out)["documents"] == 4
    with pytest.raises(DedupIndexError, match="without semantic vectors"):
        check_against_index([Document("d.txt", "x")], out, FAST)
    with pytest.raises(DedupIndexError, match="min_words=4"):
        check_against_index([Document("d.txt", "x")], out, LEXICAL.replace(min_words=2))
    with pytest.raises(DedupIndexError, match="no such index"):
        index_info(tmp_path / "missing.dedup")
    (tmp_path / "junk.dedup").write_text("not sqlite at all " * 100)
    with pytest.raises(DedupIndexError, match="not a dedup index"):
        index_info(tmp_path / "junk.dedup")


# A child process that adds files, announcing (and pausing) once its rows are written but not committed.
_ADDER = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {root!r})
    import dedup.index as index
    from dedup.settings import Settings
    real_write = index._write
    def slow_write(*args):
        real_write(*args)
        print("WRITTEN", flush=True)
        time.sleep(float(sys.argv[2]))
    index._write = slow_write
    report = index.add_to_index(sys.argv[1], sys.argv[3:], Settings(methods=("exact", "fuzzy")))
    print("DONE", report.added, flush=True)
    """
)


def _adder(tmp_path: Path, index_path: Path, pause: float, files: list[str]) -> subprocess.Popen:
    script = tmp_path / "adder.py"
    script.write_text(_ADDER.format(root=str(ROOT)))
    return subprocess.Popen(
        [sys.executable, str(script), str(index_path), str(pause), *files],
        stdout=subprocess.PIPE, text=True, env={**os.environ},
    )


def test_killed_add_leaves_index_as_before(bbc, tmp_path):
    out = tmp_path / "a.dedup"
    build_index(_business(bbc, 0, 10), out, LEXICAL)
    before = _counts(out)
    child = _adder(tmp_path, out, 60, _business(bbc, 10, 200))
    assert child.stdout.readline().strip() == "WRITTEN"  # 190 documents written, not committed
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert _counts(out) == before  # the uncommitted transaction is gone
    with sqlite3.connect(out) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # Still usable: a later add lands in full.
    assert add_to_index(out, _business(bbc, 10, 20), LEXICAL).added == 10
    assert _counts(out)[0] == 20


def test_killed_add_at_any_moment_is_all_or_nothing(bbc, tmp_path):
    out = tmp_path / "a.dedup"
    build_index(_business(bbc, 0, 5), out, LEXICAL)
    before = _counts(out)
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; from dedup.index import add_to_index; from dedup.settings import Settings;"
         "add_to_index(sys.argv[1], sys.argv[2:], Settings(methods=('exact', 'fuzzy')))", str(out),
         *_business(bbc, 5, 300)],
        cwd=ROOT,
    )
    try:
        child.wait(timeout=0.8)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert _counts(out) == before or _counts(out)[0] == 300


def test_concurrent_adders_both_land(bbc, tmp_path):
    out = tmp_path / "a.dedup"
    build_index(_business(bbc, 0, 5), out, LEXICAL)
    first = _adder(tmp_path, out, 1.0, _business(bbc, 5, 30))
    assert first.stdout.readline().strip() == "WRITTEN"  # holds the write lock for a second
    second = _adder(tmp_path, out, 0.0, _business(bbc, 30, 60))
    outputs = [p.communicate(timeout=120)[0] for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0]
    assert "DONE 25" in outputs[0] and "DONE 30" in outputs[1]
    assert _counts(out)[0] == 60
    with sqlite3.connect(out) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_archive_word_counts_give_the_specificity_of_one_corpus(bbc, tmp_path):
    """An index keeps its archive's word document counts through build, add and replace, so a draft checked
    against it weighs words as a check of draft and archive together would ("said", "year" are no detail)."""
    import shutil

    from dedup.index import archive_specificity
    from dedup.specificity import Specificity

    source = tmp_path / "business"
    source.mkdir()
    for name in _business(bbc, 0, 300):
        shutil.copy(name, source / Path(name).name)
    files = sorted(str(p) for p in source.glob("*.txt"))
    index = tmp_path / "business.dedup"
    build_index(files[:200], index, LEXICAL)
    add_to_index(index, files[200:], LEXICAL)
    # One article re-sent with other text: its old words leave the counts, the new ones enter.
    changed = Path(files[0])
    changed.write_bytes(b"Zanzibar quasar xylophone, said nobody this year.\n\n" + changed.read_bytes()[:200])
    assert add_to_index(index, [str(changed)], LEXICAL).replaced == 1
    drafts = pipeline.read_documents(_business(bbc, 300, 320))[0]
    archive = pipeline.read_documents(files)[0]
    got = archive_specificity([index], drafts, len(archive) + len(drafts), LEXICAL)
    expected = Specificity.of_texts([d.text for d in archive + drafts], LEXICAL)
    assert got.documents == expected.documents == 320
    assert got.common == expected.common and {"said", "year"} <= set(got.common)
    assert "zanzibar" not in got.common
