"""Reading inputs: encodings, directories, JSON Lines, stdin and every kind of bad input."""

from __future__ import annotations

import io
import json
import os


from dedup.documents import decode, read_documents
from dedup.settings import Settings

from .conftest import SEED_A, SEEDS


def test_reads_seed_directory_in_sorted_order():
    docs, problems = read_documents([SEEDS])
    assert [os.path.basename(d.path) for d in docs] == ["000_4329b0b7a6ae0b81.txt", "002_95a9b5e6b1e4b284.txt"]
    assert problems == []
    assert "Rouhani visits Moscow" in docs[0].text


def test_bbc_latin1_file_reads_pound_sign_with_warning(bbc):
    docs, problems = read_documents([bbc / "sport" / "199.txt"])
    assert len(docs) == 1 and docs[0].encoding == "cp1252"
    assert "£15.8m" in docs[0].text
    assert [p.message for p in problems] == ["not valid UTF-8; decoded as cp1252 (first bad byte at offset 257)"]
    assert problems[0].path.endswith("sport/199.txt")


def test_decode_prefers_cp1252_curly_quotes_over_latin1():
    text, encoding = decode("“Quoted” – text".encode("cp1252"))
    assert (text, encoding) == ("“Quoted” – text", "cp1252")
    assert decode("\ufeffBOM text".encode("utf-8")) == ("BOM text", "utf-8")


def test_bad_inputs_warn_and_run_goes_on(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(SEED_A.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "empty.txt").write_text("   \n", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR")
    unreadable = tmp_path / "locked.txt"
    unreadable.write_text("Some text that cannot be read by anyone.", encoding="utf-8")
    unreadable.chmod(0)
    (tmp_path / "ignored.csv").write_text("a,b\n", encoding="utf-8")
    docs, problems = read_documents([tmp_path, tmp_path / "missing.txt"])
    messages = {os.path.basename(p.path): p.message for p in problems}
    assert [os.path.basename(d.path) for d in docs] == ["good.txt"] + (["locked.txt"] if os.geteuid() == 0 else [])
    assert messages["empty.txt"] == "skipped: empty file"
    assert messages["binary.txt"].startswith("skipped: binary")
    assert messages["missing.txt"] == "no such file or directory"
    if os.geteuid() != 0:  # root can read a mode-000 file
        assert messages["locked.txt"].startswith("unreadable")
    assert "ignored.csv" not in messages


def test_huge_file_is_skipped_with_warning(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("A sentence that repeats itself again. " * 200, encoding="utf-8")
    docs, problems = read_documents([big], Settings(max_file_bytes=1000))
    assert docs == []
    assert "over the 1,000-byte limit" in problems[0].message


def test_jsonl_records_with_custom_field_and_bad_lines(tmp_path):
    path = tmp_path / "corpus.jsonl"
    lines = [
        json.dumps({"body": "First article text here.", "id": "a1"}),
        "{not json",
        json.dumps({"title": "no body"}),
        "",
        json.dumps({"body": "Second article text.", "id": 7}),
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
    docs, problems = read_documents([path], Settings(text_field="body", id_field="id"))
    assert [(d.record, d.id, d.text) for d in docs] == [
        (1, "a1", "First article text here."),
        (5, "7", "Second article text."),
    ]
    assert [p.path.rsplit(":", 1)[1] for p in problems] == ["2", "3"]
    assert "not valid JSON" in problems[0].message and "'body'" in problems[1].message


def test_stdin_is_read_as_one_document():
    docs, problems = read_documents(["-"], stdin=io.BytesIO("Héllo from standard input.".encode("utf-8")))
    assert [(d.path, d.text) for d in docs] == [("<stdin>", "Héllo from standard input.")]


def test_inputs_are_never_modified(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(SEED_A.read_bytes())
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    read_documents([path])
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
