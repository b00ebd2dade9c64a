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
import random
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL_DIR = ROOT.parent / "shared" / "eval"
REUTERS_CORPUS = ROOT.parent / "shared" / "corpora" / "reuters_dev.jsonl"
LABELLED = {
    "bbc": ROOT / "benchmarks" / "data" / "bbc_claim_pairs.jsonl",
    "reuters": ROOT / "benchmarks" / "data" / "reuters_claim_pairs.jsonl",
}
TRAINING = {
    "bbc": ROOT / "benchmarks" / "data" / "bbc_training_pairs.jsonl",
    "reuters": ROOT / "benchmarks" / "data" / "reuters_training_pairs.jsonl",
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
    measure_only: bool = False  # a corpus sample labelled after the shipped verifier was built: never trained on

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


def stsb_training_targets(score: float) -> tuple[float | None, float | None]:
    """What the verifier is taught from an STS-B score: the graded middle as an overlapping claim.

    ``stsb_targets`` stays the measuring definition (``benchmarks/verifier_eval.py``).  For training,
    2.5-4 ("roughly equivalent", "some important information differs") is a shared claim that is
    not the same claim: the only graded signal of the ``overlap`` outcome that is not a corpus
    label.  1.8-2.5 says nothing of the claim; below 1.8 "on the same topic" at most.
    """
    if score >= 4.0:
        return 1.0, 1.0
    if score >= 2.5:
        return 1.0, (None if score >= 3.6 else 0.0)
    if score >= 1.8:
        return None, 0.0
    return 0.0, 0.0


def read_stsb() -> list[LabelledPair]:
    pairs: list[LabelledPair] = []
    for name, held_out in (("stsb_train.tsv", False), ("stsb_dev.tsv", True)):
        for r in _tsv(EVAL_DIR / name):
            score = float(r["label"])
            claim, same = stsb_targets(score)
            part = "train"
            if not held_out:
                claim, same = stsb_training_targets(score)
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


def measured_part(a: str, b: str) -> str:
    """A sample held out whole (``"held_out": true``) splits evenly into ``choose`` and ``report``."""
    return "choose" if _digest(*sorted((a, b))) % 2 == 0 else "report"


def _read_corpus_file(path: Path, source: str, part_of: Callable[[dict], str]) -> list[LabelledPair]:
    """One ``LabelledPair`` per JSON line of a blind-labelled corpus sample; ``part_of(row)`` names its part."""
    if not path.is_file():
        return []
    pairs: list[LabelledPair] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        claim, same = corpus_targets(r["label"])
        part = part_of(r)
        measure_only = part != "train" and bool(r.get("held_out"))  # a train pair always trains
        pairs.append(LabelledPair(source, part, r["a"], r["b"], claim, same,
                                  float(r.get("weight", 1.0)), r.get("scope", ""), r["label"], measure_only))
    return pairs


def read_labelled(source: str) -> list[LabelledPair]:
    """The blind-labelled corpus pairs of ``source``.

    Rows marked ``held_out`` were drawn and labelled after the shipped verifier was trained: they
    only measure, so a rebuild from this file trains on exactly what the shipped weights saw.
    """
    def part_of(r: dict) -> str:
        return measured_part(r["a"], r["b"]) if r.get("held_out") else corpus_part(r["a"], r["b"])

    return _read_corpus_file(LABELLED[source], source, part_of)


_FIGURE = re.compile(r"\d+(?:[.,/-]\d+)*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                     r"twenty|thirty|forty|fifty|hundred|nil)\b", re.IGNORECASE)  # as dedup.verify's


def held_out_corpus_texts() -> tuple[set[str], set[str]]:
    """Documents and sentences of the labelled Reuters pairs' ``choose`` and ``report`` parts (kept out of training).

    Only the parts the shipped verifier was built with, so that a rebuild reproduces it; the later
    samples (``held_out``) share a few template lines with its training negatives, which
    ``benchmarks/verifier_eval.py`` reports apart.
    """
    documents: set[str] = set()
    texts: set[str] = set()
    path = LABELLED["reuters"]
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                if not r.get("held_out") and corpus_part(r["a"], r["b"]) != "train":
                    documents.update((r.get("doc_a", ""), r.get("doc_b", "")))
                    texts.update((" ".join(r["a"].split()), " ".join(r["b"].split())))
    return documents, texts


def wire_template_negatives(limit: int = 1200, per_template: int = 40, seed: int = 20261202) -> list[LabelledPair]:
    """Data lines of two different reuters_dev stories that fill one template with other figures: not a claim.

    "Qtly div five cts vs five cts prior" / "Qtly div 10 cts vs eight cts prior", "Shr 39 cts vs 50
    cts" / "Shr 3.07 dlrs vs 3.08 dlrs" in another company's table: the words are the table's, the
    claim is the figures, and they are another company's.  Drawn from stories that are not in the
    labelled pairs' ``choose`` or ``report`` parts (nor any line those parts hold), lines of at least
    four words with a figure, grouped by their wording with every figure masked; identical lines
    are left out (a repeat is decided before the verifier).  All ``train``.
    """
    if not REUTERS_CORPUS.is_file():
        return []
    excluded_documents, excluded_texts = held_out_corpus_texts()
    by_template: dict[str, list[tuple[str, str]]] = {}
    with open(REUTERS_CORPUS, encoding="utf-8") as handle:
        for line in handle:
            story = json.loads(line)
            if story["id"] in excluded_documents:
                continue
            body = story["text"].split("\n\n", 1)[-1]
            for raw in body.split("\n"):
                text = " ".join(raw.split())
                if (len(text.split()) < 4 or len(text) > 80 or not re.search(r"\d", text)
                        or text in excluded_texts or text.endswith(",")):
                    continue
                by_template.setdefault(_FIGURE.sub("#", text.casefold()), []).append((story["id"], text))
    rng = random.Random(seed)
    out: list[LabelledPair] = []
    for template in sorted(by_template):
        lines = by_template[template]
        if len({doc for doc, _ in lines}) < 2:
            continue
        drawn, tries = 0, 0
        while drawn < min(per_template, len(lines) // 2) and tries < per_template * 5:
            tries += 1
            (doc_a, a), (doc_b, b) = rng.sample(lines, 2)
            if doc_a == doc_b or a == b:
                continue
            out.append(LabelledPair("wire", "train", a, b, 0.0, 0.0, label="template"))
            drawn += 1
    rng.shuffle(out)
    return out[:limit]


def overlap_compositions(pairs: list[LabelledPair], limit: int = 800, seed: int = 20261202) -> list[LabelledPair]:
    """A shared claim inside a longer sentence: one side of a paraphrase pair with another sentence's clause joined on.

    From ``train`` paraphrases (MRPC, STS-B >= 4): ``a`` against ``b; c`` where ``c`` is a sentence
    of MRPC's train part, so the claim of ``a`` is one of two in the other: a claim, not the
    same claim (the ``overlap`` outcome: "Russia is to build nine of Iran's reactors and has also
    emerged as an arms partner" against "... a promise to provide Tehran with an advanced S-300").
    """
    rng = random.Random(seed)
    same = [p for p in pairs if p.part == "train" and p.source in ("mrpc", "stsb") and p.same == 1.0]
    fillers = [p.a for p in pairs if p.part == "train" and p.source == "mrpc" and len(p.a.split()) >= 6]  # news
    rng.shuffle(same)
    out: list[LabelledPair] = []
    for p in same[:limit]:
        extra = rng.choice(fillers).strip()
        joint = p.b.strip().rstrip(".") + rng.choice(("; ", ". ")) + extra
        a, b = (p.a, joint) if rng.random() < 0.5 else (joint, p.a)
        out.append(LabelledPair("composed", "train", a, b, 1.0, 0.0, label="overlap"))
    return out


def training_extras(pairs: list[LabelledPair]) -> list[LabelledPair]:
    """Pairs made for training only (never measured): wire template negatives and composed overlaps."""
    return [*wire_template_negatives(), *overlap_compositions(pairs)]


def read_training(source: str) -> list[LabelledPair]:
    """Corpus pairs drawn for training where the verifier errs (``benchmarks/draw_training_pairs.py``).

    Drawn away from every measured pair's documents and labelled blind twice like the measured samples;
    they only ever train, so they sit in a file of their own, which the corpus benchmarks do not read.
    The shipped verifier was built without them (``models/build_verifier.py --training-samples`` adds them).
    """
    return _read_corpus_file(TRAINING[source], source, lambda r: "train")


def all_pairs() -> list[LabelledPair]:
    return [*read_mrpc(), *read_paws(), *read_stsb(), *read_labelled("bbc"), *read_labelled("reuters")]
