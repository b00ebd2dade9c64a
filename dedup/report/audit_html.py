"""The audit as one self-contained HTML page: each draft beside each of its sources.

Everything is inline (CSS, a few lines of JavaScript, no fonts, images or
URLs), so the file can be mailed or attached to a CI run and opened offline.
All text that comes from the input (article text, paths, ids, matched
phrases) goes through ``html.escape``: a draft containing ``<script>`` shows
those characters and nothing runs.

Per draft: a summary bar (attributed / unattributed reuse / original, widths
proportional to the shares), the sources table, then one side-by-side pair per
source, most reused first.  In a pair, each draft sentence credited to that
source is a ``<mark>`` inside a link to its counterpart in the source pane and
vice versa; ids are ``d{draft}-s{source}-{d|s}{sentence}``.  Classes say how
(``exact``/``fuzzy``/``semantic``, ``repeat``/``claim``,
``attributed``/``unattributed``) and ``conflict`` marks a pair whose details
disagree; the ``title`` attribute spells it out and the conflicting snippets
are wrapped in ``<span class="detail">``.  The script only makes a click
scroll the counterpart to the middle of its pane and flash it; without it
the links still work as plain fragment links.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape

from ..audit import AuditResult, DraftAudit, Reuse
from ..core import Document, Sentence

_CSS = """
:root{--att:#2e7d32;--unatt:#e65100;--orig:#cfd8dc;--ink:#1c2733;--muted:#5f6b76;--mark-u:#ffe0b2;--mark-a:#c8e6c9;
--claim-u:#fff3e0;--claim-a:#e8f5e9;--bad:#c62828}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);margin:0;background:#f6f7f9}
header.page{padding:16px 24px;background:#fff;border-bottom:1px solid #dde2e7}
h1{font-size:20px;margin:0 0 4px}
h2{font-size:17px;margin:0 0 8px;word-break:break-all}
h3{font-size:14px;margin:16px 0 6px;word-break:break-all}
.muted{color:var(--muted)}
main{padding:8px 24px 40px}
section.draft{background:#fff;border:1px solid #dde2e7;border-radius:6px;padding:16px;margin:16px 0}
.bar{display:flex;height:18px;border-radius:4px;overflow:hidden;background:var(--orig);margin:6px 0;max-width:720px}
.bar span{display:block;height:100%}
.bar .attributed{background:var(--att)}.bar .unattributed{background:var(--unatt)}.bar .original{background:var(--orig)}
.legend span{display:inline-block;margin-right:14px;font-size:13px}
.legend i{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:4px;vertical-align:-1px}
table.sources{border-collapse:collapse;font-size:13px;margin:8px 0}
table.sources td,table.sources th{padding:2px 10px 2px 0;text-align:left;vertical-align:top}
table.sources td.num{text-align:right;font-variant-numeric:tabular-nums}
.panes{display:grid;grid-template-columns:1fr 1fr;gap:12px}
.pane{border:1px solid #dde2e7;border-radius:4px;padding:8px 10px;max-height:70vh;overflow:auto;white-space:pre-wrap;
font-size:14px;background:#fcfcfd}
.pane h4{position:sticky;top:-8px;margin:-8px -10px 6px;padding:6px 10px;font-size:12px;color:var(--muted);
white-space:normal;background:#f0f2f5;border-bottom:1px solid #dde2e7;z-index:1}
a.jump{color:inherit;text-decoration:none}
mark{border-radius:2px;padding:0 1px;color:inherit}
mark.unattributed{background:var(--mark-u)}mark.attributed{background:var(--mark-a)}
mark.claim.unattributed{background:var(--claim-u);border-bottom:2px dotted var(--unatt)}
mark.claim.attributed{background:var(--claim-a);border-bottom:2px dotted var(--att)}
mark.fuzzy{border-bottom:2px dashed #8d6e63}
mark.conflict{outline:2px solid var(--bad)}
mark.conflict::after{content:"\\26A0";color:var(--bad);font-size:12px;margin-left:2px}
mark.flash{animation:flash 1.2s ease-out}
@keyframes flash{0%{box-shadow:0 0 0 4px #1565c0}100%{box-shadow:0 0 0 0 transparent}}
.detail{font-weight:700;text-decoration:underline wavy var(--bad)}
.elsewhere{text-decoration:underline dotted #90a4ae}
ul.conflicts{font-size:13px;margin:6px 0 0;padding-left:18px;color:var(--bad)}
@media (max-width:900px){.panes{grid-template-columns:1fr}}
"""

_JS = """
document.addEventListener('click',function(e){
  var a=e.target.closest?e.target.closest('a.jump'):null;if(!a)return;
  var t=document.getElementById(a.getAttribute('href').slice(1));if(!t)return;
  e.preventDefault();
  t.scrollIntoView({block:'center',inline:'nearest'});
  var old=document.querySelectorAll('mark.flash');for(var i=0;i<old.length;i++)old[i].classList.remove('flash');
  void t.offsetWidth;t.classList.add('flash');
  if(history.replaceState)history.replaceState(null,'','#'+t.id);
});
"""


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def _width(share: float) -> str:
    return f"{100 * max(0.0, min(1.0, share)):.2f}%"


def _where(sentence: Sentence) -> str:
    return f"line {sentence.document.line_col(sentence.start)[0]}"


def _title(r: Reuse, side: str) -> str:
    other = r.source if side == "draft" else r.sentence
    what = f"{r.method} {r.kind}" + ("" if r.method == "exact" else f", score {r.score:.2f}")
    if r.finding is not None and r.finding.evidence is not None:
        from .table import why

        what += f" ({r.finding.evidence.outcome}: {why(r.finding.evidence)})"
    credit = f"attributed ({r.attribution})" if r.attributed else "unattributed"
    text = f"{what}; {credit}; counterpart: {other.document.name} {_where(other)}"
    if r.conflicts:
        text += "; conflicting " + "; ".join(f'{c.type}: source "{c.a}" vs draft "{c.b}"' for c in r.conflicts)
    return text


def _classes(r: Reuse) -> str:
    names = [r.kind, r.method, "attributed" if r.attributed else "unattributed"]
    if r.conflicts:
        names.append("conflict")
    return " ".join(names)


def _with_details(text: str, snippets: list[str]) -> str:
    """Escaped sentence text with each conflicting snippet (if found verbatim) wrapped in span.detail."""
    spans = []
    for snippet in snippets:
        at = text.find(snippet) if snippet else -1
        if at >= 0 and not any(s < at + len(snippet) and at < e for s, e in spans):
            spans.append((at, at + len(snippet)))
    out, pos = [], 0
    for start, end in sorted(spans):
        out.append(escape(text[pos:start]))
        out.append(f'<span class="detail">{escape(text[start:end])}</span>')
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def _pane_text(document: Document, pieces: dict[int, tuple[Sentence, str]]) -> str:
    """The whole document text, escaped, with ``pieces`` (start offset -> sentence, html) put in place."""
    out, pos = [], 0
    for start in sorted(pieces):
        sentence, html = pieces[start]
        if start < pos:  # overlapping spans cannot happen with one splitter; be safe anyway
            continue
        out.append(escape(document.text[pos:start]))
        out.append(html)
        pos = sentence.end
    out.append(escape(document.text[pos:]))
    return "".join(out)


def _pair(i: int, j: int, draft: DraftAudit, source: Document, share: float) -> str:
    prefix = f"d{i}-s{j}"
    mine = [r for r in draft.reused if r.source.document is source]
    first_for_source: dict[int, Reuse] = {}
    users: dict[int, list[Reuse]] = defaultdict(list)
    for r in mine:
        first_for_source.setdefault(r.source.index, r)
        users[r.source.index].append(r)

    draft_pieces: dict[int, tuple[Sentence, str]] = {}
    for r in mine:
        s = r.sentence
        body = _with_details(s.text, [c.b for c in r.conflicts])
        draft_pieces[s.start] = (
            s,
            f'<a class="jump" href="#{prefix}-s{r.source.index}">'
            f'<mark id="{prefix}-d{s.index}" class="{_classes(r)}" title="{escape(_title(r, "draft"))}">{body}</mark></a>',
        )
    for r in draft.reused:  # reused from another source: a quiet hint, no mark
        if r.source.document is not source:
            s = r.sentence
            draft_pieces[s.start] = (
                s,
                f'<span class="elsewhere" title="{escape("reused from " + r.source.document.name)}">'
                f"{escape(s.text)}</span>",
            )
    source_pieces: dict[int, tuple[Sentence, str]] = {}
    for index, r in first_for_source.items():
        s = r.source
        title = _title(r, "source")
        if len(users[index]) > 1:
            title += f"; reused by {len(users[index])} draft sentences"
        conflicted = [x for x in users[index] if x.conflicts]
        body = _with_details(s.text, [c.a for x in conflicted for c in x.conflicts])
        classes = _classes(conflicted[0] if conflicted else r)
        source_pieces[s.start] = (
            s,
            f'<a class="jump" href="#{prefix}-d{r.sentence.index}">'
            f'<mark id="{prefix}-s{s.index}" class="{classes}" title="{escape(title)}">{body}</mark></a>',
        )
    conflicts = [
        f"<li>{escape(_where(r.sentence))}: {escape(c.type)} &ldquo;{escape(c.b)}&rdquo; in the draft, "
        f"&ldquo;{escape(c.a)}&rdquo; in the source ({escape(_where(r.source))})</li>"
        for r in mine
        for c in r.conflicts
    ]
    return (
        f'<div class="pair" id="{prefix}">'
        f"<h3>{escape(source.name)} &mdash; {_pct(share)} of the draft, {len(mine)} sentence(s)</h3>"
        + (f'<ul class="conflicts">{"".join(conflicts)}</ul>' if conflicts else "")
        + '<div class="panes">'
        f'<div class="pane draft-pane"><h4>draft: {escape(draft.document.name)}</h4>'
        f"{_pane_text(draft.document, draft_pieces)}</div>"
        f'<div class="pane source-pane"><h4>source: {escape(source.name)}</h4>'
        f"{_pane_text(source, source_pieces)}</div>"
        "</div></div>"
    )


def _bar(draft: DraftAudit) -> str:
    label = (
        f"attributed reuse {_pct(draft.attributed)}, unattributed reuse {_pct(draft.unattributed)}, "
        f"original {_pct(draft.original)}"
    )
    return (
        f'<div class="bar" role="img" aria-label="{escape(label)}" title="{escape(label)}">'
        f'<span class="attributed" style="width:{_width(draft.attributed)}"></span>'
        f'<span class="unattributed" style="width:{_width(draft.unattributed)}"></span>'
        f'<span class="original" style="width:{_width(draft.original)}"></span></div>'
    )


def _draft(i: int, draft: DraftAudit) -> str:
    parts = [
        f'<section class="draft" id="d{i}">',
        f"<h2>{escape(draft.document.name)}</h2>",
        _bar(draft),
        f'<p class="figures">reuse <b class="reuse">{_pct(draft.reuse)}</b> '
        f"(attributed {_pct(draft.attributed)}, unattributed {_pct(draft.unattributed)}) &middot; "
        f"{len(draft.reused)} of {len(draft.eligible)} matchable sentences reused</p>",
    ]
    if draft.sources:
        rows = "".join(
            f'<tr><td><a href="#d{i}-s{j}">{escape(s.document.name)}</a></td>'
            f'<td class="num">{_pct(s.share)}</td><td class="num">{s.sentences}</td></tr>'
            for j, s in enumerate(draft.sources, 1)
        )
        parts.append(
            '<table class="sources"><thead><tr><th>source</th><th>share</th><th>sentences</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
        parts.extend(_pair(i, j, draft, s.document, s.share) for j, s in enumerate(draft.sources, 1))
    else:
        parts.append(
            '<p class="muted">No sentence of this draft repeats or restates a source.</p>'
            f'<div class="pane draft-pane"><h4>draft: {escape(draft.document.name)}</h4>'
            f"{_pane_text(draft.document, {})}</div>"
        )
    parts.append("</section>")
    return "".join(parts)


def render(result: AuditResult, title: str = "dedup audit") -> str:
    methods = ", ".join(sorted({r.method for d in result.documents for r in d.reused})) or "none matched"
    legend = (
        '<p class="legend">'
        '<span><i style="background:var(--att)"></i>attributed reuse</span>'
        '<span><i style="background:var(--unatt)"></i>unattributed reuse</span>'
        '<span><i style="background:var(--orig)"></i>original</span>'
        '<span><mark class="repeat exact unattributed">exact</mark> / '
        '<mark class="repeat fuzzy unattributed">fuzzy</mark> repeat</span>'
        '<span><mark class="claim semantic unattributed">same claim</mark></span>'
        '<span><mark class="conflict unattributed">conflicting detail</mark></span></p>'
    )
    warnings = "".join(f"<li>{escape(str(p))}</li>" for p in result.problems)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        '<header class="page"><h1>Reuse audit</h1>'
        f'<p class="muted">{len(result.documents)} draft(s) against {len(result.references)} source document(s); '
        f"matched by: {escape(methods)}. Share = characters of reused sentences / characters of matchable "
        "sentences. Click a highlighted sentence to jump to its counterpart.</p>"
        f"{legend}"
        + (f'<ul class="warnings">{warnings}</ul>' if warnings else "")
        + "</header><main>"
        + "".join(_draft(i, d) for i, d in enumerate(result.documents, 1))
        + f"</main><script>{_JS}</script></body></html>\n"
    )
