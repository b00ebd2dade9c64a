"""Specificity learned from the corpus: wire jargon shared by earnings headlines is no specific detail,
a fact two wire stories share still is, and small checks keep general English (dedup/specificity.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dedup import Settings
from dedup.claims import ClaimRule, features_matrix, model, shared_specifics, specific_features
from dedup.pipeline import corpus_specificity, segment_documents
from dedup.core import Document
from dedup.specificity import NO_CORPUS, Specificity, common_documents, count_terms
from dedup.verify import claim_verdicts

from .conftest import SHARED

REUTERS = SHARED / "corpora" / "reuters_dev.jsonl"
SETTINGS = Settings(claim_decider="rule")  # the gate under test; the rule takes any gated pair at these cosines


@pytest.fixture(scope="module")
def stories() -> dict[str, Document]:
    if not REUTERS.is_file():
        pytest.skip(f"reuters_dev.jsonl not found at {REUTERS} (set DEDUP_SHARED)")
    with REUTERS.open(encoding="utf-8") as handle:
        return {r["id"]: Document(path="reuters_dev.jsonl", text=r["text"], id=r["id"]) for r in map(json.loads, handle)}


@pytest.fixture(scope="module")
def reuters(stories) -> Specificity:
    return corpus_specificity(list(stories.values()), SETTINGS)


def sentence(stories, story_id: str, opening: str) -> str:
    """The sentence of a reuters_dev story that starts with ``opening``, as the check splits it."""
    found = [s.text for s in segment_documents([stories[story_id]]) if " ".join(s.text.split()).startswith(opening)]
    assert found, f"{story_id} has no sentence starting {opening!r}"
    return found[0]


def verdict(a: str, b: str, cosine: float, specificity: Specificity | None, strict: bool = False):
    return claim_verdicts([a], [b], np.array([cosine], dtype=np.float32), [strict], SETTINGS, specificity)[0]


def test_the_cut_grows_with_the_corpus():
    assert common_documents(2, SETTINGS) == SETTINGS.boilerplate_documents(2)  # a small check: the floor
    assert common_documents(9_140, SETTINGS) == 271
    assert common_documents(2_225, SETTINGS) == 134
    assert common_documents(1_000_000, SETTINGS) > common_documents(9_140, SETTINGS)


def test_wire_jargon_is_common_in_reuters_and_names_are_not(reuters):
    assert reuters.documents == 9_140 and reuters.cut == 271
    for jargon in ("qtr", "shr", "mln", "qtly", "net", "dlr"):
        assert jargon in reuters.common, jargon
        assert reuters.rarity(jargon) == 0.0
    for specific in ("texaco", "opec", "bundesbank", "mclean", "crowley"):
        assert specific not in reuters.common, specific


def test_a_name_in_a_large_share_of_the_corpus_is_no_specific_detail(stories, reuters):
    # "U.S." stands in thousands of reuters_dev stories: two sugar-quota sentences share "quota", not it.
    a = sentence(stories, "reuters-00046", "Sugar imports subject to the U.S.")
    b = sentence(stories, "reuters-00105", "The U.S. Agriculture Department said cumulative sugar imports")
    assert "u.s" in reuters.common
    assert "u.s" in shared_specifics(a, b)
    assert "u.s" not in shared_specifics(a, b, specificity=reuters) and "quota" in shared_specifics(
        a, b, specificity=reuters)


def test_earnings_headlines_sharing_only_qtr_are_not_a_claim(stories, reuters):
    # Two companies' 4th-quarter headlines: a claim finding of 79 of them formed around "qtr" (rarity 6.8
    # in general English, in 974 of reuters_dev's stories).
    a = sentence(stories, "reuters-00074", "ATICO FINANCIAL CORP")
    b = sentence(stories, "reuters-00169", "MAYFAIR INDUSTRIES INC")
    assert shared_specifics(a, b) == ("qtr",)
    assert verdict(a, b, 0.6751, None) is not None  # general English alone took it for a claim
    assert shared_specifics(a, b, specificity=reuters) == ()
    assert verdict(a, b, 0.6751, reuters) is None
    assert verdict(a, b, 0.95, reuters) is None  # nothing specific shared: no cosine makes it one


def test_a_fact_two_wire_stories_share_is_still_a_claim(stories, reuters):
    a = sentence(stories, "reuters-00044", "McLean Industries Inc's United States Lines")
    b = sentence(stories, "reuters-01052", "McLean Industries Inc said its shipping subsidiary")
    assert {"mclean", "crowley"} <= set(shared_specifics(a, b, specificity=reuters))
    assert verdict(a, b, 0.9247, reuters) is not None
    a = sentence(stories, "reuters-00045", "Waste Management's tender offer")
    b = sentence(stories, "reuters-03778", "Waste Management's offer is scheduled")
    assert verdict(a, b, 0.866, reuters) is not None


def test_the_claim_probability_keeps_general_english(stories, reuters):
    a = [sentence(stories, "reuters-00074", "ATICO"), sentence(stories, "reuters-00044", "McLean")]
    b = [sentence(stories, "reuters-00169", "MAYFAIR"), sentence(stories, "reuters-01052", "McLean")]
    features = features_matrix(a, b, [0.6751, 0.9247])
    gate = specific_features(features, a, b, reuters)
    assert np.array_equal(gate[:, :4], features[:, :4])  # cosine and wording scores untouched
    rule = ClaimRule.for_model(model(), None, SETTINGS.anchor_rarity, SETTINGS.claim_min_key_overlap)
    assert rule.shares_specifics(features).tolist() == [True, True]
    assert rule.shares_specifics(gate).tolist() == [False, True]
    assert specific_features(features, a, b, NO_CORPUS) is features


def test_small_checks_keep_general_english(stories):
    few = [stories[i] for i in ("reuters-00074", "reuters-00169", "reuters-00044")]
    specificity = corpus_specificity(few, SETTINGS)
    assert specificity.common == {}
    a, b = sentence(stories, "reuters-00074", "ATICO"), sentence(stories, "reuters-00169", "MAYFAIR")
    assert shared_specifics(a, b, specificity=specificity) == shared_specifics(a, b)


def test_a_sample_of_a_population_never_makes_a_word_commoner(stories):
    # An index check counts its candidates against the archive's size: the counts stay the sample's.
    sample = [d.text for d in list(stories.values())[:200]]
    alone = Specificity.of_texts(sample, SETTINGS)
    within = Specificity.of_texts(sample, SETTINGS, population=9_140)
    assert within.documents == 9_140 and within.cut == 271
    assert "cts" in alone.common
    assert not within.common  # 200 documents cannot hold a word 271 times


def test_the_ray_stage_counts_as_the_local_run(stories):
    pa = pytest.importorskip("pyarrow")
    from dedup.ray_stages import DOC, common_terms_stage, terms_stage

    texts = [stories[i].text for i in ("reuters-00074", "reuters-00169", "reuters-00044")]
    table = pa.table({"kind": pa.array([DOC] * len(texts), pa.int8()), "text": texts})
    rows = terms_stage(table).to_pylist()
    counted = {r["term"]: r["df"] for r in rows}
    counts, _, total = count_terms(texts)
    assert counted.pop("") == total
    assert counted == dict(counts)
    summed = pa.table({"term": ["qtr", "mclean", ""], "sum(df)": [3, 1, total]})
    assert common_terms_stage(summed, 2)["term"].to_pylist() == ["qtr", ""]
