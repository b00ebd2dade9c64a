"""The options the ``dedup`` commands share, their validation, and the Settings built from them.

Apart from the commands (``cli``) so that each command reads as what it does:
the option groups (matching, input, selection, engine) every matching command
stacks, the callbacks that check a value (``--methods``, ``--ignore``), the
config file read into click's defaults (each value through its option's own
check, blamed on the file), and ``settings_options``: every option that is a setting, one
group, one ``Settings`` handed to the command (``settings_from`` builds it).
"""

from __future__ import annotations

import functools
import importlib.util
import re
import sys
from pathlib import Path

import click

from . import settings as defaults
from .config import ConfigError
from .config import load as load_config
from .models import MODELS
from .ray_cluster import RayOptions
from .settings import Settings


def _methods(ctx, param, value: str) -> tuple[str, ...]:
    methods = tuple(m.strip() for m in value.split(",") if m.strip())
    unknown = [m for m in methods if m not in defaults.METHODS]
    if unknown or not methods:
        raise click.BadParameter(f"choose from {', '.join(defaults.METHODS)} (comma-separated)")
    return methods


def _matching_options() -> list:
    """What counts as a match; every command that matches stacks these."""
    return [
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
            help="Claim probability at which two sentences count as the same claim: the verifier's (with "
            "--claim-decider verifier or both) or the claim model's (rule) [default: the decider's measured "
            "point: verifier 0.5, 0.4 for sentences sharing nearly all their words, both 0.3, rule 0.40 for "
            "accurate]; a value given is the one point for every pair.",
        ),
        click.option(
            "--within-claims/--no-within-claims", default=defaults.WITHIN_CLAIMS, show_default=True,
            help="Also report claims restated inside one document (off: on labelled BBC pairs most were topical).",
        ),
        click.option(
            "--claim-decider", type=click.Choice(defaults.CLAIM_DECIDERS), default=defaults.CLAIM_DECIDER,
            show_default=True,
            help="Who decides a claim after the shared gates: verifier (the cross-encoder the project trains), "
            "rule (the calibrated claim model: faster, less precise) or both (only where the two agree: fewer "
            "claim findings; docs/claims.md measures each).",
        ),
        click.option(
            "--min-words", type=click.IntRange(1), default=defaults.MIN_WORDS, show_default=True,
            help="Sentences with fewer words are never matched (datelines, bylines, 'Why?').",
        ),
        click.option(
            "--cache/--no-cache", default=True,
            help="Read and write the on-disk cache of embeddings and verifier verdicts ($DEDUP_CACHE_DIR, default "
            "~/.cache/dedup) [default: on].",
        ),
        click.option(
            "--fuzzy-min-ratio", "--fuzzy-ratio", "fuzzy_min_ratio", type=click.FloatRange(0, 100),
            default=defaults.FUZZY_MIN_RATIO, show_default=True,
            help="rapidfuzz ratio (0-100) at which different wording still counts as a repeat.",
        ),
    ]


def _input_options() -> list:
    return [
        click.option(
            "--text-field", default="text", show_default=True, help="JSON Lines field holding the article text."
        ),
        click.option("--id-field", default=None, help="JSON Lines field holding a document id, reported beside its path."),
        click.option("-q", "--quiet", is_flag=True, help="Do not print input warnings on stderr."),
    ]


def _stack(fn, options: list):
    return functools.reduce(lambda f, option: option(f), reversed(options), fn)


def input_options(fn):
    """How inputs are read (``index add`` takes these alone: the rest comes from the index)."""
    return _stack(fn, _input_options())


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


def ray_engine_options(engine: str, ray_address, workers: int) -> RayOptions | None:
    """Ray engine options for the library, or None for the local engine."""
    if engine == "local":
        if ray_address:
            raise click.UsageError("--ray-address needs --engine ray")
        return None
    if importlib.util.find_spec("ray") is None:  # a clear message when the extra is missing
        raise click.UsageError("--engine ray needs the ray extra: pip install 'dedup[ray]'")
    return RayOptions(address=ray_address, workers=workers)


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
        _validate_config(ctx, ctx.command.commands[name], values, config)
    ctx.meta["dedup.config"] = config.path


def _validate_config(ctx: click.Context, command: click.Command, values: dict, config) -> None:
    """Each config value through its option's own type and check, so a bad one is blamed on the file, not
    on a flag the user never typed ("Invalid value for '--fuzzy-min-ratio'")."""
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
            key = config.spelled.get("format" if param.name == "fmt" else param.name, param.name)
            raise click.UsageError(f"{config.path}: {key} = {value!r} in the config file: {exc.message}") from None


_CHECK_ONLY = {"fail_on", "fmt"}


#: The click parameters that are ``Settings`` fields, under the field's own name.
SETTING_PARAMS = frozenset({
    "methods", "model", "min_score", "within_claims", "claim_decider", "min_words", "cache", "fuzzy_min_ratio",
    "text_field", "id_field", "include", "exclude", "ignore_patterns", "boilerplate",
})


def settings_from(values: dict, *, quiet: bool = False) -> Settings:
    """The one ``Settings`` of a command, from its setting parameters (flags over config file over defaults)."""
    values = dict(values)
    if "include" in values:
        values["include"] = tuple(values["include"]) or defaults.INCLUDE
    if "exclude" in values:
        values["exclude"] = defaults.EXCLUDE + tuple(values["exclude"])
    if "ignore_patterns" in values:
        values["ignore_patterns"] = tuple(values["ignore_patterns"])
    return Settings(progress=sys.stderr.isatty() and not quiet, **values)


def settings_options(fn):
    """Every option that is a setting, as one group; the command receives them as one ``settings``.

    The command's own options (``--format``, ``--out``...) and ``quiet`` pass
    through; the parameters named in ``SETTING_PARAMS`` become ``settings``.
    """

    @functools.wraps(fn)
    def with_settings(*args, **kwargs):
        values = {name: kwargs.pop(name) for name in SETTING_PARAMS if name in kwargs}
        return fn(*args, settings=settings_from(values, quiet=kwargs.get("quiet", False)), **kwargs)

    return _stack(with_settings, [*_matching_options(), *_input_options(), *_selection_options()])


def _regexes(ctx, param, value) -> tuple[str, ...]:
    for pattern in value:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise click.BadParameter(f"{pattern!r} is not a regular expression: {exc}") from exc
    return tuple(value)


def _selection_options() -> list:
    """Which files and sentences take part."""
    return [
        click.option("--include", multiple=True, help="Glob of files to read in directories (repeatable; default *.txt *.md *.jsonl)."),
        click.option("--exclude", multiple=True, help="Glob of files to skip in directories (repeatable; removed.jsonl, the clean log, is always skipped)."),
        click.option(
            "--ignore", "ignore_patterns", multiple=True, callback=_regexes,
            help="Regular expression: matching sentences are never matched, e.g. '^Reporting by' (repeatable).",
        ),
    ]
