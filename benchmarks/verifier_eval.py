"""The claim decision (gates + rule or pair verifier) on every labelled set, by part: choose the points, report the rest.

    .venv/bin/python benchmarks/verifier_eval.py [--part choose|report] [--decider rule|verifier|both] [--sweep]
    .venv/bin/python benchmarks/verifier_eval.py --seeds [--decider rule|verifier|both] [--threshold T]
    .venv/bin/python benchmarks/verifier_eval.py --speed      # verifier pairs per second on this machine
    .venv/bin/python benchmarks/verifier_eval.py --decider verifier --verifier /tmp/v   # a build not yet shipped
    .venv/bin/python benchmarks/verifier_eval.py --model fast     # pairs proposed and gated by the fast model

Each pair is decided as a default check decides it (``verify.claim_verdicts``):
the embedding cosine from the shipped MiniLM (``--model fast``: the static model), the gates, the verifier's
probability against the shipped thresholds.  A pair of single-sentence files
(MRPC, PAWS, STS-B as a user would check them) is strict when the two
sentences' vectors (their documents' story vectors) are below
``SAME_STORY_SIMILARITY``; a near-identical pair (``fuzz.ratio`` at the fuzzy
threshold) is reported as a repeat whatever the verifier says, as a check
does.  Corpus pairs (BBC, Reuters) keep the scope fixed when they were drawn
and their stratum weights, and pass the gates with their corpus's
specificity (whole BBC, whole reuters_dev), as a default check of that
corpus gates them: precision and recall estimate the whole candidate
population of a default check.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "models"))

import numpy as np  # noqa: E402
from rapidfuzz import fuzz  # noqa: E402

from dedup import settings as defaults  # noqa: E402
from dedup import settings as settings_module  # noqa: E402
from dedup import verify as verify_module  # noqa: E402
from dedup.documents import read_documents  # noqa: E402
from dedup.normalize import normalize  # noqa: E402
from dedup.pipeline import corpus_specificity, embedding_function  # noqa: E402
from dedup.settings import Settings  # noqa: E402
from dedup.story import changes  # noqa: E402
from dedup.verify import claim_verdicts  # noqa: E402
from pairsets import LabelledPair, all_pairs  # noqa: E402


CORPORA = ROOT.parent / "shared" / "corpora"
# The corpus each labelled corpus pair was drawn from, as a default check reads it.
CORPUS_CHECKS = {"bbc": ([CORPORA / "bbc"], {}), "reuters": ([CORPORA / "reuters_dev.jsonl"], {"id_field": "id"})}


@functools.lru_cache(maxsize=None)
def corpus_specificity_of(source: str):
    """The ``Specificity`` a default check of the pair's whole corpus gates with (None: not a corpus pair).

    A word held by many of the corpus's documents is no specific shared detail there ("qtr", "mln"
    in wire copy), so a check of reuters_dev gates out pairs that general English alone lets through.
    """
    if source not in CORPUS_CHECKS:
        return None
    paths, options = CORPUS_CHECKS[source]
    settings = Settings(**options)
    documents, _ = read_documents([str(p) for p in paths], settings)
    return corpus_specificity(documents, settings)


def decide(pairs: list[LabelledPair], settings: Settings, embed,
           specificity=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(reported as a claim or repeat, reported as a repeat, reported as the same claim) per pair.

    The same claim: a plain repeat (a near-repeat whose finding names no conflicting detail: a check
    reports "a British ship ... a French trade man" / "a French ship ... a British trade man" as a repeat
    with an ``order`` conflict, and clean keeps both), or a claim whose outcome is ``same`` (or ``claim``:
    the rule does not tell same from overlap, so a rule claim counts as reported the same).
    """
    keys_a = [normalize(p.a) for p in pairs]
    keys_b = [normalize(p.b) for p in pairs]
    texts = sorted(set(keys_a) | set(keys_b))
    vectors = dict(zip(texts, embed(texts)))
    cosines = np.array([float(vectors[a] @ vectors[b]) for a, b in zip(keys_a, keys_b)], dtype=np.float32)
    repeat = np.array([fuzz.ratio(a, b) >= settings.fuzzy_min_ratio for a, b in zip(keys_a, keys_b)])
    plain = repeat & np.array([not (r and changes(p.a, p.b)) for p, r in zip(pairs, repeat)])
    strict = [
        p.scope != "same_story" if p.scope else float(c) < settings.same_story_similarity
        for p, c in zip(pairs, cosines)
    ]
    candidate = cosines >= settings.semantic_min_cosine
    verdicts = claim_verdicts([p.a for p in pairs], [p.b for p in pairs], cosines, strict, settings, specificity)
    claim = np.array([v is not None for v in verdicts]) & candidate
    same = np.array([v is not None and v.outcome in ("same", "claim") for v in verdicts]) & candidate
    return claim | repeat, repeat, (same & ~repeat) | plain  # a repeat is never also a claim


def paws_figures(pairs: list[LabelledPair], reported: np.ndarray, as_same: np.ndarray, repeat: np.ndarray) -> str:
    y = np.array([p.positive for p in pairs])
    return (f"different meaning: not reported as same {1 - as_same[~y].mean():.3f}, left out {1 - reported[~y].mean():.3f} "
            f"(near-repeats {repeat[~y].mean():.3f}, naming what differs {(repeat & ~as_same)[~y].mean():.3f}); "
            f"paraphrases linked {reported[y].mean():.3f}")


def same_figures(pairs: list[LabelledPair], as_same: np.ndarray) -> str:
    """How right the ``same`` call is, over the pairs whose source says whether they are one claim.

    Sources differ on a partial overlap (MRPC calls it "not a paraphrase", STS-B 3-3.6 "some important
    information differs", the corpus labels ``overlap``): each counts it as not the same, as an editor
    deciding what to drop would.
    """
    known = [i for i, p in enumerate(pairs) if p.same is not None]
    w = np.array([pairs[i].weight for i in known])
    y = np.array([bool(pairs[i].same) for i in known])
    p, r = precision_recall(w, y, as_same[known])
    return f"same call: n={len(known)} P={p:.3f} R={r:.3f} F1={f1_of(p, r):.3f} (same claims {int(y.sum())})"


def precision_recall(w: np.ndarray, y: np.ndarray, reported: np.ndarray) -> tuple[float, float]:
    tp = float((w * (reported & y)).sum())
    fp = float((w * (reported & ~y)).sum())
    pos = float((w * y).sum())
    return (tp / (tp + fp) if tp + fp else 0.0), (tp / pos if pos else 0.0)


def f1_of(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def figures(pairs: list[LabelledPair], reported: np.ndarray, interval: bool = False) -> str:
    """Weighted precision, recall and F1; with ``interval``, a 90% bootstrap interval of P and R.

    The interval resamples the labelled pairs (1,000 rounds, seeded): a corpus part of a few
    hundred pairs holds a few dozen claims, so one figure alone overstates what it knows.
    """
    w = np.array([p.weight for p in pairs])
    y = np.array([p.positive for p in pairs])
    p, r = precision_recall(w, y, reported)
    f1 = f1_of(p, r)
    neg = ~y
    kept_neg = 1 - float(reported[neg].mean()) if neg.any() else float("nan")
    text = f"n={len(pairs):5d} P={p:.3f} R={r:.3f} F1={f1:.3f} negatives left out={kept_neg:.3f}"
    if interval and len(pairs):
        rng = np.random.default_rng(20261203)
        draws = [precision_recall(w[i], y[i], reported[i])
                 for i in (rng.integers(0, len(pairs), len(pairs)) for _ in range(1000))]
        (p_low, r_low), (p_high, r_high) = np.percentile(draws, 5, axis=0), np.percentile(draws, 95, axis=0)
        text += f" (90%: P {p_low:.2f}-{p_high:.2f}, R {r_low:.2f}-{r_high:.2f}; claims {int(y.sum())})"
    return text


def training_texts(pairs: list[LabelledPair]) -> set[str]:
    """Every sentence the shipped verifier trained on (train parts and the made training pairs), spaces folded."""
    from pairsets import training_extras

    texts: set[str] = set()
    for p in [q for q in pairs if q.part == "train"] + training_extras(pairs):
        texts.update((" ".join(p.a.split()), " ".join(p.b.split())))
    return texts


def corpus_breakdown(chosen: list[LabelledPair], reported: np.ndarray, seen: set[str] | None) -> None:
    """The samples labelled after the verifier was built, alone, and (verifier) without a sentence it trained on."""
    later = np.array([p.measure_only for p in chosen])
    if not later.any():
        return
    subset = [p for p, keep in zip(chosen, later) if keep]
    print(f"  {'':8s} labelled later, held out whole: {figures(subset, reported[later], interval=True)}")
    if seen is not None:
        unseen = later & np.array([" ".join(p.a.split()) not in seen and " ".join(p.b.split()) not in seen
                                   for p in chosen])
        subset = [p for p, keep in zip(chosen, unseen) if keep]
        print(f"  {'':8s}   of them, no sentence the verifier trained on: {figures(subset, reported[unseen], True)}")


# The claims the two seed articles share (seeds/000_*.txt, seeds/002_*.txt), read by hand: a pair is found
# when both sentences (given by their opening words) sit in one claim finding of `dedup check seeds/
# --within-claims`.  The Syria agenda counts with either sentence of 002 that states it.
SEED_CLAIMS = {
    "Syria agenda": [("The leaders will discuss", "The leaders are expected to discuss"),
                     ("The leaders will discuss", "The issue of Syria")],
    "reactors": [("Russia is to build nine", "While the Lavrov-Zarif nuclear agenda")],
    "S-300": [("Russia is to build nine", "Iran's Zarif insisted")],
    "Assad": [("Iran and Russia have become increasingly allied", "Western nations have balked")],
    "trade ties": [("The Kremlin said in a statement", "The leaders are expected to discuss")],
    "rocket launch (within 002)": [("Iran announced new military achievements", "Iran also is scheduled to continue")],
}


def seeds(decider: str, threshold: float | None) -> None:
    """The seed claims a check finds: a default check (across documents), then with ``--within-claims``."""
    for within in (False, True):
        command = [str(Path(sys.executable).parent / "dedup"), "check", "seeds/", "--format", "json", "-q",
                   "--fail-on", "none", "--claim-decider", decider]
        if within:
            command.append("--within-claims")
        if threshold is not None:
            command += ["--min-score", str(threshold)]
        out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
        claims = [[o["text"] for o in f["occurrences"]] for f in json.loads(out)["findings"] if f["kind"] == "claim"]
        print(f"seeds{' --within-claims' if within else ''}, decider {decider}, threshold "
              f"{threshold if threshold is not None else 'default'}: {len(claims)} claim findings")
        found = set()
        for name, pairs in SEED_CLAIMS.items():
            for a, b in pairs:
                if any(any(t.startswith(a) for t in group) and any(t.startswith(b) for t in group) for group in claims):
                    found.add(name)
        print(f"  seed claims found {len(found)} of {len(SEED_CLAIMS)}: {', '.join(sorted(found)) or '-'}")
        for group in claims:
            print("  finding: " + "  <->  ".join(t[:60] for t in group))


def speed() -> None:
    """Pairs verified per second (ONNX Runtime, threads = cores available), median of 3 after a warm-up."""
    from dedup.models import available_cores
    from dedup.verify import load_verifier

    pairs = [(p.a, p.b) for p in all_pairs() if p.part == "choose" and p.source in ("mrpc", "stsb", "bbc", "reuters")]
    verifier = load_verifier()
    verifier.probabilities(pairs[:64])
    times = []
    for _ in range(3):
        started = time.perf_counter()
        verifier.probabilities(pairs)
        times.append(time.perf_counter() - started)
    rate = len(pairs) / statistics.median(times)
    print(f"verifier: {len(pairs)} choose pairs (MRPC, STS-B, BBC, Reuters), {available_cores()} threads: "
          f"{rate:.0f} pairs/s (runs {', '.join(f'{t:.2f}' for t in times)} s); {verifier.meta.get('precision')}")


def memoized(embed):
    seen: dict[str, np.ndarray] = {}

    def run(texts: list[str]) -> list[np.ndarray]:
        missing = [t for t in dict.fromkeys(texts) if t not in seen]
        if missing:
            seen.update(zip(missing, embed(missing)))
        return [seen[t] for t in texts]

    return run


def memoized_verifier(verifier):
    """The loaded verifier, each pair scored once however many points are tried."""
    seen: dict[tuple[str, str], object] = {}
    original = verifier.verdicts

    def verdicts(pairs, progress: bool = False):
        missing = [p for p in dict.fromkeys(pairs) if p not in seen]
        if missing:
            seen.update(zip(missing, original(missing, progress=progress)))
        return [seen[p] for p in pairs]

    verifier.verdicts = verdicts
    return lambda: verifier


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--part", default="report", choices=["choose", "report", "train"])
    ap.add_argument("--decider", default=defaults.CLAIM_DECIDER, choices=defaults.CLAIM_DECIDERS)
    ap.add_argument("--sweep", action="store_true", help="verifier points 0.3-0.8 (both: 0.2, 0.3, 0.5), on the choose part")
    ap.add_argument("--seeds", action="store_true", help="which seed-article claims a check finds")
    ap.add_argument("--threshold", type=float, help="with --seeds and the verifier: its claim point (--min-score)")
    ap.add_argument("--speed", action="store_true", help="verifier pairs per second")
    ap.add_argument("--model", default=defaults.DEFAULT_MODEL, choices=["accurate", "fast"],
                    help="the embedding model whose cosines propose and gate the pairs, as --model in a check")
    ap.add_argument("--verifier", type=Path, help="measure a verifier built elsewhere (models/build_verifier.py --out DIR)"
                    " instead of the package's; its checksum is the one its verifier.json records")
    ap.add_argument("--margin", type=float, nargs="*", help="VERIFIER_STRICT_MARGIN values to try (default: shipped)")
    ap.add_argument("--same-point", type=float, nargs="*",
                    help="VERIFIER_SAME_POINT values to try (default: shipped); prints how right each same call is")
    ap.add_argument("--lexical-point", type=float, nargs="*", help="VERIFIER_LEXICAL_POINT values to try (default: shipped; 1 turns it off)")
    ap.add_argument("--lexical-ratio", type=float, nargs="*", help="VERIFIER_LEXICAL_MIN_RATIO values to try (default: shipped)")
    ap.add_argument("--min-cosine", type=float, nargs="*", help="VERIFIER_MIN_COSINE values to try (default: shipped)")
    args = ap.parse_args()
    if args.seeds:
        seeds(args.decider, args.threshold)
        return
    if args.speed:
        speed()
        return
    embed = memoized(embedding_function(Settings(model=args.model)))
    if args.decider in ("verifier", "both"):
        verifier = verify_module.load_verifier()
        if args.verifier:
            recorded = json.loads((args.verifier / "verifier.json").read_text(encoding="utf-8"))["graph_sha256"]
            verifier = verify_module.PairVerifier(args.verifier, expected_sha256=recorded)
        verify_module.load_verifier = memoized_verifier(verifier)  # one pass for every point
    every = all_pairs()
    pairs = [p for p in every if p.part == args.part]
    seen = training_texts(every) if args.decider in ("verifier", "both") else None
    shipped = defaults.BOTH_VERIFIER_THRESHOLD if args.decider == "both" else defaults.VERIFIER_THRESHOLD
    points = [args.threshold if args.threshold is not None else shipped]
    if args.sweep:
        points = [0.2, 0.3, 0.5] if args.decider == "both" else [round(t, 2) for t in np.arange(0.3, 0.85, 0.05)]
    margins = args.margin or [defaults.VERIFIER_STRICT_MARGIN]
    cosines = args.min_cosine or [None]  # None: the model's own gate (Settings.verifier_gate_cosine)
    same_points = args.same_point or [defaults.VERIFIER_SAME_POINT]
    lexical_points = args.lexical_point or [defaults.VERIFIER_LEXICAL_POINT]
    lexical_ratios = args.lexical_ratio or [defaults.VERIFIER_LEXICAL_MIN_RATIO]
    for margin, min_cosine, threshold, same_point, lexical_point, lexical_ratio in itertools.product(
            margins, cosines, points, same_points, lexical_points, lexical_ratios):
        settings_module.VERIFIER_SAME_POINT = same_point  # Verdict.outcome reads it at each call
        # cache=False: every verdict comes from the verifier loaded above (--verifier), none from disk
        settings = Settings(model=args.model, claim_decider=args.decider,
                            verifier_threshold=float(threshold), cache=False,
                            both_verifier_threshold=float(threshold), verifier_min_cosine=min_cosine,
                            verifier_strict_margin=float(margin), verifier_lexical_point=float(lexical_point),
                            verifier_lexical_min_ratio=float(lexical_ratio))
        print(f"part {args.part}, model {args.model}, decider {args.decider}, verifier threshold {threshold}, "
              f"strict +{margin}, same point {same_point}, lexical point {lexical_point} at {lexical_ratio}, "
              f"gate cosine {settings.verifier_gate_cosine}")
        for source in ("mrpc", "paws", "stsb", "bbc", "reuters"):
            chosen = [p for p in pairs if p.source == source]
            if not chosen:
                continue
            reported, repeat, as_same = decide(chosen, settings, embed, corpus_specificity_of(source))
            corpus = source in ("bbc", "reuters")
            print(f"  {source:8s} {figures(chosen, reported, interval=corpus)}")
            if corpus:
                corpus_breakdown(chosen, reported, seen)
            if source == "paws":
                print(f"  {'':8s} {paws_figures(chosen, reported, as_same, repeat)}")
            if args.same_point:
                print(f"  {'':8s} {same_figures(chosen, as_same)}")
        if args.decider == "rule":
            return  # the rule does not read the verifier's points

if __name__ == "__main__":
    main()
