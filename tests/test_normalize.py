from dedup.normalize import normalize, words

from .conftest import SEED_A


def test_typographic_variants_fold_to_one_key():
    variants = [
        "Iran’s foreign minister – Javad Zarif – said “yes”.",
        "Iran's foreign minister - Javad Zarif - said \"yes\"",
        "IRAN'S  FOREIGN\u00a0MINISTER — JAVAD ZARIF — SAID “YES”!",
    ]
    assert len({normalize(v) for v in variants}) == 1


def test_scraping_debris_at_edges_is_ignored():
    lines = SEED_A.read_text(encoding="utf-8").splitlines()
    blossomed = [line for line in lines if line.startswith("The relationship has blossomed")]
    assert len(blossomed) == 2 and blossomed[0] != blossomed[1]  # one carries a trailing " |"
    assert normalize(blossomed[0]) == normalize(blossomed[1])


def test_inner_punctuation_and_words_survive():
    key = normalize("Russia supplies the S-300 to the U.S.-backed side for $1.13bn.")
    assert key == "russia supplies the s-300 to the u.s.-backed side for $1.13bn"
    assert words(key)[:4] == ["russia", "supplies", "the", "s-300"]
