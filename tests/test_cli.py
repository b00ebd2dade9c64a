"""The CLI through click's CliRunner: formats, the JSON contract, exit codes, warnings."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from dedup.cli import main

from .conftest import SEED_A, SEEDS

LEXICAL = ["--methods", "exact,fuzzy"]


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def test_table_report_shows_locations_side_by_side():
    result = run("check", str(SEEDS), *LEXICAL)
    assert result.exit_code == 1, result.output
    out = result.output
    assert "000_4329b0b7a6ae0b81.txt" in out
    assert "repeat within" in out and "14:1" in out and "8:1" in out
    assert out.count("The relationship has blossomed") == 2
    assert "1 finding(s): 1 repeat(s), 0 claim(s) in 2 document(s)" in out


def test_json_contract_shape_and_offsets():
    result = run("check", str(SEEDS), *LEXICAL, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert set(data) >= {"documents", "findings"}
    assert [set(d) >= {"path", "sentences"} for d in data["documents"]] == [True, True]
    assert data["documents"][0]["sentences"] == 15
    (finding,) = data["findings"]
    assert set(finding) >= {"kind", "scope", "score", "methods", "occurrences"}
    assert (finding["kind"], finding["scope"], finding["score"], finding["methods"]) == (
        "repeat", "within", 1.0, ["exact"],
    )
    text = SEED_A.read_text(encoding="utf-8")
    for occ in finding["occurrences"]:
        assert set(occ) >= {"path", "line", "column", "start", "end", "text"}
        assert text[occ["start"] : occ["end"]] == occ["text"]
        assert text.splitlines()[occ["line"] - 1][occ["column"] - 1 :].startswith(occ["text"][:30])
    assert [o["line"] for o in finding["occurrences"]] == [8, 14]
    assert finding["occurrences"][0]["text"].endswith("communism. |")  # the original text, debris and all


def test_exit_zero_when_nothing_found(tmp_path):
    (tmp_path / "a.txt").write_text("A sentence that says one thing only. Another that says more.", encoding="utf-8")
    result = run("check", str(tmp_path), *LEXICAL)
    assert result.exit_code == 0
    assert "0 finding(s)" in result.output


def test_usage_errors_exit_two():
    assert run("check").exit_code == 2
    assert run("check", str(SEEDS), "--no-such-flag").exit_code == 2
    assert run("check", str(SEEDS), "--methods", "exact,telepathy").exit_code == 2
    assert run("check", str(SEEDS), "--format", "yaml").exit_code == 2
    result = run("check", "/nonexistent/path")
    assert result.exit_code == 2 and "no such file" in result.output


def test_warnings_on_stderr_and_run_goes_on(tmp_path):
    shutil.copy(SEED_A, tmp_path / "a.txt")
    (tmp_path / "empty.md").write_text("", encoding="utf-8")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02")
    result = CliRunner().invoke(main, ["check", str(tmp_path), *LEXICAL, "--format", "json"])
    assert result.exit_code == 1
    assert "dedup: warning:" in result.stderr and "empty.md: skipped: empty file" in result.stderr
    assert "bin.txt: skipped: binary" in result.stderr
    data = json.loads(result.stdout)
    assert len(data["findings"]) == 1 and len(data["warnings"]) == 2
    quiet = CliRunner().invoke(main, ["check", str(tmp_path), *LEXICAL, "-q"])
    assert quiet.stderr == ""


def test_stdin_and_jsonl(tmp_path):
    sentence = "The relationship has blossomed under Rouhani despite a complicated history."
    result = run("check", "-", *LEXICAL, "--format", "json", input=f"{sentence}\nFiller words go here.\n{sentence}\n")
    data = json.loads(result.output)
    assert result.exit_code == 1 and data["findings"][0]["occurrences"][0]["path"] == "<stdin>"
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        json.dumps({"body": sentence, "id": "x"}) + "\n" + json.dumps({"body": "Other. " + sentence, "id": "y"}) + "\n",
        encoding="utf-8",
    )
    result = run("check", str(corpus), *LEXICAL, "--format", "json", "--text-field", "body", "--id-field", "id")
    data = json.loads(result.output)
    (finding,) = data["findings"]
    assert finding["scope"] == "across"
    assert [(o["record"], o["id"], o["start"]) for o in finding["occurrences"]] == [(1, "x", 0), (2, "y", 7)]


def test_help_documents_every_option():
    out = run("check", "--help").output
    for option in ("--methods", "--model", "--min-score", "--min-words", "--format", "--text-field", "--quiet"):
        assert option in out


def test_clean_command_end_to_end(tmp_path):
    src = tmp_path / "seeds"
    shutil.copytree(SEEDS, src)
    before = {p.name: p.read_bytes() for p in src.iterdir()}
    out = tmp_path / "out"
    result = run("clean", str(src), "-o", str(out), *LEXICAL)
    assert result.exit_code == 0, result.output
    assert "removed 1 repeated sentence(s)" in result.stderr
    assert {p.name: p.read_bytes() for p in src.iterdir()} == before  # inputs untouched
    cleaned = (out / SEED_A.name).read_text(encoding="utf-8")
    assert cleaned.count("The relationship has blossomed under Rouhani") == 1
    (entry,) = [json.loads(line) for line in (out / "removed.jsonl").read_text(encoding="utf-8").splitlines()]
    assert entry["text"].startswith("The relationship has blossomed") and entry["kept"]["start"] < entry["start"]
    # A second run into the same OUT is refused (exit 2) unless --force; the cleaned copy checks clean.
    assert run("clean", str(src), "-o", str(out), *LEXICAL).exit_code == 2
    assert run("clean", str(src), "-o", str(out), *LEXICAL, "--force").exit_code == 0
    assert run("check", str(out), *LEXICAL).exit_code == 0  # removed.jsonl is not read back
    assert run("clean", str(src), "-o", str(src / "inside"), *LEXICAL).exit_code == 2


def test_audit_against_an_index(tmp_path, bbc):
    archive = tmp_path / "archive.dedup"
    built = run("index", "build", str(bbc / "business" / "007.txt"), str(bbc / "tech" / "100.txt"), *LEXICAL, "-o", str(archive))
    assert built.exit_code == 0, built.output
    result = run("audit", str(bbc / "business" / "253.txt"), "--against", str(archive), *LEXICAL, "--format", "json")
    assert result.exit_code == 0, result.output
    (doc,) = json.loads(result.stdout)["documents"]
    assert doc["reuse"] >= 0.95 and doc["sources"][0]["path"].endswith("business/007.txt")
