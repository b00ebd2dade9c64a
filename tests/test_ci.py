"""dedup as a CI check on drafts: exit codes, fail levels, baseline, config, suppression, --against."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from click.testing import CliRunner

from dedup.cli import main
from dedup.config import ConfigError, discover, load

from .conftest import bbc_text

LEXICAL = ["--methods", "exact,fuzzy"]
REPEATED = (
    "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn (£600m) for the three "
    "months to December, from $639m year-earlier."
)


def invoke(*args, cwd=None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, list(args))
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, list(args))
    finally:
        os.chdir(old)


@pytest.fixture
def drafts(tmp_path, bbc):
    folder = tmp_path / "drafts"
    folder.mkdir()
    (folder / "clean.md").write_text(bbc_text("business/002.txt"), encoding="utf-8")
    (folder / "story.md").write_text(bbc_text("business/001.txt"), encoding="utf-8")
    return folder


def test_draft_with_repeat_fails_and_clean_one_passes(drafts):
    story = drafts / "story.md"
    assert invoke("check", str(drafts), *LEXICAL).exit_code == 0
    story.write_text(story.read_text(encoding="utf-8") + "\n\n" + REPEATED + "\n", encoding="utf-8")
    result = invoke("check", str(drafts), *LEXICAL, "--format", "json")
    assert result.exit_code == 1
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["kind"], finding["scope"]) == ("repeat", "within")


def test_fail_on_levels(drafts):
    story = drafts / "story.md"
    story.write_text(story.read_text(encoding="utf-8") + "\n\n" + REPEATED + "\n", encoding="utf-8")
    assert invoke("check", str(drafts), *LEXICAL, "--fail-on", "repeat").exit_code == 1
    assert invoke("check", str(drafts), *LEXICAL, "--fail-on", "conflict").exit_code == 0  # exact repeat, no conflict
    assert invoke("check", str(drafts), *LEXICAL, "--fail-on", "none").exit_code == 0
    assert invoke("check", str(drafts), *LEXICAL, "--fail-on", "sometimes").exit_code == 2


def test_baseline_round_trip(drafts, tmp_path):
    story = drafts / "story.md"
    story.write_text(story.read_text(encoding="utf-8") + "\n\n" + REPEATED + "\n", encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    written = invoke("check", str(drafts), *LEXICAL, "--write-baseline", str(baseline))
    assert written.exit_code == 0 and baseline.is_file()
    assert invoke("check", str(drafts), *LEXICAL, "--baseline", str(baseline)).exit_code == 0
    # Edits elsewhere (lines move) do not revive the baselined finding.
    story.write_text("A new headline for the draft\n\n" + story.read_text(encoding="utf-8"), encoding="utf-8")
    assert invoke("check", str(drafts), *LEXICAL, "--baseline", str(baseline)).exit_code == 0
    # A new repeat fails again.
    new_repeat = "The firm, which is now one of the biggest investors in Google, benefited from sales of high-speed internet connections and higher advert sales."
    story.write_text(story.read_text(encoding="utf-8") + "\n\n" + new_repeat + "\n", encoding="utf-8")
    result = invoke("check", str(drafts), *LEXICAL, "--baseline", str(baseline), "--format", "json")
    assert result.exit_code == 1
    (finding,) = json.loads(result.stdout)["findings"]
    assert "biggest investors in Google" in finding["occurrences"][0]["text"]


def test_baseline_says_when_other_deciders_wrote_it(drafts, tmp_path):
    """An upgrade that changes what decides findings turns a CI gate red; the warning says why."""
    story = drafts / "story.md"
    story.write_text(story.read_text(encoding="utf-8") + "\n\n" + REPEATED + "\n", encoding="utf-8")
    baseline = tmp_path / "baseline.json"
    assert invoke("check", str(drafts), *LEXICAL, "--write-baseline", str(baseline)).exit_code == 0
    data = json.loads(baseline.read_text(encoding="utf-8"))
    assert data["decided_by"]["methods"] == "exact,fuzzy"
    same = invoke("check", str(drafts), *LEXICAL, "--baseline", str(baseline))
    assert same.exit_code == 0 and "warning" not in same.stderr

    data["decided_by"]["dedup"] = "0.0.1"
    baseline.write_text(json.dumps(data), encoding="utf-8")
    upgraded = invoke("check", str(drafts), *LEXICAL, "--baseline", str(baseline))
    assert upgraded.exit_code == 0  # still hides what it recorded
    assert "written with dedup 0.0.1; this run uses dedup " in upgraded.stderr
    assert "--write-baseline" in upgraded.stderr

    del data["decided_by"]  # a file from before decided_by: nothing to compare
    baseline.write_text(json.dumps(data), encoding="utf-8")
    assert "warning" not in invoke("check", str(drafts), *LEXICAL, "--baseline", str(baseline)).stderr


def test_baseline_records_the_weights_that_decide_claims():
    from dedup.baseline import Baseline, decided_by, decider_drift
    from dedup.settings import Settings
    from dedup.verify import VERIFIER_SHA256

    verifier, rule = Settings(), Settings(claim_decider="rule")
    assert decided_by(verifier)["verifier"] == VERIFIER_SHA256[:16] and "claim_model" not in decided_by(verifier)
    assert "verifier" not in decided_by(rule) and len(decided_by(rule)["claim_model"]) == 16
    written_by_rule = Baseline(frozenset(), decided_by(rule))
    drift = decider_drift(written_by_rule, verifier)
    assert drift.startswith("the baseline was written with claim_decider rule; this run uses claim_decider verifier")
    older_verifier = Baseline(frozenset(), {**decided_by(verifier), "verifier": "0" * 16})
    assert f"verifier {VERIFIER_SHA256[:16]}" in decider_drift(older_verifier, verifier)
    assert decider_drift(Baseline(frozenset(), decided_by(verifier)), verifier) is None
    # Moving a decision point is drift too, though the weights stay: here the point of sentences sharing their words.
    moved = verifier.replace(verifier_lexical_point=0.5)
    drift = decider_drift(Baseline(frozenset(), decided_by(moved)), verifier)
    assert drift is not None and "verifier_points" in drift and "shared words 0.5 at 85" in drift
    assert decided_by(rule).get("verifier_points") is None


def test_bad_baseline_is_a_usage_error(drafts, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    result = invoke("check", str(drafts), *LEXICAL, "--baseline", str(bad))
    assert result.exit_code == 2 and "not a readable dedup baseline" in result.stderr


def test_inline_ignore_comment_in_markdown(drafts):
    story = drafts / "story.md"
    story.write_text(story.read_text(encoding="utf-8") + "\n\n" + REPEATED + " <!-- dedup: ignore -->\n", encoding="utf-8")
    assert invoke("check", str(drafts), *LEXICAL).exit_code == 0


def test_ignore_pattern_skips_boilerplate(tmp_path):
    line = "Reporting by Jane Smith in London; editing by John Doe and the team"
    (tmp_path / "a.txt").write_text(f"{REPEATED}\n{line}\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text(f"Another story about other things entirely today.\n{line}\n", encoding="utf-8")
    assert invoke("check", str(tmp_path), *LEXICAL).exit_code == 1
    assert invoke("check", str(tmp_path), *LEXICAL, "--ignore", "^Reporting by").exit_code == 0
    assert invoke("check", str(tmp_path), *LEXICAL, "--ignore", "(unclosed").exit_code == 2


def test_config_discovery_and_precedence(tmp_path, drafts):
    project = tmp_path / "project"
    (project / "sub" / "deeper").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[tool.dedup]\nmethods = ["exact"]\nfail-on = "none"\nmin-words = 5\n', encoding="utf-8")
    assert discover(project / "sub" / "deeper") == project / "pyproject.toml"
    assert load(start=project / "sub").values == {"methods": ["exact"], "fail_on": "none", "min_words": 5}
    # A .dedup.toml nearer the working directory wins over the pyproject further up.
    (project / "sub" / ".dedup.toml").write_text('fail-on = "repeat"\n', encoding="utf-8")
    assert discover(project / "sub" / "deeper") == project / "sub" / ".dedup.toml"
    story = drafts / "story.md"
    story.write_text(story.read_text(encoding="utf-8") + "\n\n" + REPEATED + "\n", encoding="utf-8")
    # From project/: fail-on none from pyproject -> exit 0; the flag wins -> exit 1.
    assert invoke("check", str(drafts), cwd=project).exit_code == 0
    assert invoke("check", str(drafts), "--fail-on", "claim", cwd=project).exit_code == 1
    # From project/sub/deeper: .dedup.toml says fail on repeats -> exit 1.
    assert invoke("check", str(drafts), "--methods", "exact", cwd=project / "sub" / "deeper").exit_code == 1


def test_config_errors_exit_two(tmp_path, drafts):
    (tmp_path / ".dedup.toml").write_text("telepathy = true\n", encoding="utf-8")
    result = invoke("check", str(drafts), cwd=tmp_path)
    assert result.exit_code == 2 and "unknown key 'telepathy'" in result.output
    with pytest.raises(ConfigError):
        (tmp_path / ".dedup.toml").write_text("min-words = 'four'\n", encoding="utf-8")
        load(tmp_path / ".dedup.toml")


def test_include_exclude_globs(tmp_path):
    (tmp_path / "keep").mkdir()
    (tmp_path / "skip").mkdir()
    for folder in ("keep", "skip"):
        (tmp_path / folder / "a.txt").write_text(REPEATED, encoding="utf-8")
    (tmp_path / "keep" / "b.text").write_text(REPEATED, encoding="utf-8")
    result = invoke("check", str(tmp_path), *LEXICAL, "--exclude", "skip/*", "--include", "*.txt", "--format", "json")
    assert result.exit_code == 0
    assert [os.path.relpath(d["path"], tmp_path) for d in json.loads(result.stdout)["documents"]] == ["keep/a.txt"]
    result = invoke("check", str(tmp_path), *LEXICAL, "--exclude", "skip/*", "--include", "*.txt", "--include", "*.text")
    assert result.exit_code == 1


def test_against_reference_never_pairs_references(tmp_path, bbc):
    refs = tmp_path / "refs"
    refs.mkdir()
    # business/007 and business/253 are the same article: a reference-vs-reference repeat.
    shutil.copy(bbc / "business" / "007.txt", refs / "007.txt")
    shutil.copy(bbc / "business" / "253.txt", refs / "253.txt")
    draft = tmp_path / "draft.txt"
    draft.write_text(bbc_text("business/002.txt"), encoding="utf-8")
    assert invoke("check", str(refs), *LEXICAL).exit_code == 1  # the references do repeat each other
    assert invoke("check", str(draft), *LEXICAL, "--against", str(refs)).exit_code == 0
    copied = bbc_text("business/007.txt").split("\n\n")[1]
    draft.write_text(draft.read_text(encoding="utf-8") + "\n\n" + copied + "\n", encoding="utf-8")
    result = invoke("check", str(draft), *LEXICAL, "--against", str(refs), "--format", "json")
    assert result.exit_code == 1
    for finding in json.loads(result.stdout)["findings"]:
        assert any(o["path"] == str(draft) for o in finding["occurrences"])
