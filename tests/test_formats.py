"""The linter-style formats (text, github, sarif, jsonl) on real text, all derived from one result.

The SARIF schema in tests/data/sarif-schema-2.1.0.json is the OASIS SARIF
2.1.0 schema, saved byte for byte from the public repository
oasis-tcs/sarif-spec, path Documents/CommitteeSpecifications/2.1.0/sarif-schema-2.1.0.json
(commit 3682e9ee648f2f3e11ba1fcd47fc390a0b8f9dab; 112,318 characters; it
declares JSON Schema draft-07).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import dedup
from dedup.cli import main
from dedup.core import Conflict, Document, Finding, Sentence
from dedup.report import FORMATS, github, json_report, jsonl, rules, sarif, text

from .conftest import BBC, SEED_A, SEEDS

LEXICAL = dedup.Settings(methods=("exact", "fuzzy"))
SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
TEXT_LINE = re.compile(r"^[^:]+:\d+:\d+: DUP\d{3} ")

# Real BBC sentences: the repeat and the near-repeat (76% -> 67%) come from business/001.txt.
REPEATED = "Time Warner said on Friday that it now owns 8% of search-engine Google."
NEAR_REPEAT = (
    "Quarterly profits at US media giant TimeWarner jumped 67% to $1.13bn (£600m) "
    "for the three months to December, from $639m year-earlier."
)


def _second_article(extra_top: str = "", repeated: str = REPEATED) -> str:
    """business/002.txt's opening paragraphs with a sentence of 001.txt and the near-repeat added."""
    paragraphs = (BBC / "business" / "002.txt").read_text(encoding="utf-8").split("\n\n")[:3]
    paragraphs.insert(2, repeated)
    paragraphs.append(NEAR_REPEAT)
    return extra_top + "\n\n".join(paragraphs) + "\n"


@pytest.fixture()
def corpus(bbc, tmp_path, monkeypatch) -> Path:
    """a.txt = business/001.txt; b.txt = part of business/002.txt repeating two sentences of a.txt."""
    monkeypatch.chdir(tmp_path)  # paths relative to the working directory, as in a checkout
    shutil.copy(bbc / "business" / "001.txt", tmp_path / "a.txt")
    (tmp_path / "b.txt").write_text(_second_article(), encoding="utf-8")
    return tmp_path


def _check(*paths: str, **kwargs) -> dedup.CheckResult:
    return dedup.check(list(paths), LEXICAL, **kwargs)


def _sarif(result) -> dict:
    return json.loads(sarif.render(result))


def _by_rule(doc: dict) -> dict[str, dict]:
    return {r["ruleId"]: r for r in doc["runs"][0]["results"]}


def _result_quoting(doc: dict, words: str) -> dict:
    (res,) = [r for r in doc["runs"][0]["results"]
              if words in r["locations"][0]["physicalLocation"]["region"]["snippet"]["text"]]
    return res


# --- rules ------------------------------------------------------------------


def test_rule_table_is_stable():
    assert [(r.id, r.name, r.level) for r in rules.RULES] == [
        ("DUP001", "repeat-within", "warning"),
        ("DUP002", "repeat-across", "warning"),
        ("DUP003", "claim-within", "note"),
        ("DUP004", "claim-across", "note"),
        ("DUP005", "conflicting-detail", "warning"),
        ("DUP006", "boilerplate", "note"),
    ]


def test_rule_for_each_kind_scope_and_conflicts_take_over():
    doc = Document("x.txt", "One two three four five. One two three four five.")
    occ = [Sentence(doc, 0, 24), Sentence(doc, 25, 49)]
    for kind, scope, code in [("boilerplate", "across", "DUP006"), ("repeat", "within", "DUP001"), ("repeat", "across", "DUP002"),
                              ("claim", "within", "DUP003"), ("claim", "across", "DUP004")]:
        finding = Finding(kind, scope, 0.9, ["fuzzy"], occ)
        assert rules.rule_for(finding).id == code
        finding.conflicts = [Conflict("number", "4", "5")]
        assert rules.rule_for(finding).id == "DUP005"


# --- within one document: the seeds -----------------------------------------


def test_seed_repeat_is_reported_at_the_later_occurrence_in_every_format():
    result = _check(str(SEEDS))
    (finding,) = result.findings
    assert [o.line for o in finding.occurrences] == [8, 14]

    (line,) = text.render(result).splitlines()
    assert TEXT_LINE.match(line), line
    assert line.startswith(f"{SEED_A}:14:1: DUP001 Repeats the sentence at {SEED_A}:8:1: ")
    assert '"The relationship has blossomed' in line

    (command,) = github.render(result).splitlines()
    assert command.startswith("::warning file=") and ",line=14,col=1,endLine=14," in command
    assert ",title=DUP001 repeat within::" in command

    (res,) = _sarif(result)["runs"][0]["results"]
    assert res["ruleId"] == "DUP001" and res["level"] == "warning"
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 14
    (related,) = res["relatedLocations"]
    assert related["physicalLocation"]["region"]["startLine"] == 8
    assert "](1)" in res["message"]["text"]  # the message links to related location 1


# --- across documents: real BBC text ----------------------------------------


def test_text_lines_name_the_earlier_occurrence(corpus):
    out = text.render(_check("a.txt", "b.txt"))
    lines = out.splitlines()
    assert len(lines) == 2 and all(TEXT_LINE.match(line) for line in lines), out
    assert lines[0].startswith("b.txt:5:1: DUP002 Repeats the sentence at a.txt:7:1: ")
    assert REPEATED in lines[0]
    assert lines[1].startswith("b.txt:9:1: DUP005 ")
    assert "a.txt:3:1" in lines[1] and '"jumped 76%" vs "jumped 67%"' in lines[1]
    assert lines == sorted(lines, key=lambda s: (s.split(":")[0], int(s.split(":")[1])))


def test_sarif_validates_against_the_official_schema(corpus):
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    for result in (_check("a.txt", "b.txt"), _check(str(SEEDS)), _check("b.txt")):
        jsonschema.Draft7Validator(schema).validate(_sarif(result))


def test_sarif_result_shape_at_later_occurrence_with_related_earlier(corpus):
    result = _check("a.txt", "b.txt")
    doc = _sarif(result)
    run = doc["runs"][0]
    assert doc["version"] == "2.1.0" and run["columnKind"] == "unicodeCodePoints"
    driver = run["tool"]["driver"]
    assert driver["name"] == "dedup" and driver["version"] == dedup.__version__
    assert [r["id"] for r in driver["rules"]] == [r.id for r in rules.RULES]
    assert all(r["defaultConfiguration"]["level"] == rule.level for r, rule in zip(driver["rules"], rules.RULES))

    results = _by_rule(doc)
    assert set(results) == {"DUP002", "DUP005"}
    b_lines = Path("b.txt").read_text(encoding="utf-8").split("\n")
    for res in results.values():
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
        (loc,) = res["locations"]
        art = loc["physicalLocation"]["artifactLocation"]
        assert art == {"uri": "b.txt", "uriBaseId": "%SRCROOT%"}
        region = loc["physicalLocation"]["region"]
        assert region["startLine"] == region["endLine"]
        # endColumn is exclusive: the region slices exactly the sentence out of its line.
        line = b_lines[region["startLine"] - 1]
        assert line[region["startColumn"] - 1 : region["endColumn"] - 1] == region["snippet"]["text"]
        (related,) = res["relatedLocations"]
        assert related["id"] == 1 and related["message"]["text"] == "first occurrence"
        assert related["physicalLocation"]["artifactLocation"]["uri"] == "a.txt"

    repeat = results["DUP002"]
    assert repeat["locations"][0]["physicalLocation"]["region"]["snippet"]["text"] == REPEATED
    assert repeat["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 7
    conflict = results["DUP005"]
    assert conflict["properties"]["kind"] == "repeat" and conflict["properties"]["scope"] == "across"
    assert conflict["properties"]["conflicts"] == [{"type": "percent", "a": "jumped 76%", "b": "jumped 67%"}]
    fingerprints = {f["fingerprint"] for f in json_report.to_dict(result)["findings"]}
    assert {r["partialFingerprints"][sarif.FINGERPRINT_KEY] for r in results.values()} == fingerprints


def test_partial_fingerprints_survive_moved_lines_but_not_changed_text(corpus):
    google = "search-engine Google"
    before = _result_quoting(_sarif(_check("a.txt", "b.txt")), google)
    assert before["ruleId"] == "DUP002"

    Path("b.txt").write_text(_second_article(extra_top="\n\n\n"), encoding="utf-8")
    moved = _result_quoting(_sarif(_check("a.txt", "b.txt")), google)
    line = lambda r: r["locations"][0]["physicalLocation"]["region"]["startLine"]  # noqa: E731
    assert line(moved) == line(before) + 3
    assert moved["partialFingerprints"] == before["partialFingerprints"]

    Path("b.txt").write_text(_second_article(repeated=REPEATED.replace("Friday", "Thursday")), encoding="utf-8")
    changed = _result_quoting(_sarif(_check("a.txt", "b.txt")), google)  # now a fuzzy repeat
    assert "on Thursday" in changed["locations"][0]["physicalLocation"]["region"]["snippet"]["text"]
    assert changed["ruleId"] == "DUP005"  # "on Friday" vs "on Thursday": the rule changes too
    assert changed["partialFingerprints"] != before["partialFingerprints"]


def test_against_reports_at_the_draft_not_the_reference(corpus):
    result = _check("b.txt", against=["a.txt"])
    assert all(f.last.document.path == "a.txt" for f in result.findings)  # references read last
    for line in text.render(result).splitlines():
        assert line.startswith("b.txt:"), line
    for res in _sarif(result)["runs"][0]["results"]:
        assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "b.txt"


# --- github -----------------------------------------------------------------


def test_github_escaping_rules():
    assert github.escape_data("100% sure\r\nnext") == "100%25 sure%0D%0Anext"
    assert github.escape_property("desk, 1: a%b\n") == "desk%2C 1%3A a%25b%0A"


def test_github_commands_escape_paths_and_messages(corpus):
    desk = corpus / "desk, 1: drafts"
    desk.mkdir()
    odd_a = desk / "wire\ncopy.txt"  # a newline in the earlier file's name reaches the message
    shutil.move(corpus / "a.txt", odd_a)
    shutil.move(corpus / "b.txt", desk / "b.txt")
    result = _check(str(odd_a.relative_to(corpus)), str((desk / "b.txt").relative_to(corpus)))
    out = github.render(result)
    lines = out.splitlines()
    assert len(lines) == len(result.findings) == 2  # one command per finding, whatever the text holds
    repeat = next(line for line in lines if "DUP002" in line)
    assert repeat.startswith("::warning file=desk%2C 1%3A drafts/b.txt,line=5,col=1,endLine=5,endColumn=72,")
    props, message = repeat[len("::warning "):].split("::", 1)
    assert ",title=DUP002 repeat across" in "," + props
    assert "wire%0Acopy.txt" in message and "8%25 of search-engine Google" in message
    assert "\n" not in message and "\r" not in message
    assert props.count("=") == 6 and props.count(",") == 5  # commas inside values are escaped


def test_github_level_follows_the_rule():
    doc = Document("x.txt", "Alpha beta gamma delta. Alpha beta gamma delta!")
    finding = Finding("claim", "within", 0.8, ["semantic"], [Sentence(doc, 0, 23), Sentence(doc, 24, 47)])
    assert github.command(finding).startswith("::notice file=x.txt,line=1,col=25,endLine=1,endColumn=48,")
    finding.conflicts = [Conflict("number", "4", "5")]
    assert github.command(finding).startswith("::warning ")


# --- jsonl ------------------------------------------------------------------


def test_jsonl_lines_equal_the_contract_findings(corpus):
    for result in (_check("a.txt", "b.txt"), _check(str(SEEDS))):
        lines = jsonl.render(result).splitlines()
        assert [json.loads(line) for line in lines] == json_report.to_dict(result)["findings"]
    assert jsonl.render(_check("a.txt")) == ""


# --- records and the CLI ----------------------------------------------------


def test_jsonl_input_records_are_located_by_record_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sentence = "The relationship has blossomed under Rouhani despite a complicated history over oil."
    records = [{"text": "Opening line of the first story here. " + sentence},
               {"text": "A different story entirely begins here today."},
               {"text": sentence + " Closing words of the third story."}]
    Path("feed.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = _check("feed.jsonl")
    (line,) = text.render(result).splitlines()
    assert line.startswith("feed.jsonl:3:1: DUP002 ") and "feed.jsonl:1:1" in line
    (res,) = _sarif(result)["runs"][0]["results"]
    assert res["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "endLine": 3, "snippet": {"text": sentence}}


@pytest.mark.parametrize("fmt", ["text", "github", "sarif", "jsonl"])
def test_cli_formats(fmt):
    assert fmt in FORMATS
    out = CliRunner().invoke(main, ["check", str(SEEDS), "--methods", "exact,fuzzy", "--format", fmt])
    assert out.exit_code == 1, out.output
    if fmt == "sarif":
        assert json.loads(out.output)["runs"][0]["results"][0]["ruleId"] == "DUP001"
    elif fmt == "jsonl":
        assert json.loads(out.output)["kind"] == "repeat"
    else:
        assert len(out.output.splitlines()) == 1 and "DUP001" in out.output
