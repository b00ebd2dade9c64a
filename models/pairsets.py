"""The labelled sentence pairs the pair verifier is trained on and measured with, and their fixed splits.

Every set is split by a hash of what identifies a pair (never by file order
or a random draw), so the training script and every benchmark see the same
parts on every machine:

- ``train``: what ``models/build_verifier.py`` fits on;
- ``choose``: where operating points are picked (``benchmarks/verifier_eval.py``);
- ``report``: touched only to report figures.

MRPC keeps the 1-in-5 held-out fifth that ``benchmarks/calibrate.py`` has
always used (its ``choose`` and ``report`` halves together), so figures stay
comparable.  STS-B's train file is all ``train`` and its dev file is split
into ``choose`` and ``report``.  The hand-labelled corpus pairs
(``benchmarks/data/*_claim_pairs.jsonl``) are split in half by their texts:
one half trains, the other is split again into ``choose`` and ``report``.

Outcomes are those an editor uses: ``same`` claim, ``overlap`` (a specific
claim of one sentence is asserted in the other, possibly with other details),
``different``.  Sets that do not say all of it leave a target unknown (STS-B's
middle scores).
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = ROOT.parent / "shared" / "eval"
LABELLED = {
    "bbc": ROOT / "benchmarks" / "data" / "bbc_claim_pairs.jsonl",
    "reuters": ROOT / "benchmarks" / "data" / "reuters_claim_pairs.jsonl",
}
CLAIM_LABELS = ("same", "overlap")  # a labelled corpus pair that counts as a claim


@dataclass(frozen=True)
class LabelledPair:
    """One pair with what its source says: ``claim`` / ``same`` targets (None: the source does not say)."""

    source: str  # mrpc | paws | stsb | bbc | reuters
    part: str  # train | choose | report
    a: str
    b: str
    claim: float | None  # 1: same or overlapping claim, 0: different
    same: float | None  # 1: the same claim, 0: not the same
    weight: float = 1.0  # stratum weight of a corpus sample (population / drawn), 1 elsewhere
    scope: str = ""  # corpus pairs: same_story | different_story | within
    label: str = ""  # the source's own label, for reports

    @property
    def positive(self) -> bool:
        return bool(self.claim) if self.claim is not None else bool(self.same)


def _digest(*parts: str) -> int:
    return int(hashlib.sha256("\t".join(parts).encode()).hexdigest()[:16], 16)


def _held_out_part(digest: int) -> str:
    """1 in 5 held out, split evenly into ``choose`` and ``report``."""
    rest = digest % 10
    return "choose" if rest == 0 else "report" if rest == 5 else "train"


def read_mrpc(path: Path | None = None) -> list[LabelledPair]:
    """MRPC rows; a line holding two records glued by a lost newline is split back into two."""
    path = path or EVAL_DIR / "msr_paraphrase_train.txt"
    pairs: list[LabelledPair] = []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        if len(header) != 5 or header[0] != "Quality":
            sys.exit(f"unexpected header in {path}: {header}")
        for lineno, row in enumerate(reader, start=2):
            records = [row]
            if len(row) == 9 and row[4][-1:] in ("0", "1") and row[5].isdigit() and row[6].isdigit():
                records = [row[:4] + [row[4][:-1]], [row[4][-1]] + row[5:]]
            for rec in records:
                if len(rec) != 5 or rec[0] not in ("0", "1"):
                    sys.exit(f"{path}:{lineno}: malformed record ({len(rec)} fields)")
                label = int(rec[0])
                # The same 1-in-5 split as benchmarks/calibrate.py (sha256 of the two IDs).
                part = _held_out_part(_digest(rec[1], rec[2]))
                # A paraphrase is the same claim.  A non-paraphrase is taken as a different claim too,
                # although MRPC calls a sentence that adds a clause "not a paraphrase": a user reading
                # MRPC-like pairs (one story, picked for looking alike) expects those left out.
                pairs.append(LabelledPair("mrpc", part, rec[3], rec[4], float(label), float(label), label=str(label)))
    return pairs


def _tsv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def read_paws(path: Path | None = None) -> list[LabelledPair]:
    """PAWS-Wiki dev: same words, and either the same meaning or another (swapped roles, entities, dates)."""
    rows = _tsv(path or EVAL_DIR / "paws_wiki_dev.tsv")
    return [
        LabelledPair("paws", _held_out_part(_digest(r["id1"], r["id2"])), r["text1"], r["text2"],
                     float(r["label"]), float(r["label"]), label=r["label"])
        for r in rows
    ]


def stsb_targets(score: float) -> tuple[float | None, float | None]:
    """STS-B's 0-5 scale in the verifier's terms (the scale's own wording, Cer et al. 2017).

    5-4 "equivalent / mostly equivalent": the same claim.  3 "roughly
    equivalent, some important information differs": an overlapping claim.
    2 "not equivalent, but share some details" and below: a different claim,
    except that 2-3 is left unknown for the claim (a shared detail may be the
    claim).  0-1 "on the same topic" at most: different.
    """
    if score >= 4.0:
        return 1.0, 1.0
    if score >= 3.0:
        return 1.0, (None if score >= 3.6 else 0.0)
    if score >= 2.2:
        return None, 0.0
    return 0.0, 0.0


def read_stsb() -> list[LabelledPair]:
    pairs: list[LabelledPair] = []
    for name, held_out in (("stsb_train.tsv", False), ("stsb_dev.tsv", True)):
        for r in _tsv(EVAL_DIR / name):
            score = float(r["label"])
            claim, same = stsb_targets(score)
            part = "train"
            if held_out:
                part = "choose" if _digest(r["id1"], r["id2"]) % 2 == 0 else "report"
            pairs.append(LabelledPair("stsb", part, r["text1"], r["text2"], claim, same, label=r["label"]))
    return pairs


def corpus_targets(label: str) -> tuple[float, float]:
    """Labels of the blind-labelled corpus pairs: same / overlap / topical / unrelated."""
    return float(label in CLAIM_LABELS), float(label == "same")


def corpus_part(a: str, b: str) -> str:
    """Half of the labelled corpus pairs train; the other half is split into ``choose`` and ``report``."""
    rest = _digest(*sorted((a, b))) % 4
    return "train" if rest < 2 else "choose" if rest == 2 else "report"


def read_labelled(source: str) -> list[LabelledPair]:
    path = LABELLED[source]
    if not path.is_file():
        return []
    pairs: list[LabelledPair] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        claim, same = corpus_targets(r["label"])
        pairs.append(LabelledPair(source, corpus_part(r["a"], r["b"]), r["a"], r["b"], claim, same,
                                  float(r.get("weight", 1.0)), r.get("scope", ""), r["label"]))
    return pairs


def all_pairs() -> list[LabelledPair]:
    return [*read_mrpc(), *read_paws(), *read_stsb(), *read_labelled("bbc"), *read_labelled("reuters")]
