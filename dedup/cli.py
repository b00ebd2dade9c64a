"""The ``dedup`` command: a thin click layer over the library.

Exit codes: 0 nothing found (at or above ``--fail-on``), 1 findings
reported, 2 usage or configuration error (click's own convention), 3
internal error or unusable model.

The options the commands share, their checks, the config file defaults and
the Settings built from them are in ``cli_options``.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterable
from pathlib import Path

import click

from . import settings as defaults
from .baseline import BaselineError, apply_baseline, decider_drift, fails, reaches, read_baseline
from .baseline import write_baseline as write_baseline_file
from .cli_options import (
    engine_options, input_options, load_config_defaults, ray_engine_options, settings_from, settings_options,
)
from .config import ConfigError
from .index_file import DedupIndexError
from .models import MODELS, ModelError
from .pipeline import check as run_check
from .report import FORMATS, render
from .settings import Settings

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dedup")
@click.option(
    "--config", type=click.Path(exists=True, dir_okay=False), callback=load_config_defaults, is_eager=True,
    expose_value=False,
    help="Config file (default: nearest .dedup.toml, or pyproject.toml with [tool.dedup], upward from here).",
)
def main() -> None:
    """Find repeated sentences and overlapping claims in news text."""


EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, as a shell reports a reader that went away


def _output_problem(output: str | None, inputs: Iterable[str]) -> str | None:
    """Why a report cannot be written to ``output``, checked before any work: one line, not a traceback.

    An output that is one of the inputs would overwrite an article; an output
    in a directory the user cannot write fails only after minutes of work.
    """
    if not output or output == "-":
        return None
    target = Path(output)
    resolved = target.resolve()
    for given in inputs:
        if given != "-" and Path(given).resolve() == resolved:
            return f"-o {output} is one of the inputs; refusing to overwrite it"
    parent = resolved.parent
    try:
        if not parent.is_dir():
            return f"cannot write {output}: directory {parent} does not exist"
        exists = target.exists()
    except OSError as exc:
        return f"cannot write {output}: {exc.strerror.lower() if exc.strerror else exc}"
    if not os.access(target if exists else parent, os.W_OK):
        return f"cannot write {output}: permission denied"
    return None


def _require_writable(output: str | None, inputs: Iterable[str]) -> None:
    problem = _output_problem(output, inputs)
    if problem:
        raise click.UsageError(problem)


def _run(fn):
    """Map the library's errors to the documented exit codes."""
    try:
        try:
            return fn()
        finally:
            sys.stdout.flush()  # a reader that went away shows here, inside the handler, not at exit
    except BrokenPipeError:
        # `dedup ... | head`: the reader has gone; say nothing more (Python's documented recipe).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_BROKEN_PIPE)
    except (ConfigError, BaselineError, DedupIndexError) as exc:
        click.echo(f"dedup: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except ModelError as exc:
        click.echo(f"dedup: error: {exc}", err=True)
        sys.exit(EXIT_INTERNAL)
    except Exception:  # a bug: say so, with the traceback, and use the documented code
        click.echo("dedup: internal error (please report this):", err=True)
        click.echo(traceback.format_exc(), err=True)
        sys.exit(EXIT_INTERNAL)


def _warn(problems, quiet: bool) -> None:
    if not quiet:
        for problem in problems:
            click.echo(f"dedup: warning: {problem}", err=True)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@settings_options
@click.option(
    "--format", "fmt", type=click.Choice(list(FORMATS)), default="table", show_default=True,
    help="Output format (docs/cli.md: formats; docs/json.md: the JSON contract).",
)
@click.option(
    "--fail-on", type=click.Choice(defaults.FAIL_LEVELS), default=defaults.DEFAULT_FAIL_ON, show_default=True,
    help="Lowest finding that fails the run (exit 1): boilerplate (any finding), claim (any but "
    "boilerplate), repeat, conflict, or none.",
)
@click.option(
    "--boilerplate", type=click.Choice(defaults.BOILERPLATE_CHOICES), default="show", show_default=True,
    help="House phrases recurring across many documents: list each once as boilerplate, or hide them.",
)
@click.option("--against", multiple=True, help="Reference path or ARCHIVE.dedup index: drafts are checked against it, references never against each other (repeatable).")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Hide the findings recorded in this baseline file.")
@click.option("--write-baseline", type=click.Path(dir_okay=False), help="Record the current findings in this file and exit 0.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write the report here instead of stdout.")
@engine_options
@click.option(
    "--output-dir", type=click.Path(file_okay=False),
    help="With --engine ray: write findings as JSON Lines shards and document metadata as Parquet here, "
    "instead of a report (for corpora whose findings should not pass through one process).",
)
def check(paths, settings: Settings, quiet, fmt, fail_on, against, baseline, write_baseline, output,
          engine, ray_address, workers, output_dir) -> None:
    """Check PATHS (files, directories, or - for stdin) for repeats and claims.

    Exit status: 0 nothing at or above --fail-on, 1 findings, 2 usage or
    config error, 3 internal error.
    """
    ray_options = ray_engine_options(engine, ray_address, workers)
    if ray_options is None and output_dir:
        raise click.UsageError("--output-dir needs --engine ray")
    if ray_options is not None and against:
        raise click.UsageError("--against is not supported with --engine ray")
    if output_dir and (baseline or write_baseline or output):
        raise click.UsageError("--output-dir writes the findings there: --baseline, --write-baseline and -o need a report")
    _require_writable(output, (*paths, *against))
    _require_writable(write_baseline, (*paths, *against))
    missing = [a for a in against if not Path(a).exists()]
    if missing:
        # A reference set that is not there would let every draft pass a CI gate.
        raise click.UsageError(f"--against {missing[0]} does not exist")

    def work():
        from .index import check_paths_against, is_index_path

        if ray_options is not None:
            from .engine_ray import RayEngineError, check_ray

            try:
                result = check_ray(paths, settings, address=ray_options.address, workers=ray_options.workers,
                                   output_dir=output_dir)
            except RayEngineError as exc:
                click.echo(f"dedup: error: {exc}", err=True)
                sys.exit(EXIT_USAGE)
            if output_dir:
                # The findings are in OUTPUT_DIR, written by the workers; this process only counted them.
                _warn(result.problems, quiet)
                if not quiet:
                    click.echo(f"dedup: wrote {result.finding_count} finding(s) to {Path(output_dir) / 'findings'} "
                               f"and the documents to {Path(output_dir) / 'documents'}", err=True)
                written = [level for level, count in (result.written or {}).items() if count]
                sys.exit(EXIT_FINDINGS if reaches(written, fail_on) else EXIT_CLEAN)
        elif any(is_index_path(a) for a in against):
            result = check_paths_against(paths, settings, against=against)
        else:
            result = run_check(paths, settings, against=against)
        _warn(result.problems, quiet)
        if not any(not d.reference for d in result.documents):
            click.echo("dedup: error: no readable documents in the given paths", err=True)
            sys.exit(EXIT_USAGE)
        if against and not any(map(is_index_path, against)) and not any(d.reference for d in result.documents):
            click.echo("dedup: error: no readable documents in the --against references", err=True)
            sys.exit(EXIT_USAGE)
        if write_baseline:
            count = write_baseline_file(result, write_baseline, settings)
            click.echo(f"dedup: wrote {count} finding(s) to baseline {write_baseline}", err=True)
            sys.exit(EXIT_CLEAN)
        if baseline:
            recorded = read_baseline(baseline)
            drift = decider_drift(recorded, settings)
            if drift and not quiet:
                click.echo(f"dedup: warning: {baseline}: {drift}", err=True)
            hidden = apply_baseline(result, recorded.fingerprints)
            if hidden and not quiet:
                click.echo(f"dedup: {hidden} finding(s) hidden by baseline {baseline}", err=True)
        report = render(result, fmt)
        if output:
            Path(output).write_text(report, encoding="utf-8")
        else:
            click.echo(report, nl=False)
        sys.exit(EXIT_FINDINGS if fails(result.findings, fail_on) else EXIT_CLEAN)

    _run(work)


@main.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("-o", "--out", required=True, type=click.Path(file_okay=False), help="Directory for the cleaned copy (must be new or empty, outside the sources).")
@settings_options
@click.option(
    "--drop", "drop", type=click.Choice(["repeats", "claims"]), default="repeats", show_default=True,
    help="What to remove: later repeats only, or also later restatements of a claim (needs semantic).",
)
@click.option("--drop-docs", is_flag=True, help="Drop whole documents that are near-duplicates of an earlier one.")
@click.option(
    "--doc-overlap", type=click.FloatRange(0, 1, min_open=True), default=defaults.DOC_OVERLAP, show_default=True,
    help="With --drop-docs: share of a document's sentence characters repeated from one earlier document.",
)
@click.option("--force", is_flag=True, help="Write into an existing non-empty OUT (stale temporary files are removed).")
@click.option(
    "--boilerplate", "keep_or_drop_boilerplate", type=click.Choice(["keep", "drop"]), default="keep", show_default=True,
    help="House phrases recurring across many documents: keep them, or drop their later occurrences.",
)
@engine_options
def clean(sources, out, settings: Settings, quiet, drop, drop_docs, doc_overlap, force, keep_or_drop_boilerplate,
          engine, ray_address, workers) -> None:
    """Write a cleaned copy of SOURCES to OUT: later repeats removed, every removal logged.

    The first occurrence of each repeated sentence is kept. OUT mirrors the
    input tree (JSON Lines stays JSON Lines) and OUT/removed.jsonl lists every
    removed span with its offsets and the occurrence it repeats. Inputs are
    never modified. Exit status: 0 done, 2 usage error (e.g. OUT not empty), 3
    internal error.
    """
    from .clean import CleanError, clean as run_clean

    ray_options = ray_engine_options(engine, ray_address, workers)
    if drop == "claims" and "semantic" not in settings.methods:
        click.echo("dedup: warning: --drop claims has no effect without the semantic method", err=True)

    def work():
        try:
            report = run_clean(
                list(sources), out, settings, drop_claims=drop == "claims", drop_docs=drop_docs,
                force=force, doc_overlap=doc_overlap, engine=ray_options, drop_boilerplate=keep_or_drop_boilerplate == "drop",
            )
        except CleanError as exc:
            click.echo(f"dedup: error: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        _warn(report.problems, quiet)
        click.echo(
            f"dedup: wrote {len(report.files_written)} file(s) to {report.out}: removed {report.spans_removed} "
            f"repeated sentence(s), dropped {report.documents_dropped} document(s), copied "
            f"{len(report.files_copied)} file(s) unchanged; log: {report.removed_log}",
            err=True,
        )
        sys.exit(EXIT_CLEAN)

    _run(work)


@main.command()
@click.argument("drafts", nargs=-1, required=True)
@click.option("--against", "sources", multiple=True, required=True, help="Source path (wire copy, press releases): file, directory, .jsonl or an ARCHIVE.dedup index (repeatable).")
@settings_options
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "html"]), default="table", show_default=True,
    help="table: one row per draft; json: shares and sentences; html: side-by-side page (use -o).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="Write the report here instead of stdout.")
@click.option(
    "--max-unattributed", type=click.FloatRange(0, 1), default=None,
    help="Exit 1 when a draft's unattributed reuse share is above this (e.g. 0.3).",
)
def audit(drafts, sources, settings: Settings, quiet, fmt, output, max_unattributed) -> None:
    """Report how much of each draft in DRAFTS comes from the --against sources, and which sentences.

    Reuse share = characters of draft sentences that repeat or restate a
    source sentence / characters of the draft's matchable sentences, split
    into attributed ("..., Reuters reported") and unattributed reuse. Exit
    status: 0 done (or all drafts within --max-unattributed), 1 a draft over
    it, 2 usage error, 3 internal error.
    """
    from .audit import audit as run_audit
    from .audit import over_limit
    from .report.audit_table import render as render_audit

    _require_writable(output, (*drafts, *sources))

    def work():
        result = run_audit(drafts, sources, settings)
        _warn(result.problems, quiet)
        if not result.documents:
            click.echo("dedup: error: no readable drafts in the given paths", err=True)
            sys.exit(EXIT_USAGE)
        report = render_audit(result, fmt)
        if output:
            Path(output).write_text(report, encoding="utf-8")
        else:
            click.echo(report, nl=False)
        sys.exit(EXIT_FINDINGS if over_limit(result, max_unattributed) else EXIT_CLEAN)

    _run(work)


@main.group()
def index() -> None:
    """Build and extend a persistent index of an archive (ARCHIVE.dedup) for `check --against`."""


@index.command("build")
@click.argument("sources", nargs=-1, required=True)
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False), help="Index file to create (e.g. archive.dedup).")
@settings_options
@click.option("--force", is_flag=True, help="Replace an existing index file.")
def index_build(sources, out, settings: Settings, quiet, force) -> None:
    """Index SOURCES into OUT; vectors of --model are stored when --methods includes semantic."""
    from .index import build_index

    _require_writable(out, sources)

    def work():
        report = build_index(list(sources), out, settings, force=force)
        _warn(report.problems, quiet)
        click.echo(f"dedup: indexed {report.added} document(s) into {out}", err=True)

    _run(work)


@index.command("add")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.argument("paths", nargs=-1, required=True)
@click.option("--model", type=click.Choice(sorted(MODELS)), default=None, help="Must be the index's model [default: the index's].")
@input_options
@click.option("--include", multiple=True, help="Glob of files to read in directories (repeatable).")
@click.option("--exclude", multiple=True, help="Glob of files to skip in directories (repeatable).")
def index_add(archive, paths, model, text_field, id_field, quiet, include, exclude) -> None:
    """Add PATHS to ARCHIVE in one transaction (no rebuild); re-added unchanged documents are skipped."""
    from .index import add_to_index, index_info

    def work():
        settings = settings_from({
            "model": model or index_info(archive)["model"] or defaults.DEFAULT_MODEL, "text_field": text_field,
            "id_field": id_field, "include": include, "exclude": exclude,
        }, quiet=quiet)
        report = add_to_index(archive, list(paths), settings)
        _warn(report.problems, quiet)
        click.echo(
            f"dedup: added {report.added}, replaced {report.replaced}, skipped {report.skipped} (unchanged) "
            f"document(s) in {archive}", err=True,
        )

    _run(work)


@index.command("info")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the info as JSON.")
def index_info_command(archive, as_json) -> None:
    """Show an index's counts, model and checksum, settings and size."""
    from .index import index_info

    def work():
        info = index_info(archive)
        if as_json:
            import json

            click.echo(json.dumps(info, indent=2))
        else:
            for key, value in info.items():
                click.echo(f"{key:16} {value if value is not None else '-'}")

    _run(work)


if __name__ == "__main__":
    main()
