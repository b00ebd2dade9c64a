"""The ``dedup`` command: a thin click layer over ``dedup.pipeline``.

Exit codes: 0 nothing found, 1 findings reported, 2 usage or configuration
error (click's own convention), 3 internal error or unusable model.
"""

from __future__ import annotations

import functools
import sys
import traceback

import click

from . import settings as defaults
from .models import MODELS, ModelError
from .pipeline import check as run_check
from .report import FORMATS, render
from .settings import Settings

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


def _methods(ctx, param, value: str) -> tuple[str, ...]:
    methods = tuple(m.strip() for m in value.split(",") if m.strip())
    unknown = [m for m in methods if m not in defaults.METHODS]
    if unknown or not methods:
        raise click.BadParameter(f"choose from {', '.join(defaults.METHODS)} (comma-separated)")
    return methods


def matching_options(fn):
    """Options that decide what counts as a match; shared by every command that matches."""
    options = [
        click.option(
            "--methods", default=",".join(defaults.METHODS), show_default=True, callback=_methods,
            help="Comma-separated matchers to run: exact, fuzzy, semantic.",
        ),
        click.option(
            "--model", type=click.Choice(sorted(MODELS)), default=defaults.DEFAULT_MODEL, show_default=True,
            help="Embedding model for semantic matching: accurate (MiniLM) or fast (static, distilled from it).",
        ),
        click.option(
            "--min-score", type=click.FloatRange(0, 1), default=defaults.CLAIM_MIN_SCORE, show_default=True,
            help="Calibrated probability at which two sentences count as the same claim.",
        ),
        click.option(
            "--min-words", type=click.IntRange(1), default=defaults.MIN_WORDS, show_default=True,
            help="Sentences with fewer words are never matched (datelines, bylines, 'Why?').",
        ),
        click.option(
            "--fuzzy-ratio", type=click.FloatRange(0, 100), default=defaults.FUZZY_MIN_RATIO, show_default=True,
            help="rapidfuzz ratio (0-100) at which different wording still counts as a repeat.",
        ),
    ]
    return functools.reduce(lambda f, option: option(f), reversed(options), fn)


def input_options(fn):
    """Options that decide how inputs are read."""
    options = [
        click.option(
            "--text-field", default="text", show_default=True, help="JSON Lines field holding the article text."
        ),
        click.option("--id-field", default=None, help="JSON Lines field holding a document id, reported beside its path."),
        click.option("-q", "--quiet", is_flag=True, help="Do not print input warnings on stderr."),
    ]
    return functools.reduce(lambda f, option: option(f), reversed(options), fn)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dedup")
def main() -> None:
    """Find repeated sentences and overlapping claims in news text."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@matching_options
@input_options
@click.option(
    "--format", "fmt", type=click.Choice(sorted(FORMATS)), default="table", show_default=True,
    help="table for people, json for programs (see README: the JSON contract).",
)
def check(paths, methods, model, min_score, min_words, fuzzy_ratio, text_field, id_field, quiet, fmt) -> None:
    """Check PATHS (files, directories, or - for stdin) for repeats and claims.

    Exit status: 0 nothing found, 1 findings, 2 usage error, 3 internal error.
    """
    settings = Settings(
        methods=methods, model=model, min_score=min_score, min_words=min_words,
        fuzzy_min_ratio=fuzzy_ratio, text_field=text_field, id_field=id_field,
    )
    try:
        result = run_check(paths, settings)
    except ModelError as exc:
        click.echo(f"dedup: error: {exc}", err=True)
        sys.exit(EXIT_INTERNAL)
    except Exception:  # a bug: say so, with the traceback, and use the documented code
        click.echo("dedup: internal error (please report this):", err=True)
        click.echo(traceback.format_exc(), err=True)
        sys.exit(EXIT_INTERNAL)
    if not quiet:
        for problem in result.problems:
            click.echo(f"dedup: warning: {problem}", err=True)
    if not result.documents:
        click.echo("dedup: error: no readable documents in the given paths", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(render(result, fmt), nl=False)
    sys.exit(EXIT_FINDINGS if result.findings else EXIT_CLEAN)


if __name__ == "__main__":
    main()
