"""The claim model: stored weights, feature behaviour on real news sentences, ranking on real MRPC pairs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from dedup import claims

# From the seed articles (seeds/000_*.txt and seeds/002_*.txt).
S300_A = (
    "Russia is to build nine of Iran's 20 nuclear reactors in the coming years and has also emerged as a "
    "long-term arms partner for Iran, supplying Tehran with the S-300 air defence system."
)
S300_B = (
    "Iran's Zarif insisted during a press conference that Russia make good on a promise to provide Tehran "
    "with an advanced S-300 weapons system."
)
REACTORS_OTHER = "Iran announced its plans to build at least two more atomic reactors just days after it inked the nuclear deal."
SYRIA_A = (
    'The leaders will discuss "regional issues especially the Syrian crisis, solutions to end it quickly," as '
    'well as ways to counter "terrorism and extremism," Iranian Foreign Ministry spokesman Bahram Ghasemi said '
    "ahead of the trip."
)
SYRIA_B = "The issue of Syria’s civil war and Iran’s role in brokering a ceasefire will also top the agenda in Tehran."
# Two sentences whose only shared words are "said" and "Russia".
COMMON_A = "Officials in Russia said the new rules would take effect next month."
COMMON_B = "Russia said on Monday that its football team would travel by train."

# Real MRPC pairs (msr_paraphrase_train.txt, held-out part).  Their embedding
# cosines are 0.793-0.797, so equal cosine is fed to isolate the other evidence.
PARAPHRASES = [
    (
        'The decision could also prove useful in the "war on terrorism".',
        "Tuesday's decision could prove useful to the government in the war on terrorism.",
    ),
    (
        "Since then, police divers have searched nearby parts of Long Island Sound looking for the remaining three.",
        "Since then, police divers have searched those waters looking for the remaining three.",
    ),
]
NON_PARAPHRASES = [
    (
        "The Thomson First Call consensus was for earnings of 19 cents a share.",
        "Analysts surveyed by Thomson First Call had expected earnings of 19 cents per share in the third quarter.",
    ),
    (
        "During this year's August to October quarter, Lowe's opened 38 new stores, including two relocations.",
        "During the third quarter, Lowe's opened 38 new stores and now has 932 stores in 45 states.",
    ),
]
SHARED_COSINE = 0.795


def feature(a: str, b: str, name: str, cosine: float = 0.6) -> float:
    return float(claims.pair_features(a, b, cosine)[claims.FEATURES.index(name)])


# ---------------------------------------------------------------- stored model


def test_stored_model_matches_feature_list_and_file():
    data = json.loads(claims.MODEL_PATH.read_text(encoding="utf-8"))
    model = claims.model()
    assert tuple(data["features"]) == claims.FEATURES == model.features
    assert model.weights.shape == (len(claims.FEATURES),)
    assert np.all(np.isfinite(model.weights)) and np.isfinite(model.intercept)
    assert [data["weights"][n] for n in claims.FEATURES] == model.weights.tolist()
    assert 0.0 < model.threshold < 1.0
    assert claims.default_threshold() == data["threshold"] == model.threshold


def test_scores_are_probabilities_and_repeatable():
    a = [S300_A, SYRIA_A, COMMON_A] + [p[0] for p in PARAPHRASES + NON_PARAPHRASES]
    b = [S300_B, SYRIA_B, COMMON_B] + [p[1] for p in PARAPHRASES + NON_PARAPHRASES]
    cos = np.linspace(0.5, 0.9, len(a)).astype(np.float32)
    first = claims.claim_scores(a, b, cos)
    second = claims.claim_scores(a, b, cos)
    assert first.shape == (len(a),)
    assert np.all((first >= 0) & (first <= 1))
    assert np.array_equal(first, second)
    # The same numbers as applying the stored formula by hand.
    m = claims.model()
    by_hand = 1 / (1 + np.exp(-(claims.features_matrix(a, b, cos) @ m.weights + m.intercept)))
    np.testing.assert_allclose(first, by_hand, rtol=1e-12)


def test_model_fitted_on_other_features_is_refused(tmp_path):
    data = json.loads(claims.MODEL_PATH.read_text(encoding="utf-8"))
    data["features"] = list(reversed(data["features"]))
    path = tmp_path / "claim_model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RuntimeError, match="rerun benchmarks/calibrate.py"):
        claims.load_model(path)


def test_more_cosine_never_lowers_the_score():
    low, high = claims.claim_scores([S300_A, S300_A], [S300_B, S300_B], np.array([0.5, 0.8]))
    assert claims.model().weights[claims.FEATURES.index("cosine")] > 0
    assert high > low


# ---------------------------------------------------------------- ranking on MRPC


def test_paraphrases_outscore_non_paraphrases_at_equal_cosine():
    pos = claims.claim_scores([a for a, _ in PARAPHRASES], [b for _, b in PARAPHRASES], [SHARED_COSINE] * 2)
    neg = claims.claim_scores([a for a, _ in NON_PARAPHRASES], [b for _, b in NON_PARAPHRASES], [SHARED_COSINE] * 2)
    assert pos.min() > neg.max()


# ---------------------------------------------------------------- features on real sentences


def test_rare_terms_weigh_more_than_common_ones():
    assert claims.rarity("s-300") + claims.rarity("tehran") > 1.5 * (claims.rarity("said") + claims.rarity("russia"))
    assert claims.rarity("tehran") > claims.rarity("russia") > claims.rarity("said") > 0
    assert claims.rarity("the") == 0.0
    assert feature(S300_A, S300_B, "rare_shared") > 2.0
    assert feature(COMMON_A, COMMON_B, "rare_shared") == 0.0
    assert feature(S300_A, S300_B, "key_overlap") > feature(COMMON_A, COMMON_B, "key_overlap")


def test_rarity_does_not_come_from_the_texts_checked():
    alone = claims.features_matrix([S300_A], [S300_B], [0.63])
    in_a_crowd = claims.features_matrix([S300_A] + [COMMON_A] * 50, [S300_B] + [COMMON_B] * 50, [0.63] * 51)
    np.testing.assert_array_equal(alone[0], in_a_crowd[0])


def test_numbers_that_disagree_clash():
    assert feature(S300_A, REACTORS_OTHER, "number_clash") == 1.0  # nine / 20 vs two
    assert feature(S300_A, "Russia will build nine reactors in Iran, 20 in all.", "number_clash") == 0.0
    assert feature(S300_A, S300_B, "number_clash") == 0.0  # only one side has numbers


def test_demonyms_and_sentence_initial_names_count_as_entities():
    # "Syrian" matches "Syria's"; "Iran" opening a sentence matches "Iran's" inside the other.
    assert feature(SYRIA_A, SYRIA_B, "entity_overlap") > 0.0
    assert feature(S300_A, REACTORS_OTHER, "entity_overlap") > 0.0
    # A capitalised common opener is not a name.
    assert feature("The talks ended without a deal on Monday.", "The weather was fine on the day.", "entity_overlap") == 0.0


def test_features_are_symmetric_and_batch_equals_single():
    pairs = [(S300_A, S300_B), (SYRIA_A, SYRIA_B), (S300_A, REACTORS_OTHER), *PARAPHRASES, *NON_PARAPHRASES]
    for a, b in pairs:
        np.testing.assert_allclose(claims.pair_features(a, b, 0.7), claims.pair_features(b, a, 0.7), atol=1e-12)
    batch = claims.features_matrix([a for a, _ in pairs], [b for _, b in pairs], [0.7] * len(pairs))
    single = np.array([claims.pair_features(a, b, 0.7) for a, b in pairs])
    np.testing.assert_array_equal(batch, single)
    assert batch.shape == (len(pairs), len(claims.FEATURES))


def test_mismatched_lengths_are_rejected():
    with pytest.raises(ValueError):
        claims.features_matrix([S300_A], [S300_B, SYRIA_B], [0.5])
    assert claims.claim_scores([], [], []).shape == (0,)


def test_each_model_has_a_calibration_that_beats_cosine():
    import json

    from dedup.claims import model, model_path

    for embedder in ("accurate", "fast"):
        data = json.loads(model_path(embedder).read_text(encoding="utf-8"))
        loaded = model(embedder)
        assert loaded.threshold == data["threshold"] and loaded.anchor_margin == data["anchor_margin"]
        assert loaded.threshold - loaded.anchor_margin < loaded.threshold < loaded.strict_threshold
        held = data["held_out"]
        # The shipped rule (with the cosine floors that keep corpus checks precise, tests/test_corpus_claims.py)
        # and the probability alone both beat the cosine at the same recall.
        assert held["default_rule_with_anchor"]["precision"] > held["cosine_only_at_default_rule_recall"]["precision"]
        assert held["combined_default"]["precision"] > held["cosine_only_at_default_recall"]["precision"]
        assert held["roc_auc"]["combined"] > held["roc_auc"]["cosine_only"]
    accurate = json.loads(model_path("accurate").read_text(encoding="utf-8"))["held_out"]
    assert accurate["default_rule_with_anchor"]["f1"] >= 0.82


def test_shared_anchor_is_a_rare_specific_term():
    from dedup.claims import shared_anchor

    s300_a = "Russia has emerged as a long-term arms partner for Iran, supplying Tehran with the S-300 air defence system."
    s300_b = "Iran's Zarif insisted that Russia make good on a promise to provide Tehran with an advanced S-300 weapons system."
    topical = "Iran and Russia have become increasingly allied in Syria, Russia said."
    assert shared_anchor(s300_a, s300_b) >= 7.0  # S-300
    assert shared_anchor(s300_a, topical) < 7.0  # only Iran / Russia
    # A possessive is not rarer than its name.
    assert shared_anchor("Rouhani's trip to Moscow went well.", "The trip by Rouhani's team.") == shared_anchor(
        "Rouhani trip Moscow", "trip Rouhani team"
    )


def test_claim_rule_bands():
    from dedup.claims import ClaimRule

    rule = ClaimRule(0.40, anchor_margin=0.136, strict_margin=0.079, anchor_rarity=7.0,
                     cosine_floor=0.67, anchor_cosine_floor=0.61, strict_cosine_floor=0.744)
    assert rule.accepts(0.41, 0.70, 0.0)
    assert not rule.accepts(0.41, 0.66, 0.0)  # probable, but the embeddings are too far apart
    assert rule.accepts(0.48, 0.62, 0.0)  # at the strict point, lexical evidence carries a lower cosine
    assert not rule.accepts(0.48, 0.60, 0.0)
    assert not rule.accepts(0.30, 0.70, 5.0)
    assert rule.accepts(0.30, 0.65, 9.0)  # anchored band
    assert not rule.accepts(0.30, 0.60, 9.0)  # anchored, but below the anchored floor
    assert not rule.accepts(0.25, 0.70, 9.0)
    assert not rule.accepts(0.45, 0.80, 9.0, strict=True)
    assert rule.accepts(0.48, 0.75, 0.0, strict=True)
    assert not rule.accepts(0.48, 0.74, 0.0, strict=True)


def test_shipped_rule_uses_the_models_floors():
    from dedup.claims import ClaimRule, model

    for embedder in ("accurate", "fast"):
        calibrated = model(embedder)
        rule = ClaimRule.for_model(calibrated, None, 7.0)
        assert rule.min_score == calibrated.threshold
        # Floors are cosines of MRPC paraphrases at 95% / 90% / 80% kept: ordered, and inside the candidate range.
        assert 0.55 <= rule.anchor_cosine_floor < rule.cosine_floor < rule.strict_cosine_floor < 0.9
        moved = ClaimRule.for_model(calibrated, 0.6, 7.0)
        assert moved.min_score == 0.6 and moved.strict_margin == rule.strict_margin


def test_a_claim_shares_something_specific():
    from dedup.claims import ClaimRule, features_matrix

    rule = ClaimRule(0.40, min_key_overlap=0.3)
    pairs = [
        # Generic quotes the static model puts close together: nothing specific in common.
        ("They may not want him but they are going to get him.",
         "We wanted people who would still be around in 20 years, not just the winner of Big Brother to take part."),
        # A shared name.
        ("Russia is to build nine of Iran's 20 nuclear reactors in the coming years.",
         "The agreement commits Russia to build several new nuclear plants in Iran by as early as 2014."),
        # Shared content words without names: most of the weight of the shorter sentence.
        ("interest rates were raised by a quarter point to curb borrowing",
         "the rise in interest rates by a quarter point is meant to curb borrowing"),
    ]
    specific = rule.shares_specifics(features_matrix([a for a, _ in pairs], [b for _, b in pairs], [0.8] * 3))
    assert specific.tolist() == [False, True, True]
    assert not rule.accepts(0.9, 0.9, 0.0, specific=False)
