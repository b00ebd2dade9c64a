"""Acceptance figures of `dedup audit` on BBC article pairs.

    .venv/bin/python benchmarks/audit_bbc.py [CORPUS_DIR] [--methods exact,fuzzy[,semantic]]
                                             [--html report.html] [--screenshot docs/audit.png]

For each pair (draft, source) prints the draft's reuse share, attributed
share and top source, first with the lexical matchers (exact, fuzzy), then
with every matcher (adds semantic claims; needs dedup/weights/claim_model.json).
Acceptance: a copy >= 0.95 with its source first, an updated story >= 0.8,
an unrelated article <= 0.05.  ``--screenshot`` renders the HTML report of
business/229 against business/209 in the system Chromium (Playwright) for
README.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dedup import Settings  # noqa: E402
from dedup.audit import audit  # noqa: E402
from dedup.report import audit_html  # noqa: E402

PAIRS = [
    # (label, draft, source, acceptance: "copy" >= 0.95 and first | "updated" >= 0.8 | "unrelated" <= 0.05 | None)
    ("copy", "business/253.txt", "business/007.txt", "copy"),
    ("updated: new headline (issue pair)", "sport/121.txt", "sport/112.txt", "updated"),
    ("updated: 2 paragraphs added", "politics/354.txt", "politics/077.txt", None),
    ("updated: reworded in part", "business/229.txt", "business/209.txt", None),
    ("updated: reworded in part", "business/354.txt", "business/260.txt", None),
    ("updated: reworded in part", "sport/511.txt", "sport/424.txt", None),
    ("unrelated: other section", "sport/121.txt", "business/007.txt", "unrelated"),
    ("unrelated: same topic (jobs)", "business/007.txt", "business/022.txt", "unrelated"),
    ("unrelated: other section", "business/007.txt", "tech/100.txt", "unrelated"),
]

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def _ok(kind: str | None, reuse: float, first_ok: bool) -> str:
    if kind == "copy":
        return "PASS" if reuse >= 0.95 and first_ok else "FAIL"
    if kind == "updated":
        return "PASS" if reuse >= 0.8 and first_ok else "FAIL"
    if kind == "unrelated":
        return "PASS" if reuse <= 0.05 else "FAIL"
    return "info"


def run(corpus: Path, methods_sets: list[tuple[str, ...]]) -> int:
    failed = 0
    for methods in methods_sets:
        settings = Settings(methods=methods, cache=False)
        print(f"methods: {','.join(methods)}")
        print(f"  {'pair':<37} {'draft':<17} {'source':<17} {'reuse':>6} {'attrib':>6}  {'top source':<17} check")
        for label, draft, source, kind in PAIRS:
            t0 = time.perf_counter()
            d = audit([str(corpus / draft)], [str(corpus / source)], settings).documents[0]
            top = d.sources[0].document.path if d.sources else "-"
            first_ok = top.endswith(source)
            verdict = _ok(kind, d.reuse, first_ok)
            failed += verdict == "FAIL"
            top_name = str(Path(top).relative_to(corpus)) if d.sources else "-"
            print(
                f"  {label:<37} {draft:<17} {source:<17} {d.reuse:6.3f} {d.attributed:6.3f}  {top_name:<17} {verdict}"
                f"  ({time.perf_counter() - t0:.1f} s)"
            )
        # The copy found among a whole category of sources.
        t0 = time.perf_counter()
        result = audit(
            [str(corpus / "business" / "253.txt")], [str(corpus / "business")], settings.replace(exclude=("253.txt",))
        )
        d = result.documents[0]
        top = d.sources[0].document.path if d.sources else "-"
        verdict = _ok("copy", d.reuse, top.endswith("business/007.txt"))
        failed += verdict == "FAIL"
        print(
            f"  {'copy among all of business/ (' + str(len(result.references)) + ' sources)':<37} {'business/253.txt':<17} "
            f"{'business/':<17} {d.reuse:6.3f} {d.attributed:6.3f}  {Path(top).relative_to(corpus)!s:<17} {verdict}"
            f"  ({time.perf_counter() - t0:.1f} s)"
        )
        print()
    return 1 if failed else 0


def screenshot(corpus: Path, html_path: Path | None, png: Path | None) -> None:
    import os

    here = Path.cwd()
    os.chdir(corpus)  # relative paths read better in the report
    try:
        result = audit(["business/229.txt"], ["business/209.txt"], Settings(cache=False))
    finally:
        os.chdir(here)
    page = audit_html.render(result)
    if html_path:
        html_path.write_text(page, encoding="utf-8")
        print(f"wrote {html_path}")
    if png:
        import shutil
        import tempfile

        from playwright.sync_api import sync_playwright

        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / "audit.html"
            target.write_text(page, encoding="utf-8")
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=CHROMIUM_ARGS
                )
                tab = browser.new_page(viewport={"width": 1280, "height": 860}, device_scale_factor=1)
                tab.goto(target.as_uri())
                tab.locator(".draft-pane a.jump").nth(6).click()  # show a jump: the counterpart flashes
                tab.wait_for_timeout(150)
                tab.evaluate("window.scrollTo(0, 0)")
                png.parent.mkdir(parents=True, exist_ok=True)
                tab.screenshot(path=str(png))
                browser.close()
        print(f"wrote {png}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpora" / "bbc"))
    parser.add_argument("--methods", help="one method set, comma-separated (default: lexical, then all)")
    parser.add_argument("--html", type=Path, help="also write the HTML report of business/229 vs 209 here")
    parser.add_argument("--screenshot", type=Path, help="also save a screenshot of that report (PNG)")
    args = parser.parse_args(argv[1:])
    corpus = Path(args.corpus)
    sets = [tuple(args.methods.split(","))] if args.methods else [("exact", "fuzzy"), ("exact", "fuzzy", "semantic")]
    status = run(corpus, sets)
    if args.html or args.screenshot:
        screenshot(corpus, args.html, args.screenshot)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
