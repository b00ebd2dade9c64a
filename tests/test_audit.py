"""`dedup audit`: reuse shares, attribution, the three formats, and the acceptance pairs of the BBC corpus.

The sentences are real: the arithmetic uses sentences of BBC business/001.txt
and the Jet Airways story, the attribution tests sentences found verbatim in
the BBC corpus (each one is checked against the corpus when it is present).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import dedup
from dedup.audit import attribution, audit, audit_documents, dateline_attribution, over_limit
from dedup.core import Document
from dedup.report import audit_html, audit_table

from .conftest import BBC, ROOT

LEXICAL = dedup.Settings(methods=("exact", "fuzzy"), cache=False)

A = "Time Warner said on Friday that it now owns 8% of search-engine Google."
B_SOURCE = (
    "Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn (£600m) "
    "for the three months to December, from $639m year-earlier."
)
B_DRAFT = B_SOURCE.replace("76%", "67%")
C = "The share offer, representing about 20% of Jet's equity, was oversubscribed, news agency Reuters reported."
D = (
    "The firm, which is now one of the biggest investors in Google, benefited from sales of "
    "high-speed internet connections and higher advert sales."
)
SHORT = "Why?"
SOURCE1_OTHER = "Its profits were buoyed by one-off gains which offset a profit dip at Warner Bros, and less users for AOL."
SOURCE2_OTHER = "Jet Airways, India's biggest airline, raised about $350m in its initial public offering."


def _doc(path: str, *sentences: str) -> Document:
    return Document(path=path, text="\n\n".join(sentences) + "\n")


def _fixture():
    draft = _doc("draft.txt", A, SHORT, B_DRAFT, C, D)
    source1 = _doc("source1.txt", SOURCE1_OTHER, A, B_SOURCE)
    source2 = _doc("source2.txt", SOURCE2_OTHER, C)
    return draft, source1, source2


# --- share arithmetic ----------------------------------------------------------


def test_shares_are_characters_of_reused_sentences_over_matchable_ones():
    draft, source1, source2 = _fixture()
    result = audit_documents([draft], [source2, source1], LEXICAL)
    (d,) = result.documents
    eligible = len(A) + len(B_DRAFT) + len(C) + len(D)
    assert d.eligible_chars == eligible
    assert d.chars == eligible + len(SHORT)  # "Why?" is too short to match: out of both sides of the fraction
    assert [r.sentence.text for r in d.reused] == [A, B_DRAFT, C]
    assert d.reuse == pytest.approx((len(A) + len(B_DRAFT) + len(C)) / eligible)
    assert d.attributed == pytest.approx(len(C) / eligible)
    assert d.unattributed == pytest.approx((len(A) + len(B_DRAFT)) / eligible)
    assert d.attributed + d.unattributed == pytest.approx(d.reuse)
    assert d.original == pytest.approx(len(D) / eligible)


def test_sources_most_first_and_add_up_to_the_reuse_share():
    draft, source1, source2 = _fixture()
    d = audit_documents([draft], [source2, source1], LEXICAL).documents[0]
    assert [s.document.path for s in d.sources] == ["source1.txt", "source2.txt"]
    assert d.sources[0].share == pytest.approx((len(A) + len(B_DRAFT)) / d.eligible_chars)
    assert d.sources[0].sentences == 2
    assert sum(s.share for s in d.sources) == pytest.approx(d.reuse)


def test_method_score_and_conflicts_per_sentence():
    draft, source1, source2 = _fixture()
    d = audit_documents([draft], [source1, source2], LEXICAL).documents[0]
    a, b, c = d.reused
    assert (a.kind, a.method, a.score, a.conflicts) == ("repeat", "exact", 1.0, [])
    assert a.source.text == A and a.source.document.path == "source1.txt"
    assert (b.kind, b.method) == ("repeat", "fuzzy")
    assert 0.9 <= b.score < 1.0
    assert b.source.text == B_SOURCE
    assert [(x.type, "76%" in x.a, "67%" in x.b) for x in b.conflicts] == [("percent", True, True)]
    assert c.attributed and c.attribution == "news agency Reuters reported"


def test_a_sentence_two_sources_hold_is_credited_to_the_source_the_draft_took_most_from():
    draft, source1, source2 = _fixture()
    only_a = _doc("only_a.txt", A, "Shares in the company rose sharply in early trading on Wall Street.")
    for order in ([only_a, source1, source2], [source2, source1, only_a]):
        d = audit_documents([_fixture()[0]], [Document(x.path, x.text) for x in order], LEXICAL).documents[0]
        assert [s.document.path for s in d.sources] == ["source1.txt", "source2.txt"]
        assert d.reused[0].source.document.path == "source1.txt"


def test_sentences_shared_only_between_drafts_are_not_reuse():
    draft, source1, source2 = _fixture()
    other_draft = _doc("other.txt", D, SOURCE2_OTHER)
    result = audit_documents([draft, other_draft], [source1], LEXICAL)
    first, second = result.documents
    assert D not in [r.sentence.text for r in first.reused]
    assert second.reused == [] and second.reuse == 0.0 and second.sources == []


def test_draft_without_matchable_sentences_has_zero_share():
    d = audit_documents([_doc("tiny.txt", SHORT, "No.")], [_fixture()[1]], LEXICAL).documents[0]
    assert (d.eligible_chars, d.reuse, d.attributed, d.original, d.sources) == (0, 0.0, 0.0, 0.0, [])


def test_a_wire_dateline_credits_every_reused_sentence_of_the_draft():
    draft = Document("wire.txt", f"LONDON (Reuters) - Shares in the media group rose on Friday.\n\n{A}\n\n{B_DRAFT}\n")
    d = audit_documents([draft], [_fixture()[1]], LEXICAL).documents[0]
    assert len(d.reused) == 2
    assert all(r.attribution == "LONDON (Reuters) -" for r in d.reused)
    assert d.attributed == pytest.approx(d.reuse)


def test_over_limit_flags_drafts_with_too_much_unattributed_reuse():
    draft, source1, source2 = _fixture()
    result = audit_documents([draft], [source1, source2], LEXICAL)
    assert over_limit(result, None) == []
    assert over_limit(result, 0.9) == []
    assert [d.document.path for d in over_limit(result, 0.2)] == ["draft.txt"]


def test_audit_reads_paths_and_runs_one_check(tmp_path, monkeypatch):
    draft, source1, source2 = _fixture()
    (tmp_path / "drafts").mkdir()
    (tmp_path / "wires").mkdir()
    (tmp_path / "drafts" / "draft.txt").write_text(draft.text, encoding="utf-8")
    (tmp_path / "wires" / "s1.txt").write_text(source1.text, encoding="utf-8")
    (tmp_path / "wires" / "s2.txt").write_text(source2.text, encoding="utf-8")
    import dedup.audit as audit_module

    calls = []
    real = audit_module.check
    monkeypatch.setattr(audit_module, "check", lambda *a, **k: calls.append(1) or real(*a, **k))
    result = audit([str(tmp_path / "drafts")], [str(tmp_path / "wires")], LEXICAL)
    assert calls == [1]
    assert [d.document.path for d in result.documents] == [str(tmp_path / "drafts" / "draft.txt")]
    assert [Path(s.document.path).name for s in result.documents[0].sources] == ["s1.txt", "s2.txt"]
    assert len(result.references) == 2


# --- attribution on real phrasings -------------------------------------------

# (sentence found verbatim in the BBC corpus, the crediting phrase expected)
ATTRIBUTED = [
    ("The share offer, representing about 20% of Jet's equity, was oversubscribed, news agency Reuters reported.",
     "news agency Reuters reported"),
    ('Prosecutors said Jaynes was "a snake oil salesman in a new format", using the internet to peddle useless '
     "wares, news agency Associated Press reported.", "news agency Associated Press reported"),
    ("Among the other main areas affected were the western Tiaret region and Sidi Ammar in the east of the "
     "country, Agence France Presse (AFP) reported.", "Agence France Presse (AFP) reported"),
    ("Riots also flared up in the Maghnia region close to the border with Morocco in the west, AFP said.",
     "AFP said"),
    ('"This is a very expensive acquisition," Birgit Kuhlhoff, from Sal Oppenheim investment bank, told Reuters.',
     "told Reuters"),
    ('"Video games generate strong reactions mainly because they are new, but also because our culture needs '
     'to learn how to deal with simulation," Mr Frasca told the BBC News website.', "told the BBC News website"),
    ('"There have been sufficient signs in the economy of a slowdown to stay the Bank of England\'s hand," he '
     "told BBC Radio 4's Today programme.", "told BBC Radio 4's Today"),
    ("But Parry, speaking exclusively to BBC Sport, also admits Gerrard, who has been constantly linked with "
     "Chelsea, will have the final say on his future.", "speaking exclusively to BBC Sport"),
    ('"If you speak to the players there\'s a huge amount of respect for the guy," Woodward told the Sunday '
     "Independent.", "told the Sunday Independent"),
    ('"United made a mistake in selling me," Stam told Uefa\'s Champions magazine.',
     "told Uefa's Champions magazine"),
    ("Mr Howard told the Sunday Times the party would also reduce the number of government special advisers.",
     "told the Sunday Times"),
    ("A string of storms, typhoons and earthquakes has made 2004 the most expensive year on record for "
     "property insurers, according to Swiss Re.", "according to Swiss Re"),
    ("Only 36% of Chinese homes have telephones according to reports.", "according to reports"),
    ("The MPAA said in a statement that it would continue to provide easy access to similar tools in the "
     "coming months to combat \"the deleterious effects of peer-to-peer software, including such common "
     'problems as viruses, Trojan horses and identity theft".', "said in a statement"),
    ('An IAAF statement said: "The Doping Review Board concluded that the decision is erroneous."',
     "statement said"),
    ("IBM was granted 3,248 patents in 2004, more than any other firm in the US, the New York Times reports.",
     "the New York Times reports"),
    ("A delegation of European firms visited the SEC in December to press for change, the Financial Times "
     "reported.", "the Financial Times reported"),
    ("England will protest to the International Rugby Board (IRB) about the referee's performance in the "
     "defeat by Ireland, reports the Daily Mail.", "reports the Daily Mail"),
    ("Two other outside former directors, Bert Roberts and Francesco Galesi, remain defendants in the lawsuit, "
     "said the newspaper.", "said the newspaper"),
    ("Hours before Friday's announcement, there was a funereal air at Peoplesoft's headquarters, reported AP "
     "news agency.", "reported AP news agency"),
    ('"Currently, I think the strategic position is more sensible rather than an outright takeover," said one '
     "analyst quoted by the Agence France Presse news agency.", "quoted by the Agence France Presse news agency"),
    ('"Powertrain told us today that Alfa Romeo engines will no longer be made in Arese," said union leader '
     "Vincenzo Lilliu, as reported by the Reuters news agency.", "reported by the Reuters news agency"),
    ("Vedomosti newspaper reported that Russian authorities made the demand at the end of last year.",
     "Vedomosti newspaper reported"),
    ("Algeria suffered a weekend of violent protests against government plans to raise gas prices, local press "
     "reports.", "local press reports"),
    ("Blackburn have rejected a third bid from Rangers for Scotland captain Barry Ferguson, BBC Sport has "
     "learnt.", "BBC Sport has learnt"),
]

# Real BBC sentences that name an outlet or use a crediting word but credit no source.
NOT_ATTRIBUTED = [
    "Some of them want to book computing capacity of more than 5,000 processors each, Sun said.",  # Sun Microsystems
    'The Palestinian Authority (PA) was exerting "a 100% effort" to end the violence, Mr Abbas added.',
    "She failed to run in the event, citing a leg injury.",
    '" Warez groups, which began to surface in the early 1990s, operate according to a strict code of honour.',
    '"It\'s going to remain on the air," said the network\'s spokesman Scott Grogin.',
    "A spokesman for NBC said it had no comment on the lawsuit, but confirmed the stunt show did feature a "
    "rat-eating scene in New York's Times Square on 8 November.",
    "The New York team reported their findings in the Proceedings of the National Academy of Sciences.",
    "More than 50% of mobile owners reported they had had their phone stolen or lost in the last three years.",
    'Clark\'s publicist Paul Shefrin said the television host was "recovering" and there was no cause for alarm.',
    "The US created fewer jobs than expected in January, but a fall in jobseekers pushed the unemployment rate "
    "to its lowest level in three years.",
]

# Wire-copy conventions (Reuters and AP style guides), which the BBC corpus does not contain.
WIRE = [
    ("LONDON (Reuters) - Oil prices rose on Monday.", "(Reuters)"),
    ("Oil prices rose on Monday. (AP)", "(AP)"),
    ("Shares fell 3%, Bloomberg News reported, citing people familiar with the matter.", "Bloomberg News reported"),
    ("The talks will resume on Friday, a government spokesman told AFP.", "told AFP"),
    ("The deal was first reported by the Wall Street Journal.", "first reported by the Wall Street Journal"),
    ("The company announced the plan in a press release on Tuesday.", "press release"),
]


@pytest.mark.parametrize(("sentence", "phrase"), ATTRIBUTED + WIRE)
def test_attribution_on_real_phrasings(sentence, phrase):
    assert attribution(sentence) == phrase


@pytest.mark.parametrize("sentence", NOT_ATTRIBUTED)
def test_no_attribution_where_nothing_is_credited(sentence):
    assert attribution(sentence) is None


def test_the_phrasings_are_real_bbc_sentences(bbc):
    corpus = " ".join(" ".join(p.read_text(encoding="utf-8", errors="replace").split()) for p in bbc.rglob("*.txt"))
    missing = [s for s, _ in ATTRIBUTED if s not in corpus] + [s for s in NOT_ATTRIBUTED if s not in corpus]
    assert missing == []


@pytest.mark.parametrize(
    ("text", "dateline"),
    [
        ("LONDON (Reuters) - Oil rose.", "LONDON (Reuters) -"),
        ("WASHINGTON, Jan 5 (Reuters) - The US added jobs.", "WASHINGTON, Jan 5 (Reuters) -"),
        ("NEW YORK (AP) \u2014 A man was arrested.", "NEW YORK (AP) \u2014"),
        ("Jobs growth still slow in the US\n\nThe US created fewer jobs (AP) - said.", None),
        ("The Palestinian Authority (PA) was exerting pressure.", None),
    ],
)
def test_dateline(text, dateline):
    assert dateline_attribution(text) == dateline


# --- formats -------------------------------------------------------------------


def test_json_shape():
    draft, source1, source2 = _fixture()
    data = json.loads(audit_table.render(audit_documents([draft], [source1, source2], LEXICAL), "json"))
    (doc,) = data["documents"]
    assert {"path", "reuse", "attributed", "sources", "sentences"} <= set(doc)
    assert doc["path"] == "draft.txt"
    assert [s["path"] for s in doc["sources"]] == ["source1.txt", "source2.txt"]
    assert sum(s["share"] for s in doc["sources"]) == pytest.approx(doc["reuse"], abs=1e-3)
    first, second, third = doc["sentences"]
    assert first["text"] == A and first["method"] == "exact" and first["source"]["path"] == "source1.txt"
    assert first["source"]["text"] == A and first["attributed"] is False
    assert second["conflicts"] == [{"type": "percent", "source": second["conflicts"][0]["source"],
                                    "draft": second["conflicts"][0]["draft"]}]
    assert third["attributed"] is True and third["attribution"] == "news agency Reuters reported"
    assert data["references"] == ["source1.txt", "source2.txt"]


def test_table_has_one_row_per_draft():
    draft, source1, source2 = _fixture()
    other = _doc("other.txt", D, "Shares in the company rose sharply in early trading on Wall Street.")
    out = audit_table.render(audit_documents([draft, other], [source1, source2], LEXICAL))
    rows = [line for line in out.split("changed details")[0].splitlines() if line.startswith(("draft.txt", "other.txt"))]
    assert len(rows) == 2
    d = audit_documents([_fixture()[0]], list(_fixture()[1:]), LEXICAL).documents[0]
    assert f"{100 * d.reuse:.1f}%" in rows[0] and "source1.txt" in rows[0]
    assert rows[1].split()[1:3] == ["0/2", "0.0%"]


def test_unknown_format():
    with pytest.raises(ValueError, match="html"):
        audit_table.render(audit_documents([_fixture()[0]], [], LEXICAL), "xml")


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.jumps, self.marks, self.scripts, self.stack = set(), [], [], 0, []
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and "jump" in attrs.get("class", ""):
            self.jumps.append(attrs["href"])
        if tag == "mark" and "id" in attrs:
            self.marks.append(attrs)
        if tag == "script":
            self.scripts += 1
        for name in ("src", "href"):
            if name in attrs and not attrs[name].startswith("#"):
                self.urls.append(attrs[name])


HOSTILE = '<script>document.title = "pwned"</script> <img src=x onerror="alert(1)"> Tom & Jerry\'s "<b>" story.'


def _hostile_result():
    copied = 'Officials said the <script>alert("x")</script> tag was found in the page & removed, the BBC reported.'
    draft = Document("drafts/<draft> & co.txt", f"{HOSTILE}\n\n{copied}\n\n{A}\n")
    source = Document('wires/"quoted".txt', f"{copied}\n\n{A}\n")
    return audit_documents([draft], [source], LEXICAL)


def test_html_escapes_all_article_text_and_paths():
    page = audit_html.render(_hostile_result())
    assert page.count("<script") == 1  # ours, at the end
    assert "<img" not in page and "<b>" not in page and 'alert("x")' not in page
    assert "&lt;script&gt;document.title = &quot;pwned&quot;&lt;/script&gt;" in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "drafts/&lt;draft&gt; &amp; co.txt" in page and "wires/&quot;quoted&quot;.txt" in page
    parsed = _Page()
    parsed.feed(page)
    assert parsed.scripts == 1


def test_html_is_self_contained_and_every_mark_links_to_its_counterpart():
    draft, source1, source2 = _fixture()
    result = audit_documents([draft], [source1, source2], LEXICAL)
    page = audit_html.render(result)
    parsed = _Page()
    parsed.feed(page)
    assert parsed.urls == []  # every src/href is a fragment of this page
    assert not re.search(r"(?:https?:|//[a-z]|@import|url\()", page)
    d = result.documents[0]
    expected = len(d.reused) + len({r.source.index for r in d.reused})  # draft marks + distinct counterparts
    assert len(parsed.marks) == expected
    assert parsed.jumps and all(h.startswith("#") and h[1:] in parsed.ids for h in parsed.jumps)
    conflict = [m for m in parsed.marks if "conflict" in m["class"].split()]
    assert len(conflict) == 2 and all("percent" in m["title"] for m in conflict)  # the draft sentence and its source
    assert '<span class="detail">' in page
    assert page.count('class="bar"') == 1


def test_report_modules_are_wired_in_the_format_table():
    assert set(audit_table.AUDIT_FORMATS) == {"table", "json", "html"}


# --- acceptance on the BBC corpus ---------------------------------------------


def _share(draft: str, source: str, settings=LEXICAL):
    result = audit([str(BBC / draft)], [str(BBC / source)], settings)
    return result.documents[0]


def test_copied_article(bbc):
    d = _share("business/253.txt", "business/007.txt")
    assert d.reuse >= 0.95 and d.sources[0].document.path.endswith("business/007.txt")


def test_copied_article_found_among_a_whole_category(bbc):
    result = audit([str(bbc / "business" / "253.txt")], [str(bbc / "business")], LEXICAL.replace(exclude=("253.txt",)))
    d = result.documents[0]
    assert d.reuse >= 0.95
    assert d.sources[0].document.path.endswith("business/007.txt")


def test_updated_story(bbc):
    d = _share("sport/121.txt", "sport/112.txt")  # same interview, new headline
    assert d.reuse >= 0.8 and d.sources[0].document.path.endswith("sport/112.txt")


@pytest.mark.parametrize(("draft", "source"), [("sport/121.txt", "business/007.txt"), ("business/007.txt", "tech/100.txt")])
def test_unrelated_article(bbc, draft, source):
    assert _share(draft, source).reuse <= 0.05


def _claim_model_available() -> bool:
    return (ROOT / "dedup" / "weights" / "claim_model.json").is_file()


@pytest.mark.slow
def test_rewritten_story_needs_the_claim_matcher(bbc):
    """business/229 rewrites business/209 (Man Utd shares, Glazer's new offer): a quarter of it in other words."""
    if not _claim_model_available():
        pytest.skip("dedup/weights/claim_model.json not built yet")
    lexical = _share("business/229.txt", "business/209.txt")
    semantic = _share("business/229.txt", "business/209.txt", dedup.Settings(cache=False))
    assert 0.7 <= lexical.reuse < 0.8
    assert semantic.reuse >= 0.8
    assert any(r.kind == "claim" for r in semantic.reused)


@pytest.mark.slow
def test_same_topic_unrelated_story_with_all_methods(bbc):
    """Two different unemployment stories: the semantic matcher must not turn a shared topic into reuse."""
    if not _claim_model_available():
        pytest.skip("dedup/weights/claim_model.json not built yet")
    assert _share("business/007.txt", "business/022.txt", dedup.Settings(cache=False)).reuse <= 0.05
