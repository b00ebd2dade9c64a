"""Project configuration: ``[tool.dedup]`` in pyproject.toml, or a ``.dedup.toml``.

Discovery walks up from the working directory and takes the first directory
that has either file (``.dedup.toml`` wins over ``pyproject.toml`` there, and
a pyproject.toml without a ``[tool.dedup]`` table is passed over), the way
ruff and markdownlint find theirs.  Values become click's ``default_map``,
so a flag given on the command line always wins over the file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

#: Every key a config file may set, with the type its value must have.  A setting's key is the
#: name of its field in ``Settings`` (and of its flag, with dashes): one name everywhere.
KEYS: dict[str, type | tuple[type, ...]] = {
    "methods": (list, str),
    "model": str,
    "min_score": (int, float),
    "min_words": int,
    "fuzzy_min_ratio": (int, float),
    "fail_on": str,
    "include": list,
    "exclude": list,
    "ignore_patterns": list,
    "text_field": str,
    "id_field": str,
    "format": str,
    "within_claims": bool,
    "claim_decider": str,
    "cache": bool,
}

#: Earlier spellings, still read: the key a file uses → the one name.
ALIASES = {"fuzzy_ratio": "fuzzy_min_ratio", "ignore": "ignore_patterns"}


class ConfigError(ValueError):
    """A config file that cannot be read or holds an unknown key or a wrong type."""


@dataclass(frozen=True)
class Config:
    path: Path | None
    values: dict
    spelled: dict = field(default_factory=dict)  # key → as the file spells it, for messages that quote the file

    def as_default_map(self) -> dict:
        """The values as click option defaults (option names use underscores)."""
        out = dict(self.values)
        if isinstance(out.get("methods"), list):
            out["methods"] = ",".join(out["methods"])
        if "format" in out:
            out["fmt"] = out.pop("format")
        return out


def _table(path: Path) -> dict | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from exc
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: [tool] must be a table, not {type(tool).__name__}")
    table = tool.get("dedup") if path.name == "pyproject.toml" else tool.get("dedup", data)
    if table is not None and not isinstance(table, dict):
        # `[tool] dedup = 3`: a config mistake, not a crash.
        raise ConfigError(f"{path}: tool.dedup must be a table ([tool.dedup]), not {type(table).__name__}")
    return table


def discover(start: Path | None = None) -> Path | None:
    """The nearest .dedup.toml, or pyproject.toml with [tool.dedup], from ``start`` upward."""
    directory = (start or Path.cwd()).resolve()
    for folder in (directory, *directory.parents):
        dotfile = folder / ".dedup.toml"
        if dotfile.is_file():
            return dotfile
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _table(pyproject) is not None:
            return pyproject
    return None


def load(path: Path | None = None, *, start: Path | None = None) -> Config:
    """Read and validate a config file (the given one, or the discovered one)."""
    path = path or discover(start)
    if path is None:
        return Config(None, {})
    table = _table(path) or {}
    values, spelled = {}, {}
    for raw_key, value in table.items():
        key = raw_key.replace("-", "_")
        key = ALIASES.get(key, key)
        if key not in KEYS:
            raise ConfigError(f"{path}: unknown key {raw_key!r} in dedup config; known: {', '.join(sorted(KEYS))}")
        if not isinstance(value, KEYS[key]) or (isinstance(value, bool) and KEYS[key] is not bool):
            raise ConfigError(f"{path}: {raw_key!r} has the wrong type ({type(value).__name__})")
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: {raw_key!r} must be a list of strings")
        values[key] = value
        spelled[key] = raw_key
    return Config(path, values, spelled)
