"""The audit HTML page in a real headless browser: Debian's Chromium driven by Playwright.

Skipped only when no Chromium binary is installed (``apt-get install -y
chromium``; ``$DEDUP_CHROMIUM`` names another binary).  Playwright's own
browser download is never used: the page is opened by the system Chromium,
with networking features off, from a ``file://`` URL.

The page is built from the two seed articles: the source is both seeds run
together (long enough that its pane scrolls), the draft takes sentences from
its end and its start in reverse order, adds one with a changed figure (a
conflicting detail) and carries hostile markup that must show as text.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import dedup
from dedup.audit import audit
from dedup.report import audit_html

from .conftest import SEED_A, SEED_B

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def _chromium() -> str | None:
    explicit = os.environ.get("DEDUP_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium not installed (apt-get install -y chromium, or set DEDUP_CHROMIUM)"
)

HOSTILE = (
    '<script>window.pwned = 1; document.title = "pwned"</script>'
    ' <img src="x" onerror="window.pwned = 2"> Tom & Jerry "<b>bold</b>"'
)


def _sentences(text: str) -> list[str]:
    from dedup.segment import split_spans

    return [text[s:e] for s, e in split_spans(text)]


@pytest.fixture(scope="module")
def page_file(tmp_path_factory) -> tuple[Path, dedup.Settings]:
    base = tmp_path_factory.mktemp("audit-page")
    seed_a = SEED_A.read_text(encoding="utf-8")
    seed_b = SEED_B.read_text(encoding="utf-8")
    source_text = seed_a + "\n\n" + seed_b
    long_ones = [s for s in _sentences(seed_b) if len(s.split()) >= 12]
    firsts = [s for s in _sentences(seed_a) if len(s.split()) >= 12]
    changed = next(s for s in firsts if "10 " in s)
    draft_parts = [
        "Rouhani and Putin meet as Iran opens bases",
        "The visit was announced by the Kremlin on Monday in a short statement on its website.",
        *reversed(long_ones[-3:]),  # copied from the end of the source, so their counterparts start out of view
        HOSTILE,
        changed.replace("10 ", "15 ", 1),
        *firsts[:2],
    ]
    (base / "drafts").mkdir()
    (base / "wires").mkdir()
    draft = base / "drafts" / "story <1>.txt"
    draft.write_text("\n\n".join(draft_parts) + "\n", encoding="utf-8")
    (base / "wires" / "seeds.txt").write_text(source_text, encoding="utf-8")
    settings = dedup.Settings(methods=("exact", "fuzzy"), cache=False)
    result = audit([str(draft)], [str(base / "wires")], settings)
    html = base / "report.html"
    html.write_text(audit_html.render(result), encoding="utf-8")
    return html, result


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # a missing test dependency is an error, not a reason to skip
        pytest.fail("playwright is not installed: pip install playwright (no `playwright install` needed)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, page_file):
    html, _ = page_file
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    pg = context.new_page()
    requests, errors = [], []
    pg.on("request", lambda r: requests.append(r.url))
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(html.as_uri())
    pg.requests, pg.errors = requests, errors
    yield pg
    context.close()


def _in_view(pg, element_id: str) -> bool:
    """The element is inside the window's viewport and inside the visible part of its scrolling pane."""
    return pg.evaluate(
        """id => {
            const el = document.getElementById(id);
            const r = el.getBoundingClientRect();
            const pane = el.closest('.pane').getBoundingClientRect();
            const inWindow = r.top >= 0 && r.bottom <= window.innerHeight && r.left >= 0 && r.right <= window.innerWidth;
            const inPane = r.top >= pane.top - 1 && r.bottom <= pane.bottom + 1;
            return inWindow && inPane;
        }""",
        element_id,
    )


def test_page_renders_with_every_mark(page, page_file):
    _, result = page_file
    d = result.documents[0]
    assert d.reuse > 0.5 and len(d.reused) >= 6
    expected = len(d.reused) + len({r.source.index for r in d.reused})
    assert page.locator("mark[id]").count() == expected
    assert page.locator(".draft-pane mark[id]").count() == len(d.reused)
    assert page.locator("section.draft h2").inner_text() == d.document.path
    assert page.errors == []
    assert all(u.startswith("file://") for u in page.requests), page.requests  # nothing fetched from a network


def test_summary_bar_widths_are_the_shares(page, page_file):
    _, result = page_file
    d = result.documents[0]
    widths = page.evaluate(
        """() => {
            const bar = document.querySelector('.bar').getBoundingClientRect().width;
            return ['attributed', 'unattributed', 'original'].map(
                c => document.querySelector('.bar .' + c).getBoundingClientRect().width / bar);
        }"""
    )
    assert widths == pytest.approx([d.attributed, d.unattributed, d.original], abs=0.01)
    assert d.attributed > 0  # "told Reuters" in a copied sentence


def test_clicking_a_mark_scrolls_to_its_counterpart_and_back(page):
    first = page.locator(".draft-pane a.jump").first
    target = first.get_attribute("href")[1:]
    assert not _in_view(page, target)  # the counterpart starts out of view
    first.click()
    page.wait_for_function(f"document.getElementById('{target}').classList.contains('flash')")
    assert _in_view(page, target)
    assert page.evaluate("location.hash") == f"#{target}"
    back = page.locator(f"#{target}").locator("xpath=..")  # the source mark's link back to the draft
    draft_id = back.get_attribute("href")[1:]
    page.evaluate(f"document.getElementById('{draft_id}').closest('.pane').scrollTop = 1e6")
    page.locator(f"#{target}").click()
    assert _in_view(page, draft_id)


def test_conflicting_detail_is_marked(page):
    conflict = page.locator(".draft-pane mark.conflict")
    assert conflict.count() == 1
    assert "conflicting number" in conflict.get_attribute("title")
    assert conflict.locator(".detail").inner_text().startswith("15")
    assert page.locator(".source-pane mark.conflict .detail").inner_text().startswith("10")


def test_hostile_markup_shows_as_text_and_does_not_run(page):
    assert page.evaluate("window.pwned") is None
    assert page.title() == "dedup audit"
    text = page.locator(".draft-pane").first.inner_text()
    assert '<script>window.pwned = 1; document.title = "pwned"</script>' in text
    assert '<img src="x" onerror="window.pwned = 2">' in text and '"<b>bold</b>"' in text
    assert page.locator(".draft-pane img, .draft-pane b, .pane script").count() == 0


def test_screenshot(page, tmp_path):
    shot = tmp_path / "audit.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
