"""What a user gives must not break dedup (issue: "Nothing a user gives breaks it"): each case through the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dedup.cli import main

from .conftest import SEED_A

LEXICAL = ("--methods", "exact,fuzzy")
DEDUP = [sys.executable, "-m", "dedup.cli"]


def _as_nobody_or_skip() -> list[str]:
    """The command prefix that runs dedup as user nobody; skips where that cannot work here.

    Needs root, setpriv, and a checkout and interpreter that nobody may read (a clone under a 0700
    home directory is not).
    """
    import pytest

    setpriv = shutil.which("setpriv")
    if os.geteuid() != 0 or setpriv is None:
        pytest.skip("needs root and setpriv to act as another user")
    prefix = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent), "HOME": "/tmp"}
    probe = subprocess.run([*prefix, sys.executable, "-c", "import dedup.cli"], env=env, capture_output=True, timeout=60)
    if probe.returncode != 0:
        pytest.skip("user nobody cannot read this checkout or its interpreter")
    return prefix


def run(*args, cwd=None):
    if cwd is None:
        return CliRunner().invoke(main, list(args))
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args))
    finally:
        os.chdir(old)


def _article(tmp_path: Path) -> Path:
    article = tmp_path / "article.txt"
    shutil.copy(SEED_A, article)
    return article


def test_output_naming_an_input_is_refused_and_the_article_kept(tmp_path):
    article = _article(tmp_path)
    before = article.read_bytes()
    result = run("check", str(article), *LEXICAL, "-o", str(article))
    assert result.exit_code == 2
    assert "is one of the inputs" in result.output
    assert article.read_bytes() == before
    # The same file under another name is the same file.
    result = run("check", str(article), *LEXICAL, "-o", str(tmp_path / "." / "article.txt"))
    assert result.exit_code == 2 and article.read_bytes() == before


def test_unwritable_output_is_a_usage_error_in_one_line(tmp_path):
    article = _article(tmp_path)
    for command in (["check", str(article), *LEXICAL, "-o"], ["audit", str(article), "--against", str(SEED_A), *LEXICAL, "-o"],
                    ["index", "build", str(article), *LEXICAL, "-o"]):
        result = run(*command, str(tmp_path / "no-such-dir" / "out.txt"))
        assert result.exit_code == 2, command
        assert "does not exist" in result.output
        assert "Traceback" not in result.output and "internal error" not in result.output


def test_unwritable_directory_as_another_user(tmp_path):
    """Root may write anywhere, so the refusal is checked as nobody (setpriv), where a real user meets it."""
    as_nobody = _as_nobody_or_skip()
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="dedup-other-user-", dir="/tmp"))  # pytest's own tmp is 0700
    base.chmod(0o755)
    tmp_path = base
    locked = base / "locked"
    locked.mkdir(mode=0o755)  # root-owned: nobody cannot write in it
    article = base / "article.txt"
    shutil.copy(SEED_A, article)
    article.chmod(0o644)
    env = {**os.environ, "HOME": str(tmp_path), "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    proc = subprocess.run(
        [*as_nobody, *DEDUP, "check", str(article), *LEXICAL,
         "--no-cache", "-o", str(locked / "report.txt")],
        capture_output=True, text=True, env=env, timeout=120,
    )
    shutil.rmtree(base)
    assert proc.returncode == 2, proc.stderr
    assert "permission denied" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_missing_or_empty_reference_set_fails_the_gate(tmp_path):
    article = _article(tmp_path)
    result = run("check", str(article), *LEXICAL, "--against", str(tmp_path / "nonexist"), "--fail-on", "repeat")
    assert result.exit_code == 2
    assert "does not exist" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("check", str(article), *LEXICAL, "--against", str(empty), "--fail-on", "repeat")
    assert result.exit_code == 2
    assert "no readable documents in the --against references" in result.output


def test_tool_table_that_is_not_a_table_is_a_config_error(tmp_path):
    article = _article(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool]\ndedup = 3\n", encoding="utf-8")
    result = run("check", str(article), *LEXICAL, cwd=tmp_path)
    assert result.exit_code == 2
    assert "tool.dedup must be a table" in result.output


@pytest.mark.parametrize("line, blamed", [
    ("fuzzy-ratio = 200", "fuzzy-ratio = 200 in the config file"),
    ('fail-on = "sometimes"', "fail-on = 'sometimes' in the config file"),
    ('methods = ["exact", "telepathy"]', "methods = 'exact,telepathy' in the config file"),
])
def test_config_value_errors_name_the_file_not_a_flag(tmp_path, line, blamed):
    article = _article(tmp_path)
    (tmp_path / "pyproject.toml").write_text(f"[tool.dedup]\n{line}\n", encoding="utf-8")
    result = run("check", str(article), cwd=tmp_path)
    assert result.exit_code == 2
    assert str(tmp_path / "pyproject.toml") in result.output and blamed in result.output
    assert "Invalid value for '--" not in result.output


def test_broken_pipe_exits_quietly(tmp_path):
    article = _article(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent), "HOME": str(tmp_path)}
    index = tmp_path / "a.dedup"
    subprocess.run([*DEDUP, "index", "build", str(article), *LEXICAL, "-o", str(index)], check=True, env=env,
                   capture_output=True, timeout=120)
    # A reader that closes at once: `dedup index info X | head -0`.
    proc = subprocess.Popen([*DEDUP, "index", "info", str(index)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert b"Traceback" not in err and b"BrokenPipeError" not in err
    assert proc.returncode == 141


def test_fifo_inside_a_directory_is_skipped_with_a_warning(tmp_path):
    folder = tmp_path / "drafts"
    folder.mkdir()
    shutil.copy(SEED_A, folder / "a.txt")
    os.mkfifo(folder / "x.txt")  # reading it would block forever
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent), "HOME": str(tmp_path)}
    proc = subprocess.run([*DEDUP, "check", str(folder), *LEXICAL], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1  # the repeat inside a.txt
    assert "x.txt: skipped: not a regular file" in proc.stderr


BBC_BUSINESS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "bbc" / "business"


def test_a_file_named_twice_is_one_document(tmp_path):
    article = _article(tmp_path)
    result = run("check", str(article), str(tmp_path / "." / "article.txt"), *LEXICAL, "--format", "json")
    import json

    report = json.loads(result.output)
    assert len(report["documents"]) == 1
    # Only the article's own repeated sentence, never a sentence "repeating" itself.
    for finding in report["findings"]:
        spans = [(o["path"], o["start"]) for o in finding["occurrences"]]
        assert len(set(spans)) == len(spans)


def test_a_draft_inside_its_reference_set_is_not_matched_with_itself():
    draft = BBC_BUSINESS / "001.txt"
    result = run("check", str(draft), "--against", str(BBC_BUSINESS), *LEXICAL)
    assert result.exit_code == 0, result.output
    result = run("audit", str(draft), "--against", str(BBC_BUSINESS), *LEXICAL, "--format", "json")
    import json

    report = json.loads(result.output)
    assert result.exit_code == 0
    assert report["documents"][0]["reuse"] == 0.0  # was 1.0: "reused" from itself
    assert str(draft) not in report["references"]


def test_control_sequences_in_an_article_never_reach_the_terminal(tmp_path):
    line = "The minister said the \x1b]0;pwned\x07 talks would resume in Geneva next week after the holiday."
    (tmp_path / "a.txt").write_text(f"{line}\n\n{line}\n", encoding="utf-8")
    for fmt in ("table", "text"):
        result = run("check", str(tmp_path / "a.txt"), *LEXICAL, "--format", fmt)
        assert result.exit_code == 1, result.output
        assert "\x1b" not in result.output and "\x07" not in result.output
        assert "\\x1b]0;pwned\\x07" in result.output


def test_a_newline_in_a_path_keeps_the_text_format_one_line_a_finding(tmp_path):
    odd = tmp_path / "odd\nname.txt"
    shutil.copy(SEED_A, odd)
    result = run("check", str(odd), *LEXICAL, "--format", "text")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 1 and "odd\\nname.txt" in lines[0]


def test_read_only_commands_never_write_the_index(tmp_path):
    article = _article(tmp_path)
    empty = tmp_path / "e.dedup"
    empty.write_bytes(b"")
    for args in (["check", str(article), *LEXICAL, "--against", str(empty)], ["index", "info", str(empty)]):
        result = run(*args)
        assert result.exit_code == 2
        assert "not a dedup index" in result.output
        assert empty.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["article.txt", "e.dedup"]


def test_another_users_read_only_index_is_read(tmp_path):
    import tempfile

    nobody = _as_nobody_or_skip()
    base = Path(tempfile.mkdtemp(prefix="dedup-ro-index-", dir="/tmp"))
    base.chmod(0o755)
    article = base / "article.txt"
    shutil.copy(SEED_A, article)
    article.chmod(0o644)
    index = base / "archive.dedup"
    assert run("index", "build", str(article), *LEXICAL, "-o", str(index)).exit_code == 0
    index.chmod(0o644)
    before = {p.name: p.stat().st_mtime_ns for p in base.iterdir()}
    env = {**os.environ, "HOME": str(base), "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    as_nobody = [*nobody, *DEDUP]
    info = subprocess.run([*as_nobody, "index", "info", str(index)], capture_output=True, text=True, env=env, timeout=120)
    check = subprocess.run([*as_nobody, "check", str(article), *LEXICAL, "--no-cache", "--against", str(index)],
                           capture_output=True, text=True, env=env, timeout=120)
    after = {p.name: p.stat().st_mtime_ns for p in base.iterdir()}
    shutil.rmtree(base)
    assert info.returncode == 0, info.stderr
    assert "documents" in info.stdout
    assert check.returncode == 1, check.stderr  # the seed's own repeat, read against the archive
    assert "readonly" not in check.stderr
    assert after == before


def test_utf16_with_a_bom_is_read_in_either_byte_order(tmp_path):
    text = SEED_A.read_text(encoding="utf-8")
    for name, data in (("le.txt", text.encode("utf-16")), ("be.txt", b"\xfe\xff" + text.encode("utf-16-be"))):
        (tmp_path / name).write_bytes(data)
        result = run("check", str(tmp_path / name), *LEXICAL, "--format", "json")
        assert result.exit_code == 1, result.output  # the seed's repeated sentence, not "binary"
        assert "binary" not in result.output and '"encoding": "utf-16"' in result.output


def _with_bad_byte(tmp_path: Path) -> tuple[Path, bytes]:
    good = SEED_A.read_text(encoding="utf-8").encode("utf-8")
    bad = good[:100] + b"\xff" + good[100:]
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "bad.txt"
    path.write_bytes(bad)
    return path, bad


def test_one_bad_byte_leaves_a_utf8_file_utf8(tmp_path):
    path, _ = _with_bad_byte(tmp_path)
    result = run("check", str(path), *LEXICAL, "--format", "json")
    assert result.exit_code == 1, result.output
    assert "not valid UTF-8 in 1 byte(s), shown as \ufffd (first bad byte at offset 100)" in result.output
    assert '"encoding": "utf-8"' in result.output
    from dedup.documents import read_documents

    (document,), _ = read_documents([path])
    assert "Rouhani \u2013 who will" in document.text and "\u00e2\u20ac" not in document.text  # no cp1252 mojibake
    assert document.text.count("\ufffd") == 1


def test_clean_writes_a_bad_byte_back_as_it_was(tmp_path):
    path, bad = _with_bad_byte(tmp_path)
    result = run("clean", str(path.parent), "-o", str(tmp_path / "out"), *LEXICAL)
    assert result.exit_code == 0, result.output
    repeat = b"\nThe relationship has blossomed under Rouhani despite the countries having a complicated " \
             b"history over territory, oil, and communism."
    assert bad.count(repeat) == 2
    first = bad.index(repeat)
    expected = bad[: first + len(repeat)] + bad[first + len(repeat) :].replace(repeat, b"", 1)
    written = (tmp_path / "out" / "bad.txt").read_bytes()
    assert written[:101] == bad[:101] and written.count(b"\xff") == 1
    assert len(written) == len(expected) and written.replace(b"\r", b"") == expected.replace(b"\r", b"")


def test_cr_only_line_ends_give_real_line_numbers(tmp_path):
    text = SEED_A.read_text(encoding="utf-8").replace("\r\n", "\n").replace("\n", "\r")
    (tmp_path / "mac.txt").write_bytes(text.encode("utf-8"))
    result = run("check", str(tmp_path / "mac.txt"), *LEXICAL, "--format", "text")
    assert result.exit_code == 1
    # The seed's repeat is on line 14 and its first occurrence on line 8, as in the LF original.
    assert "mac.txt:14:1: DUP001" in result.output and "mac.txt:8:1" in result.output


def test_many_bad_json_lines_are_summarised(tmp_path):
    lines = ["{not json"] * 10_000 + [json_line("A record whose text is long enough to be checked as a sentence.")]
    (tmp_path / "bad.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("check", str(tmp_path / "bad.jsonl"), *LEXICAL)
    warnings = [line for line in result.output.splitlines() if line.startswith("dedup: warning")]
    assert len(warnings) == 6
    assert "and 9,995 more bad record(s) skipped (10,000 in all)" in warnings[-1]


def json_line(text: str) -> str:
    import json

    return json.dumps({"text": text})


def test_table_caps_the_matches_of_one_finding(tmp_path):
    line = "Terms of the agreement between the two companies were not disclosed on Monday."
    (tmp_path / "story.txt").write_text("".join(f"Paragraph {i}.\n\n{line}\n\n" for i in range(40)), encoding="utf-8")
    result = run("check", str(tmp_path), *LEXICAL)
    assert result.exit_code == 1
    assert "and 29 more" in result.output
    assert len(result.output.splitlines()) < 30  # not a row for each of 39 matches


def test_table_names_boilerplate_once_with_a_few_places(tmp_path):
    """The same line in 40 stories is a house phrase: one finding, its count, three places, no failure."""
    line = "Terms of the agreement between the two companies were not disclosed on Monday."
    for i in range(40):
        (tmp_path / f"story{i:02d}.txt").write_text(f"Story {i}.\n\n{line}\n", encoding="utf-8")
    result = run("check", str(tmp_path), *LEXICAL)
    assert result.exit_code == 0
    assert "boilerplate in 40 documents" in result.output and "and 36 more" in result.output
    assert len(result.output.splitlines()) < 15
    assert run("check", str(tmp_path), *LEXICAL, "--fail-on", "boilerplate").exit_code == 1
    hidden = run("check", str(tmp_path), *LEXICAL, "--boilerplate", "hide")
    assert hidden.exit_code == 0 and "boilerplate" not in hidden.output.split("finding(s)")[0]


def test_a_killed_index_build_leaves_nothing_the_next_build_keeps(tmp_path):
    import signal
    import time

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent), "HOME": str(tmp_path)}
    out = tmp_path / "archive.dedup"
    proc = subprocess.Popen([*DEDUP, "index", "build", str(BBC_BUSINESS), *LEXICAL, "-o", str(out)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".archive.dedup.tmp-*")) and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    litter = list(tmp_path.glob(".archive.dedup.tmp-*"))
    if not litter:
        import pytest

        pytest.skip("the build finished before it could be killed")
    assert not out.exists()  # never a half-written index under the real name
    result = run("index", "build", str(SEED_A), *LEXICAL, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".archive")) == []


def test_a_run_on_a_terminal_says_where_it_is(tmp_path):
    """On a terminal (util-linux `script` gives the run one) stage lines go to stderr; on a pipe nothing."""
    script = shutil.which("script")
    if script is None:
        pytest.skip("util-linux `script` is not installed")
    article = _article(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent), "HOME": str(tmp_path)}
    command = " ".join([*DEDUP, "check", str(article), *LEXICAL])
    on_tty = subprocess.run([script, "-qc", command, "/dev/null"], env=env, capture_output=True, text=True, timeout=120)
    assert "sentences" in on_tty.stdout and "matching repeats" in on_tty.stdout  # the pty joins both streams
    piped = subprocess.run([*DEDUP, "check", str(article), *LEXICAL], env=env, capture_output=True, text=True,
                           timeout=120)
    assert "matching repeats" not in piped.stderr


def test_clean_of_json_lines_with_a_bad_byte_keeps_every_other_line_as_it_was(tmp_path):
    import json

    text = SEED_A.read_text(encoding="utf-8").replace("\r\n", "\n")
    other = "A second record, about something else entirely, that nothing in this file repeats at all."
    lines = [json.dumps({"id": 1, "text": other + " Caf\u00e9 \u2013 ok."}, ensure_ascii=False).encode("utf-8"),
             json.dumps({"id": 2, "text": text}, ensure_ascii=False).encode("utf-8")]
    lines[0] = lines[0].replace("ok".encode(), b"o\xffk")  # a bad byte in a record nothing is removed from
    lines[1] = lines[1].replace(b"Oil Minister", b"Oil Mini\xfester")  # and one in the record that loses its repeat
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "wire.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    result = run("clean", str(tmp_path / "in"), "-o", str(tmp_path / "out"), *LEXICAL)
    assert result.exit_code == 0, result.output
    assert "not valid UTF-8 in 2 byte(s)" in result.output
    written = (tmp_path / "out" / "wire.jsonl").read_bytes().split(b"\n")
    assert written[0] == lines[0]
    rewritten = json.loads(written[1])["text"]
    assert rewritten.count("The relationship has blossomed under Rouhani") == 1
    assert "Oil Mini\udcfester" in rewritten  # the bad byte, escaped in JSON, where it was


def test_out_holding_only_a_killed_cleans_temporaries_is_cleaned_into_without_force(tmp_path):
    from dedup.files import TMP_PREFIX

    _article(tmp_path)
    (tmp_path / "src").mkdir()
    (tmp_path / "article.txt").rename(tmp_path / "src" / "article.txt")
    out = tmp_path / "out"
    (out / "sub").mkdir(parents=True)
    (out / "sub" / f"{TMP_PREFIX}0123456789abcdef").write_bytes(b"half a fi")  # as a killed clean leaves them
    (out / f"{TMP_PREFIX}fedcba9876543210").write_bytes(b"half a fi")
    result = run("clean", str(tmp_path / "src"), "-o", str(out), *LEXICAL)
    assert result.exit_code == 0, result.output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == ["article.txt", "removed.jsonl"]
    (out / "article.txt").write_text("a finished file of the earlier run", encoding="utf-8")
    result = run("clean", str(tmp_path / "src"), "-o", str(out), *LEXICAL)
    assert result.exit_code == 2 and "not empty" in result.output  # complete files: a real OUT, not litter
