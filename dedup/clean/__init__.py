"""Write a cleaned copy of a corpus: later repeats taken out, every removal logged.

``clean(sources, out)`` reads the sources as ``check`` does, runs the checker
once over all of them, and writes ``out`` as a mirror of the inputs:

* **Layout.**  Each input file goes to ``out/<path relative to the source it
  came from>``; a file given directly goes to ``out/<its name>``.  Only the
  files dedup reads are mirrored (``--include``/``--exclude`` apply).  Two
  inputs that would land on one output path, or an input named
  ``removed.jsonl`` at the top of a source, are refused (``CleanError``)
  before anything is written: clean their common parent instead.

* **What is removed.**  For every repeat finding (and every claim finding
  with ``drop_claims``) the first occurrence in reading order is kept and
  every later one is removed, each sentence once even when it is in several
  findings (a repeat finding wins over a claim finding).  The occurrence
  logged as ``kept`` is always one that survives in the output: when the
  first occurrence of a repeat is itself dropped as a claim, its repeats
  point at the claim's kept sentence (reason ``claim``).

* **Whole documents** (``drop_docs``).  Documents are visited in reading
  order.  A document is a near-duplicate of an earlier *surviving* document E
  when at least ``doc_overlap`` of the characters of its eligible sentences
  (long enough to be matched, not ignored) are in repeat findings whose first
  surviving occurrence is in E, one document, not the sum over several.  It
  is dropped whole (a text file is not written, a JSON Lines record's line is
  left out) and logged as one entry, ``reason: "document"``, ``start`` 0,
  ``end`` its length, with E as ``kept`` and the ``overlap`` found.  Claims
  never make a document a duplicate: only copied wording does.  Sentence
  removal then runs over the surviving documents only, so a sentence whose
  first occurrence was in a dropped document is kept at its next occurrence.

* **Joins.**  A removed sentence goes with one of the whitespace runs around
  it: the smaller one (fewer line breaks, then shorter; the following one on
  a tie), so a sentence alone on its line takes its line with it, and
  ``A. B.\\n\\nC.`` loses `` B.`` and keeps its paragraph break.  Removed
  sentences separated only by whitespace are taken out as one block.  The
  whitespace removed is logged (``space_before``, ``space_after``), so
  ``restore`` rebuilds the original text exactly.

* **Encodings and formats.**  A text file is written in the encoding it was
  decoded from (a UTF-8 BOM is kept), so every byte outside the removals is
  unchanged; a file with nothing removed is copied byte for byte.  In JSON
  Lines only the text field of a record with removals is rewritten (the
  record is re-serialized, every other field kept); every other line,
  including lines skipped as unreadable, is copied unchanged.  Files nothing
  could be read from (binary, empty, too big, no usable record) are copied
  unchanged and reported; data is never lost.

* **removed.jsonl.**  One line per removal: ``path`` (the input), ``record``
  and ``id`` (JSON Lines), ``output`` (path inside ``out``), ``start`` and
  ``end`` (character offsets into the original decoded text, of the text
  field for JSON Lines), ``text``, ``space_before``, ``space_after``,
  ``reason`` (``repeat``, ``claim`` or ``document``) and ``kept`` (``path``,
  ``record``, ``id``, ``start``, ``end``, ``text``).  It is written last: its
  presence marks a complete run.

* **Safety.**  Inputs are only read.  ``out`` may not be inside a source nor
  contain one, may not be a file, and must be empty unless ``force`` (the
  temporaries of a killed run do not count).  Every file is written to a
  temporary ``.dedup-tmp-*`` file in its target directory, fsynced and
  renamed over the target, so a run killed at any point leaves some complete
  files (and maybe temporaries, which the next run into ``out`` removes) but
  never a partial file under a real name.

The stages, one module each: ``plan`` (refuse or list the inputs),
``decide`` (which sentences and documents go), ``cut`` (the text surgery and
its log), ``write`` (the files, byte for byte outside the cuts), and
``command`` (``clean`` itself).
"""

from __future__ import annotations

from ..files import TMP_PREFIX
from .command import clean
from .cut import apply_cuts, cut_spans, restore
from .plan import REMOVED_LOG, CleanError, CleanReport

__all__ = ["REMOVED_LOG", "TMP_PREFIX", "CleanError", "CleanReport", "apply_cuts", "clean", "cut_spans", "restore"]
