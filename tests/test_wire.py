"""Wire copy as it comes (reuters_dev.jsonl): templates are not repeats, updates name what changed,
house phrases are boilerplate, and no finding chains."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from dedup import Settings
from dedup.baseline import fails
from dedup.clean import REMOVED_LOG, clean
from dedup.core import Document
from dedup.pipeline import check, check_documents
from dedup.story import StorySignature, figure_difference, figures, same_story, states_other_figures, swapped

from .conftest import SHARED

REUTERS = SHARED / "corpora" / "reuters_dev.jsonl"
LEXICAL = Settings(methods=("exact", "fuzzy"), cache=False)


@pytest.fixture(scope="module")
def stories() -> dict[str, dict]:
    if not REUTERS.is_file():
        pytest.skip(f"reuters_dev.jsonl not found at {REUTERS} (set DEDUP_SHARED)")
    with REUTERS.open(encoding="utf-8") as handle:
        return {r["id"]: r for r in map(json.loads, handle)}


def _documents(stories, ids) -> list[Document]:
    return [Document(path=f"{i}.txt", text=stories[i]["text"], id=i) for i in ids]


def test_figures_read_spelled_numbers_as_digits():
    assert figures("Shr two cts vs 36 cts") == ["2", "36"]
    assert not states_other_figures("an annual ten pct cut", "an annual 10 pct cut")
    assert states_other_figures("profit rose to 93 million", "profit rose to 39 million")
    assert figure_difference("Sales 107.6 mln vs 74.9 mln", "Sales 107.7 mln vs 74.9 mln") == ("107.6", "107.7")


def test_earnings_lines_of_two_companies_are_not_repeats(stories):
    """UNITED PRESIDENTIAL's table and WILFRED AMERICAN's share a template, not a fact."""
    a, b = _documents(stories, ["reuters-00027", "reuters-04791"])
    result = check_documents([a, b], LEXICAL)
    assert not [f for f in result.findings if {o.document.id for o in f.occurrences} == {a.id, b.id}]
    signature_a, signature_b = StorySignature.of(a.text), StorySignature.of(b.text)
    assert not same_story(signature_a, signature_b, LEXICAL)


def test_a_resent_table_with_a_corrected_figure_is_a_repeat_that_names_it(stories):
    """ARBOR DRUGS re-sent: "Sales 107.6 mln vs 74.9 mln" became "107.7": an update, not a template."""
    result = check_documents(_documents(stories, ["reuters-00598", "reuters-00620"]), LEXICAL)
    sales = [f for f in result.findings if f.occurrences[0].text.startswith("Sales 107.6")]
    assert len(sales) == 1 and sales[0].kind == "repeat" and sales[0].scope == "across"
    assert [(c.type, c.a, c.b) for c in sales[0].conflicts] == [
        ("number", "107.6 mln vs 74.9 mln", "107.7 mln vs 74.9 mln")
    ]
    unchanged = [f for f in result.findings if f.occurrences[0].text == "Shr 30 cts vs 36 cts"]
    assert len(unchanged) == 1 and not unchanged[0].conflicts


def test_house_phrase_is_one_boilerplate_finding_that_fails_no_gate(stories):
    ids = [i for i, r in stories.items() if "Terms were not disclosed." in r["text"]][:12]
    documents = _documents(stories, ids)
    result = check_documents(documents, LEXICAL)
    terms = [f for f in result.findings if f.occurrences[0].normalized == "terms were not disclosed"]
    assert [f.kind for f in terms] == ["boilerplate"]
    assert len({o.document.id for o in terms[0].occurrences}) == 12
    assert not fails(terms, "claim") and fails(terms, "boilerplate")
    hidden = check_documents(documents, LEXICAL.replace(boilerplate="hide"))
    assert not [f for f in hidden.findings if f.occurrences[0].normalized == "terms were not disclosed"]


def test_no_repeat_finding_chains_on_wire_tables(stories):
    """800 stories of earnings and dividend tables: every member is a near-repeat of one occurrence."""
    ids = list(stories)[:800]
    result = check_documents(_documents(stories, ids), LEXICAL)
    repeats = [f for f in result.findings if f.kind == "repeat"]
    assert len(repeats) > 50
    for f in repeats:
        keys = list(dict.fromkeys(o.normalized for o in f.occurrences))
        assert any(all(k == c or fuzz.ratio(k, c) >= 90 for k in keys) for c in keys), keys
        for o in f.occurrences[1:]:  # different figures only with the detail named
            if states_other_figures(f.occurrences[0].normalized, o.normalized):
                assert f.conflicts, keys
    assert max(len(f.occurrences) for f in repeats) <= 50


def test_clean_keeps_boilerplate_unless_asked_and_never_drops_another_figure(stories, tmp_path):
    ids = [i for i, r in stories.items() if "Terms were not disclosed." in r["text"]][:12]
    ids += ["reuters-00598", "reuters-00620"]
    source = tmp_path / "wire.jsonl"
    source.write_text("".join(json.dumps(stories[i]) + "\n" for i in ids), encoding="utf-8")
    before = source.read_bytes()

    def removed(out: Path) -> list[dict]:
        return [json.loads(line) for line in (Path(out) / REMOVED_LOG).read_text(encoding="utf-8").splitlines()]

    kept = clean([source], tmp_path / "keep", LEXICAL)
    assert not [r for r in removed(kept.out) if r["text"] == "Terms were not disclosed."]
    dropped = clean([source], tmp_path / "drop", LEXICAL, drop_boilerplate=True)
    terms = [r for r in removed(dropped.out) if r["text"] == "Terms were not disclosed."]
    assert len(terms) == 11 and {r["reason"] for r in terms} == {"boilerplate"}
    for out in (kept.out, dropped.out):
        texts = [r["text"] for r in removed(out)]
        assert "Sales 107.7 mln vs 74.9 mln" not in texts  # the corrected figure stays
    assert source.read_bytes() == before


def test_check_of_the_corpus_file_reports_boilerplate_once(stories, tmp_path):
    """Through the file reader as a user runs it, 1,500 stories: house phrases are boilerplate, never repeats."""
    source = tmp_path / "wire.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in list(stories.values())[:1500]), encoding="utf-8")
    result = check([str(source)], LEXICAL.replace(id_field="id"))
    boilerplate = [f for f in result.findings if f.kind == "boilerplate"]
    assert boilerplate
    threshold = LEXICAL.boilerplate_documents(1500)
    for f in result.findings:
        documents = len({id(o.document) for o in f.occurrences})
        assert (f.kind == "boilerplate") == (documents >= threshold) or f.kind == "claim"


def test_a_house_phrase_of_the_archive_is_boilerplate_in_a_draft(stories, tmp_path):
    """A draft using "Terms were not disclosed." against an archive where 12 stories do has copied no one;
    a draft copying a story's sentence still repeats it."""
    from dedup.index import build_index, check_against_index

    ids = [i for i, r in stories.items() if "Terms were not disclosed." in r["text"]][:12]
    ids += list(stories)[:60]
    archive = tmp_path / "archive.jsonl"
    archive.write_text("".join(json.dumps(stories[i]) + "\n" for i in dict.fromkeys(ids)), encoding="utf-8")
    settings = LEXICAL.replace(id_field="id")
    build_index([archive], tmp_path / "archive.dedup", settings)
    copied = stories[ids[0]]["text"].split("\n\n", 1)[1].split(".")[0] + "."
    draft = Document(path="draft.txt", text=f"Acme Corp bought Widget Co. Terms were not disclosed.\n\n{copied}\n")
    result = check_against_index([draft], tmp_path / "archive.dedup", settings)
    kinds = {f.occurrences[-1].normalized: f.kind for f in result.findings}
    assert kinds.get("terms were not disclosed") == "boilerplate"
    assert any(kind == "repeat" for kind in kinds.values()), (copied, kinds)
    assert not fails([f for f in result.findings if f.kind == "boilerplate"], "claim")


def test_audit_of_an_update_shows_what_changed_from_the_wire(stories):
    """ARBOR DRUGS re-sent with "Sales 107.7 mln": the audit names the change in table, JSON and HTML."""
    from dedup.audit import audit_documents
    from dedup.report.audit_table import render

    source, draft = _documents(stories, ["reuters-00598", "reuters-00620"])
    result = audit_documents([draft], [source], LEXICAL)
    (audit,) = result.documents
    changed = [r for r in audit.reused if r.conflicts]
    assert [(r.sentence.text, r.conflicts[0].a, r.conflicts[0].b) for r in changed] == [
        ("Sales 107.7 mln vs 74.9 mln", "107.6 mln vs 74.9 mln", "107.7 mln vs 74.9 mln")
    ]
    table = render(result, "table")
    assert "changed details" in table and "107.6 mln vs 74.9 mln" in table and "107.7 mln vs 74.9 mln" in table
    sentences = json.loads(render(result, "json"))["documents"][0]["sentences"]
    assert [c for s in sentences for c in s["conflicts"]] == [
        {"type": "number", "source": "107.6 mln vs 74.9 mln", "draft": "107.7 mln vs 74.9 mln"}
    ]
    assert "107.6 mln vs 74.9 mln" in render(result, "html")


def test_same_words_other_meaning_is_a_conflict_that_clean_keeps(tmp_path):
    """PAWS dev: "a British ship ... a French trade man" / "a French ship ... a British trade man"."""
    a = "Earl St Vincent was a British ship that was captured in 1803 and became a French trade man."
    b = "Earl St Vincent was a French ship that was captured in 1803 and became a British trade man."
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text(a + "\n", encoding="utf-8")
    (tmp_path / "src" / "b.txt").write_text(b + "\n", encoding="utf-8")
    result = check([str(tmp_path / "src")], LEXICAL)
    (finding,) = result.findings
    assert finding.kind == "repeat" and [(c.type, c.a, c.b) for c in finding.conflicts] == [
        ("order", "British ... French", "French ... British")
    ]
    report = clean([tmp_path / "src"], tmp_path / "out", LEXICAL)
    assert report.spans_removed == 0
    assert (tmp_path / "out" / "b.txt").read_text(encoding="utf-8") == b + "\n"


def _paws_dev() -> dict[str, tuple[str, str, bool]]:
    path = SHARED / "eval" / "paws_wiki_dev.tsv"
    if not path.is_file():
        pytest.skip(f"PAWS dev not found at {path} (set DEDUP_SHARED)")
    with path.open(encoding="utf-8") as handle:
        rows = [line.rstrip("\n").split("\t") for line in handle][1:]
    return {r[1].rsplit("-", 1)[0]: (r[3], r[4], r[0] == "1") for r in rows}


@pytest.mark.parametrize("pair, exchange", [
    # different meaning: names, superlatives exchanged, with other edits beside them
    ("paws-dev-685", ("Palghar ... Dahanu", "Dahanu ... Palghar")),
    ("paws-dev-1193", ("on average , the coldest ... the hottest", "the hottest ... on average , the coldest")),
    # paraphrases: a list in another order, a name whose words moved
    ("paws-dev-2088", None),
    ("paws-dev-1738", None),
])
def test_spans_that_trade_places_are_an_exchange_unless_list_items(pair, exchange):
    a, b, _ = _paws_dev()[pair]
    assert swapped(a, b) == exchange


def test_exchanges_separate_paws_near_repeats_by_meaning():
    """Of PAWS dev pairs at fuzz.ratio >= 90, the exchange test flags a third of the different-meaning ones
    and almost no paraphrase (docs/conflicts.md: 199 of 492 against 14 of 1,855)."""
    from dedup.normalize import normalize

    near = [(a, b, same) for a, b, same in _paws_dev().values() if fuzz.ratio(normalize(a), normalize(b)) >= 90]
    different = [swapped(a, b) is not None for a, b, same in near if not same]
    paraphrase = [swapped(a, b) is not None for a, b, same in near if same]
    assert len(different) > 400 and len(paraphrase) > 1500
    assert sum(different) / len(different) >= 0.35
    assert sum(paraphrase) / len(paraphrase) <= 0.01


def test_earnings_lines_with_figures_traded_are_no_plain_repeat(stories, tmp_path):
    """"Shr 1.23 dlrs vs 1.33 dlrs" / "Shr 1.33 dlrs vs 1.23 dlrs": the same figures, the other fact."""
    lines = {i: next(line.strip() for line in stories[i]["text"].splitlines() if line.strip().startswith("Shr 1."))
             for i in ("reuters-01727", "reuters-07734")}
    assert swapped(lines["reuters-01727"], lines["reuters-07734"]) == ("1.23 ... 1.33", "1.33 ... 1.23")
    assert figure_difference(lines["reuters-01727"], lines["reuters-07734"]) is None


def test_a_negation_only_one_side_makes_is_a_conflict_and_clean_keeps_both(stories, tmp_path):
    """Banner's offer "will not be extended"; a rewrite that drops the "not" says the opposite."""
    original = stories["reuters-00657"]["text"]
    sentence = next(s for s in original.split(".") if "will not be extended" in " ".join(s.split()))
    flipped = original.replace(sentence, re.sub(r"will\s+not\s+be", "will be", sentence))
    assert flipped != original
    rewrite = Document(path="rewrite.txt", text="Desk note, rewritten from the wire this morning.\n\n" + flipped, id="rw")
    result = check_documents([*_documents(stories, ["reuters-00657"]), rewrite], LEXICAL)
    flipped_finding = next(f for f in result.findings if "extended" in f.occurrences[0].text)
    assert [c.type for c in flipped_finding.conflicts] == ["negation"]
    assert flipped_finding.severity == "conflict"

    source = tmp_path / "wire"
    source.mkdir()
    (source / "a.txt").write_text(original, encoding="utf-8")
    (source / "b.txt").write_text(rewrite.text, encoding="utf-8")
    report = clean([source], tmp_path / "out", LEXICAL)
    cleaned = " ".join((tmp_path / "out" / "b.txt").read_text(encoding="utf-8").split())
    assert report.spans_removed > 0  # the sentences copied word for word go
    assert "expired last Friday and will be extended." in cleaned  # the opposite fact stays
