"""The options the ``dedup`` commands share, their validation, and the Settings built from them.

Apart from the commands (``cli``) so that each command reads as what it does:
the option groups (matching, input, selection, engine) every matching command
stacks, the callbacks that check a value (``--methods``, ``--ignore``), the
config file read into click's defaults (each value through its option's own
check, blamed on the file), and ``settings_from_options``.
"""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

import click

from . import settings as defaults
from .config import ConfigError
from .config import load as load_config
from .models import MODELS
from .settings import Settings


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
            "--min-score", type=click.FloatRange(0, 1), default=None,
            help="Claim probability at which two sentences count as the same claim "
            "[default: the model's calibrated point, 0.40 for accurate].",
        ),
        click.option(
            "--within-claims/--no-within-claims", default=defaults.WITHIN_CLAIMS, show_default=True,
            expose_value=False, callback=lambda ctx, param, value: ctx.meta.__setitem__("dedup.within_claims", value),
            help="Also report claims restated inside one document (off: on labelled BBC pairs most were topical).",
        ),
        click.option(
            "--claim-decider", type=click.Choice(defaults.CLAIM_DECIDERS), default=defaults.CLAIM_DECIDER,
            show_default=True, expose_value=False,
            callback=lambda ctx, param, value: ctx.meta.__setitem__("dedup.claim_decider", value),
            help="Who decides a claim after the shared gates: rule (calibrated claim model) or verifier "
            "(the cross-encoder; more precise, finds fewer overlaps: docs/claims.md).",
        ),
        click.option(
            "--min-words", type=click.IntRange(1), default=defaults.MIN_WORDS, show_default=True,
            help="Sentences with fewer words are never matched (datelines, bylines, 'Why?').",
        ),
        click.option(
            "--no-cache", is_flag=True,
            help="Do not read or write the on-disk embedding cache ($DEDUP_CACHE_DIR, default ~/.cache/dedup).",
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


def engine_options(fn):
    """Who runs the stages: this process, or a Ray cluster (same findings); shared by check and clean."""
    options = [
        click.option(
            "--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True,
            help="local: this process; ray: the same stages on Ray Data (needs the `ray` extra).",
        ),
        click.option(
            "--ray-address", default=None,
            help="With --engine ray: 'auto' or ray://host:10001 joins a cluster [default: start a local Ray].",
        ),
        click.option(
            "--workers", type=click.IntRange(1), default=defaults.RAY_WORKERS, show_default=True,
            help="With --engine ray: CPUs of the local Ray it starts, and embedding actors.",
        ),
    ]
    return functools.reduce(lambda f, option: option(f), reversed(options), fn)


def ray_engine_options(engine: str, ray_address, workers: int) -> dict | None:
    """Ray engine options for the library, or None for the local engine."""
    if engine == "local":
        if ray_address:
            raise click.UsageError("--ray-address needs --engine ray")
        return None
    try:
        import ray  # noqa: F401  (only to give a clear message when the extra is missing)
    except ImportError:
        raise click.UsageError("--engine ray needs the ray extra: pip install 'dedup[ray]'") from None
    return {"address": ray_address, "workers": workers}


def load_config_defaults(ctx: click.Context, param, value) -> None:
    """Read the config file (given or discovered) into click's defaults: flags still win."""
    try:
        config = load_config(Path(value) if value else None)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    defaults_map = config.as_default_map()
    shared = {k: v for k, v in defaults_map.items() if k not in _CHECK_ONLY}
    ctx.default_map = {"check": defaults_map, "clean": shared, "audit": shared}
    for name, values in ctx.default_map.items():
        _validate_config(ctx, ctx.command.commands[name], values, config.path)
    ctx.meta["dedup.config"] = config.path


def _validate_config(ctx: click.Context, command: click.Command, values: dict, path) -> None:
    """Each config value through its option's own type and check, so a bad one is blamed on the file, not
    on a flag the user never typed ("Invalid value for '--fuzzy-ratio'")."""
    for param in command.params:
        if param.name not in values:
            continue
        value = values[param.name]
        try:
            converted = [param.type.convert(v, param, ctx) for v in value] if param.multiple else \
                param.type.convert(value, param, ctx)
            if param.callback is not None and param.expose_value:
                param.callback(ctx, param, converted)
        except click.BadParameter as exc:
            key = param.name.replace("_", "-") if param.name != "fmt" else "format"
            raise click.UsageError(f"{path}: {key} = {value!r} in the config file: {exc.message}") from None


_CHECK_ONLY = {"fail_on", "fmt"}


def settings_from_options(methods, model, min_score, min_words, no_cache, fuzzy_ratio, text_field, id_field, include, exclude, ignore):
    ctx = click.get_current_context()
    quiet = ctx.params.get("quiet", False)
    return Settings(
        within_claims=ctx.meta.get("dedup.within_claims", defaults.WITHIN_CLAIMS),
        claim_decider=ctx.meta.get("dedup.claim_decider", defaults.CLAIM_DECIDER),
        boilerplate=ctx.meta.get("dedup.boilerplate", "show"),
        cache=not no_cache,
        progress=sys.stderr.isatty() and not quiet,
        methods=methods, model=model, min_score=min_score, min_words=min_words, fuzzy_min_ratio=fuzzy_ratio,
        text_field=text_field, id_field=id_field, include=tuple(include) or defaults.INCLUDE,
        exclude=defaults.EXCLUDE + tuple(exclude), ignore_patterns=tuple(ignore),
    )


def _regexes(ctx, param, value) -> tuple[str, ...]:
    for pattern in value:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise click.BadParameter(f"{pattern!r} is not a regular expression: {exc}") from exc
    return tuple(value)


def selection_options(fn):
    """Which files and sentences take part; shared by check and clean."""
    options = [
        click.option("--include", multiple=True, help="Glob of files to read in directories (repeatable; default *.txt *.md *.jsonl)."),
        click.option("--exclude", multiple=True, help="Glob of files to skip in directories (repeatable; removed.jsonl, the clean log, is always skipped)."),
        click.option(
            "--ignore", multiple=True, callback=_regexes,
            help="Regular expression: matching sentences are never matched, e.g. '^Reporting by' (repeatable).",
        ),
    ]
    return functools.reduce(lambda f, option: option(f), reversed(options), fn)
