"""``dedup clean``: a cleaned copy of a corpus, every removal logged and reversible, inputs untouched."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections import defaultdict
from pathlib import Path

import pytest

from dedup.clean import REMOVED_LOG, TMP_PREFIX, CleanError, apply_cuts, clean, cut_spans, restore
from dedup.documents import decode, read_documents
from dedup.pipeline import check
from dedup.settings import Settings

from .conftest import ROOT, SEEDS, bbc_text

FAST = Settings(methods=("exact", "fuzzy"))
BLOSSOMED = (
    "The relationship has blossomed under Rouhani despite the countries having a complicated history "
    "over territory, oil, and communism."
)


def tree_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def log_entries(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / REMOVED_LOG).read_text(encoding="utf-8").splitlines()]


def collapse(text: str) -> str:
    return " ".join(text.split())


def without_spans(text: str, spans) -> str:
    parts, pos = [], 0
    for start, end in sorted(spans):
        parts.append(text[pos:start])
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def assert_out_is_input_minus_log(source: Path, out: Path, settings: Settings = FAST) -> list[dict]:
    """Every output file is its input with exactly the logged spans taken out (text files)."""
    entries = log_entries(out)
    by_output = defaultdict(list)
    for entry in entries:
        by_output[entry["output"]].append(entry)
    documents, _ = read_documents([source], settings)
    expected_outputs = set()
    for document in documents:
        rel = Path(document.path).relative_to(source).as_posix()
        mine = by_output.pop(rel, [])
        for entry in mine:
            assert document.text[entry["start"] : entry["end"]] == entry["text"]
            kept = entry["kept"]
            assert kept["text"] in decode(Path(kept["path"]).read_bytes())[0]
        if any(e["reason"] == "document" for e in mine):
            assert not (out / rel).exists()
            assert restore("", mine) == document.text
            continue
        expected_outputs.add(rel)
        cleaned = decode((out / rel).read_bytes())[0]
        # Up to whitespace at the joins: the original minus the listed spans...
        assert collapse(cleaned) == collapse(without_spans(document.text, [(e["start"], e["end"]) for e in mine]))
        # ...and exactly, with the whitespace the log records.
        assert restore(cleaned, mine) == document.text
        if not mine:
            assert (out / rel).read_bytes() == Path(document.path).read_bytes()
    assert not by_output, f"log entries for files that were not read: {sorted(by_output)}"
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {REMOVED_LOG}
    assert written == expected_outputs
    return entries


@pytest.fixture
def seeds(tmp_path, monkeypatch) -> Path:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    return Path("seeds")


# --------------------------------------------------------------------------- acceptance


def test_seeds_acceptance(seeds):
    before = tree_hashes(seeds)
    report = clean([str(seeds)], "out", FAST)
    assert tree_hashes(seeds) == before  # inputs untouched

    out = Path("out")
    cleaned = (out / "000_4329b0b7a6ae0b81.txt").read_text(encoding="utf-8")
    assert cleaned.count("blossomed") == 1
    assert BLOSSOMED + " |\n" in cleaned  # the first occurrence is the one kept
    # The repeat was alone on its line: the line goes, its neighbours join with one line break.
    original = (seeds / "000_4329b0b7a6ae0b81.txt").read_text(encoding="utf-8")
    assert cleaned == original.replace(BLOSSOMED + "\n", "", 1) and original.count(BLOSSOMED + "\n") == 1

    entries = assert_out_is_input_minus_log(seeds, out)
    assert [(e["path"], e["start"], e["end"], e["reason"], e["kept"]["start"]) for e in entries] == [
        ("seeds/000_4329b0b7a6ae0b81.txt", 2199, 2330, "repeat", 1194)
    ]
    assert entries[0]["text"] == BLOSSOMED and entries[0]["kept"]["text"] == BLOSSOMED + " |"
    assert (report.files_written, report.spans_removed, report.documents_dropped, report.problems) == (
        ["000_4329b0b7a6ae0b81.txt", "002_95a9b5e6b1e4b284.txt"], 1, 0, []
    )
    assert not list(out.rglob(TMP_PREFIX + "*"))


# --------------------------------------------------------------------------- refusals


def test_refusals_write_nothing(seeds, tmp_path):
    with pytest.raises(CleanError, match="inside source"):
        clean([str(seeds)], "seeds/out", FAST)
    assert not Path("seeds/out").exists()
    with pytest.raises(CleanError, match="inside the output directory"):
        clean([str(seeds)], ".", FAST)
    with pytest.raises(CleanError, match="inside the output directory"):
        clean([str(seeds / "000_4329b0b7a6ae0b81.txt")], "seeds", FAST)
    Path("afile").write_text("not a directory", encoding="utf-8")
    with pytest.raises(CleanError, match="not a directory"):
        clean([str(seeds)], "afile", FAST)
    with pytest.raises(CleanError, match="standard input"):
        clean(["-"], "out", FAST)
    with pytest.raises(CleanError, match="no such file"):
        clean([str(seeds), "missing"], "out", FAST)
    with pytest.raises(CleanError, match="no sources"):
        clean([], "out", FAST)
    assert not Path("out").exists()

    # Two inputs that would land on one output path.
    other = Path("other")
    other.mkdir()
    shutil.copy(seeds / "000_4329b0b7a6ae0b81.txt", other)
    with pytest.raises(CleanError, match="would both be written"):
        clean([str(seeds), str(other)], "out", FAST)
    assert not Path("out").exists()

    # An existing non-empty OUT only with force.
    Path("out").mkdir()
    (Path("out") / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(CleanError, match="not empty"):
        clean([str(seeds)], "out", FAST)
    report = clean([str(seeds)], "out", FAST, force=True)
    assert report.spans_removed == 1
    assert (Path("out") / "notes.txt").read_text(encoding="utf-8") == "mine"  # force overwrites, never deletes others
    clean([str(seeds)], "empty_out_ok", FAST)  # an existing empty directory needs no force
    Path("empty").mkdir()
    clean([str(seeds)], "empty", FAST)


def test_clean_error_is_a_value_error():
    assert issubclass(CleanError, ValueError)


# --------------------------------------------------------------------------- formats and encodings


def test_cp1252_input_keeps_its_encoding_and_untouched_bytes(bbc, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    raw = (bbc / "sport" / "199.txt").read_bytes()
    shutil.copy(bbc / "sport" / "199.txt", corpus / "199.txt")
    copied = "Fifa's disciplinary code stipulates that a first doping offence should be followed by a six-month ban."
    assert copied in decode(raw)[0]
    # An earlier article (in reading order) carrying one of its sentences, in UTF-8 with curly quotes.
    wire = f"Mutu case: “zero tolerance”\n\n{copied}\n\n{bbc_text('sport/200.txt')}"
    (corpus / "000_wire.txt").write_text(wire, encoding="utf-8")

    report = clean([corpus], tmp_path / "out", FAST)
    out = tmp_path / "out"
    data = (out / "199.txt").read_bytes()
    assert data == raw.replace(copied.encode("cp1252") + b" ", b"", 1)  # every other byte as it was
    text, encoding = decode(data)
    assert encoding == "cp1252" and "£15.8m" in text and copied not in text
    assert (out / "000_wire.txt").read_bytes() == wire.encode("utf-8")
    assert any(p.message.startswith("not valid UTF-8; decoded as cp1252 (first bad byte at offset") for p in report.problems)
    (entry,) = assert_out_is_input_minus_log(corpus, out)
    assert entry["kept"]["path"].endswith("000_wire.txt") and entry["space_after"] == " "


def test_utf8_bom_is_kept(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = SEEDS.joinpath("000_4329b0b7a6ae0b81.txt").read_text(encoding="utf-8")
    (corpus / "bom.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    clean([corpus], tmp_path / "out", FAST)
    data = (tmp_path / "out" / "bom.txt").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"blossomed") == 1


def test_jsonl_round_trip_preserves_fields_and_unreadable_lines(bbc, tmp_path):
    first, second = bbc_text("business/059.txt"), bbc_text("business/196.txt")
    lines = [
        json.dumps({"id": "a", "body": first, "meta": {"source": "bbc", "n": 1}}),
        "{not json",
        "",
        json.dumps({"id": "b", "author": "José Müller", "body": second, "note": "one\u2028two", "n": 2.5}),
        json.dumps({"id": "c", "body": first, "tags": ["copy"]}),
        json.dumps({"id": "d", "title": "no body field"}),
    ]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    raw = "\n".join(lines) + "\n"
    (corpus / "news.jsonl").write_text(raw, encoding="utf-8")
    settings = FAST.replace(text_field="body", id_field="id")

    report = clean([corpus], tmp_path / "out", settings, drop_docs=True)
    assert (corpus / "news.jsonl").read_text(encoding="utf-8") == raw
    written = (tmp_path / "out" / "news.jsonl").read_text(encoding="utf-8")
    out_lines = written.split("\n")
    # Record 1 and the lines that were never records are copied as they were; record 5 is dropped.
    assert out_lines[0] == lines[0] and out_lines[1:3] == ["{not json", ""] and out_lines[4] == lines[5]
    assert len(out_lines) == 6 and out_lines[5] == ""
    rewritten = json.loads(out_lines[3])
    assert list(rewritten) == ["id", "author", "body", "note", "n"]
    assert {k: v for k, v in rewritten.items() if k != "body"} == {
        "id": "b", "author": "José Müller", "note": "one\u2028two", "n": 2.5
    }
    assert "José Müller" in out_lines[3] and "\u2028" not in written  # readable line by line again
    assert [d.id for d in read_documents([tmp_path / "out" / "news.jsonl"], settings)[0]] == ["a", "b"]

    entries = log_entries(tmp_path / "out")
    sentences = [e for e in entries if e["record"] == 4]
    assert sentences and all(e["reason"] == "repeat" and e["id"] == "b" for e in sentences)
    assert all(e["kept"]["record"] == 1 and e["kept"]["id"] == "a" for e in sentences)
    assert "WorldCom emerged from bankruptcy protection" in " ".join(e["text"] for e in sentences)
    assert restore(rewritten["body"], sentences) == second
    assert collapse(rewritten["body"]) == collapse(without_spans(second, [(e["start"], e["end"]) for e in sentences]))
    (document,) = [e for e in entries if e["reason"] == "document"]
    assert (document["record"], document["id"], document["start"], document["end"]) == (5, "c", 0, len(first))
    assert document["text"] == first and document["kept"]["record"] == 1 and document["overlap"] == 1.0
    assert report.documents_dropped == 1 and report.spans_removed == len(sentences)


def test_problem_files_are_copied_unchanged(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    shutil.copy(SEEDS / "000_4329b0b7a6ae0b81.txt", corpus / "sub" / "article.txt")
    binary = b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR"
    (corpus / "image.txt").write_bytes(binary)
    (corpus / "empty.txt").write_text("  \n", encoding="utf-8")
    (corpus / "broken.jsonl").write_text("{not json\n{\"title\": 1}\n", encoding="utf-8")
    shutil.copy(SEEDS / "002_95a9b5e6b1e4b284.txt", corpus / "big.md")

    report = clean([corpus], tmp_path / "out", FAST.replace(max_file_bytes=4000))
    out = tmp_path / "out"
    for name in ("image.txt", "empty.txt", "broken.jsonl", "big.md"):
        assert (out / name).read_bytes() == (corpus / name).read_bytes()
    assert sorted(report.files_copied) == ["big.md", "broken.jsonl", "empty.txt", "image.txt"]
    assert (out / "sub" / "article.txt").read_text(encoding="utf-8").count("blossomed") == 1  # the tree is mirrored
    copied = [p for p in report.problems if p.message.startswith("copied unchanged")]
    assert len(copied) == 4
    assert [e["output"] for e in log_entries(out)] == ["sub/article.txt"]


def test_file_sources_go_to_their_names(seeds):
    clean([str(seeds / "002_95a9b5e6b1e4b284.txt"), str(seeds / "000_4329b0b7a6ae0b81.txt")], "out", FAST)
    assert sorted(os.listdir("out")) == ["000_4329b0b7a6ae0b81.txt", "002_95a9b5e6b1e4b284.txt", REMOVED_LOG]


# --------------------------------------------------------------------------- documents


def test_drop_docs_drops_the_later_exact_duplicate(bbc, tmp_path):
    assert (bbc / "business" / "007.txt").read_bytes() == (bbc / "business" / "253.txt").read_bytes()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("007.txt", "010.txt", "253.txt"):
        shutil.copy(bbc / "business" / name, corpus / name)
    out = tmp_path / "out"

    # Without --drop-docs the copy stays, emptied of every sentence long enough to match.
    clean([corpus], out, FAST)
    entries = assert_out_is_input_minus_log(corpus, out)
    assert {e["reason"] for e in entries} == {"repeat"} and all(e["output"] == "253.txt" for e in entries)
    assert (out / "253.txt").exists()

    (out / f"{TMP_PREFIX}stale").write_bytes(b"half a fi")  # as a killed run leaves them
    with pytest.raises(CleanError, match="not empty"):  # complete files from the earlier run: not empty
        clean([corpus], out, FAST)
    report = clean([corpus], out, FAST, drop_docs=True, force=True)
    assert sorted(os.listdir(out)) == ["007.txt", "010.txt", REMOVED_LOG]  # stale copy and temporary gone
    (entry,) = assert_out_is_input_minus_log(corpus, out)
    assert entry["reason"] == "document" and entry["path"].endswith("253.txt")
    assert entry["kept"]["path"].endswith("007.txt") and entry["overlap"] == 1.0
    assert (report.files_dropped, report.documents_dropped, report.spans_removed) == (["253.txt"], 1, 0)


def test_partial_overlap_removes_sentences_unless_the_threshold_is_lowered(bbc, tmp_path):
    original = bbc_text("business/007.txt")
    paragraphs = original.split("\n\n")
    half = "\n\n".join(paragraphs[:3])  # headline and two paragraphs: about 40% of b.txt
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(original, encoding="utf-8")
    (corpus / "b.txt").write_text(half + "\n\n" + bbc_text("business/010.txt"), encoding="utf-8")

    report = clean([corpus], tmp_path / "out", FAST, drop_docs=True)
    assert report.documents_dropped == 0 and report.spans_removed > 3
    entries = assert_out_is_input_minus_log(corpus, tmp_path / "out")
    assert {e["reason"] for e in entries} == {"repeat"}

    report = clean([corpus], tmp_path / "out2", FAST, drop_docs=True, doc_overlap=0.3)
    assert report.files_dropped == ["b.txt"]
    assert 0.3 <= assert_out_is_input_minus_log(corpus, tmp_path / "out2")[0]["overlap"] < 0.8


def test_a_dropped_documents_unique_sentence_survives_at_its_next_occurrence(bbc, tmp_path):
    original = bbc_text("business/007.txt")
    extra = "Separately, the Federal Reserve said it would publish its own figures next month."
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(original, encoding="utf-8")
    (corpus / "b.txt").write_text(original + "\n\n" + extra + "\n", encoding="utf-8")  # near-copy of a, plus one
    (corpus / "c.txt").write_text(bbc_text("business/010.txt") + "\n\n" + extra + "\n", encoding="utf-8")

    report = clean([corpus], tmp_path / "out", FAST, drop_docs=True)
    assert report.files_dropped == ["b.txt"]
    assert extra in (tmp_path / "out" / "c.txt").read_text(encoding="utf-8")  # not lost with b.txt
    assert_out_is_input_minus_log(corpus, tmp_path / "out")


# --------------------------------------------------------------------------- claims


def _claim_settings() -> Settings:
    """The static model when its claim calibration is there (fast), else the accurate one."""
    try:
        from dedup.claims import model_path

        if model_path("fast").exists():
            return Settings(model="fast", cache=False)
    except ImportError:
        pass
    return Settings(cache=False)


def test_drop_claims_keeps_first_occurrences_and_logs_a_surviving_kept(bbc, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("059.txt", "100.txt", "114.txt", "196.txt"):  # four reports of the WorldCom trial
        shutil.copy(bbc / "business" / name, corpus / name)
    settings = _claim_settings()

    repeats_only = clean([corpus], tmp_path / "plain", settings)
    report = clean([corpus], tmp_path / "out", settings, drop_claims=True)
    assert report.spans_removed > repeats_only.spans_removed
    entries = assert_out_is_input_minus_log(corpus, tmp_path / "out", settings)
    assert {e["reason"] for e in entries} == {"repeat", "claim"}
    removed = {(e["path"], e["start"]) for e in entries}
    for entry in entries:
        kept = entry["kept"]
        assert (kept["path"], kept["start"]) not in removed  # what a removal points at is still there
        assert (kept["path"], kept["start"]) < (entry["path"], entry["start"])  # and comes first
    claims = [f for f in check([corpus], settings).findings if f.kind == "claim"]
    assert claims
    for finding in claims:
        first = finding.first
        assert (first.document.path, first.start) not in removed
        assert {(o.document.path, o.start) for o in finding.occurrences[1:]} <= removed


# --------------------------------------------------------------------------- joins


@pytest.mark.parametrize(
    ("text", "remove", "expected"),
    [
        # mid-paragraph: the sentence and one space
        ("Rates rose. Shares fell sharply. Bonds held.", ["Shares fell sharply."], "Rates rose. Bonds held."),
        # last in its paragraph: the paragraph break stays
        ("Rates rose. Shares fell.\n\nBonds held.", ["Shares fell."], "Rates rose.\n\nBonds held."),
        # alone on its line: the line goes
        ("Headline\nShares fell.\nBonds held.", ["Shares fell."], "Headline\nBonds held."),
        # a one-sentence paragraph: no double blank line left behind
        ("Rates rose.\n\nShares fell.\n\nBonds held.", ["Shares fell."], "Rates rose.\n\nBonds held."),
        ("Headline\nShares fell.\n\nBonds held.", ["Shares fell."], "Headline\n\nBonds held."),
        # neighbours removed together, first and last of the text
        (
            "Rates rose. Shares fell. Oil slid.\n\nBonds held.", ["Shares fell.", "Oil slid."],
            "Rates rose.\n\nBonds held.",
        ),
        ("Shares fell. Rates rose.\n", ["Shares fell."], "Rates rose.\n"),
        ("Rates rose.\r\nShares fell.\r\n", ["Shares fell."], "Rates rose.\r\n"),
    ],
)
def test_joins(text, remove, expected):
    spans = [(text.index(s), text.index(s) + len(s)) for s in remove]
    cuts = cut_spans(text, spans)
    assert apply_cuts(text, cuts) == expected
    entries = [
        {"start": s, "end": e, "text": text[s:e], "space_before": text[cs:s], "space_after": text[e:ce]}
        for (s, e), (cs, ce) in zip(spans, cuts)
    ]
    assert restore(expected, entries) == text


# --------------------------------------------------------------------------- killed runs

_KILLABLE = textwrap.dedent(
    """
    import os, sys, time
    real_fsync = os.fsync
    def slow_fsync(fd):  # widen the window between writing a file and renaming it into place
        time.sleep(0.01)
        real_fsync(fd)
    os.fsync = slow_fsync
    from dedup.clean import clean
    from dedup.settings import Settings
    clean([sys.argv[1]], sys.argv[2], Settings(methods=("exact", "fuzzy"), cache=False), drop_docs=True)
    """
)


def test_killed_clean_leaves_no_partial_file(bbc, tmp_path):
    source = bbc / "business"
    full = tmp_path / "full"
    complete = clean([source], full, FAST, drop_docs=True)
    assert len(complete.files_written) + len(complete.files_dropped) == 510
    assert_out_is_input_minus_log(source, full)
    expected = tree_hashes(full)

    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-c", _KILLABLE, str(source), str(out)], cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if out.is_dir() and sum(1 for n in os.listdir(out) if not n.startswith(TMP_PREFIX)) >= 20:
                break
            time.sleep(0.02)
        assert process.poll() is None, f"clean ended before it could be killed: {process.stderr.read()!r}"
        process.send_signal(signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL

    left = tree_hashes(out)
    finished = {name: digest for name, digest in left.items() if not name.startswith(TMP_PREFIX)}
    assert REMOVED_LOG not in finished  # the log is written last: its absence marks an unfinished run
    assert 20 <= len(finished) < len(expected) - 1
    for name, digest in finished.items():
        assert digest == expected[name], f"{name} is not the complete cleaned file"

    with pytest.raises(CleanError, match="not empty"):
        clean([source], out, FAST, drop_docs=True)
    clean([source], out, FAST, drop_docs=True, force=True)
    assert tree_hashes(out) == expected  # same files, same bytes, no temporaries left


def test_clean_keeps_a_near_repeat_whose_figures_differ(tmp_path):
    """Wire lines of one template with other figures are two facts: clean removes neither."""
    from dedup.clean import clean

    src = tmp_path / "src"
    src.mkdir()
    first = "The company said profit rose to 39 million dollars in the first quarter of the year."
    second = "The company said profit rose to 93 million dollars in the first quarter of the year."
    (src / "a.txt").write_text(f"Acme reports.\n\n{first}\n", encoding="utf-8")
    (src / "b.txt").write_text(f"Acme update.\n\n{second}\n\n{first}\n", encoding="utf-8")
    report = clean([str(src)], tmp_path / "out", Settings(methods=("exact", "fuzzy")))
    a = (tmp_path / "out" / "a.txt").read_text(encoding="utf-8")
    b = (tmp_path / "out" / "b.txt").read_text(encoding="utf-8")
    assert first in a
    assert second in b  # the other figure survives
    assert b.count(first) == 0  # the exact copy of a's sentence is still removed
    assert report.spans_removed == 1
