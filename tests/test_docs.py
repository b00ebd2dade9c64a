"""The docs keep up with the CLI (sqlite-utils style), and their links lead somewhere.

The CLI reference (docs/cli.md) documents every command, every option, every output format, every
rule code and every exit code; every option has help text; README shows each command once; every
relative link in README.md and docs/*.md points at a file that exists (and, into a Markdown file, at
a heading that exists).
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from dedup.cli import main
from dedup.report import FORMATS
from dedup.report.rules import RULES

from .conftest import ROOT

README_PATH = ROOT / "README.md"
CLI_PATH = ROOT / "docs" / "cli.md"
README = README_PATH.read_text(encoding="utf-8")
CLI = CLI_PATH.read_text(encoding="utf-8")
EXIT_CODES = (0, 1, 2, 3, 141)


def _commands():
    """(name, command) for the group itself (""), each command, each group and each subcommand."""
    yield "", main
    for name, command in main.commands.items():
        yield name, command
        if isinstance(command, click.Group):
            for sub_name, sub in command.commands.items():
                yield f"{name} {sub_name}", sub


COMMANDS = list(_commands())


def _section(heading: str) -> str | None:
    """The text of the docs/cli.md section under ``heading`` (an exact heading line's text), down to the
    next heading of the same or a higher level; None when there is no such heading."""
    match = re.search(rf"^(#+) {re.escape(heading)}$", CLI, re.M)
    if match is None:
        return None
    end = re.compile(rf"^#{{1,{len(match.group(1))}}} ", re.M).search(CLI, match.end())
    return CLI[match.end(): end.start() if end else len(CLI)]


SHARED_OPTIONS = _section("Options shared by commands") or ""


@pytest.mark.parametrize("name, command", COMMANDS, ids=[n or "dedup" for n, _ in COMMANDS])
def test_reference_documents_command_and_every_option(name, command):
    """Each command has its section in docs/cli.md; each option is there or among the shared options."""
    title = f"dedup {name}".strip()
    section = _section(f"`{title}`")
    assert section is not None, f"docs/cli.md has no section for `{title}`"
    assert command.help, f"`{title}` has no --help text"
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"`{title}` option {param.opts} has no help"
            for opt in (*param.opts, *param.secondary_opts):
                assert f"`{opt}`" in section or f"`{opt}`" in SHARED_OPTIONS, (
                    f"docs/cli.md does not document {opt} of `{title}` (in its section or the shared options)"
                )


@pytest.mark.parametrize("name", [n for n, _ in COMMANDS if n], ids=lambda n: n)
def test_readme_has_an_example_of_each_command(name):
    assert f"dedup {name}" in README, f"README has no example of `dedup {name}`"


def test_reference_documents_formats_rules_and_exit_codes():
    for fmt in FORMATS:
        assert f"`{fmt}`" in CLI, f"format {fmt} not in docs/cli.md"
    for rule in RULES:
        assert re.search(rf"^\| {rule.id} \| {rule.name} \| {rule.level} \|", CLI, re.M), (
            f"rule {rule.id} ({rule.name}, {rule.level}) not in docs/cli.md's rule table"
        )
    for code in EXIT_CODES:
        assert f"| {code} |" in CLI, f"exit code {code} not in docs/cli.md"


# --- links --------------------------------------------------------------------------------------

DOCS = [README_PATH, *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^```.*?^```", re.M | re.S)
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _links(path: Path) -> list[str]:
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    text = re.sub(r"`[^`\n]*`", "", text)  # inline code is not a link
    return [m.group(1) for m in _LINK.finditer(text)]


def _anchors(path: Path) -> set[str]:
    """GitHub's heading anchors: lowercase, punctuation other than - and _ dropped, spaces to -."""
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    anchors = set()
    for heading in re.findall(r"^#+\s+(.+?)\s*$", text, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


def _relative(target: str) -> bool:
    return not re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) and not target.startswith("//")


def _broken(doc: Path) -> list[str]:
    broken = []
    for target in filter(_relative, _links(doc)):
        file_part, _, fragment = target.partition("#")
        linked = (doc.parent / file_part).resolve() if file_part else doc
        if not linked.exists():
            broken.append(f"{target}: no such file {linked}")
        elif fragment and linked.suffix == ".md" and fragment not in _anchors(linked):
            broken.append(f"{target}: no heading #{fragment} in {linked.name}")
    return broken


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_point_at_existing_files(doc):
    broken = _broken(doc)
    assert not broken, f"{doc.relative_to(ROOT)}: " + "; ".join(broken)


def test_link_checker_catches_a_broken_link(tmp_path):
    """The link test is not vacuous: it sees README's links, and reports a missing file or heading."""
    assert "docs/cli.md" in _links(README_PATH)
    (tmp_path / "a.md").write_text("# Title\n\n## Some `code` here\n", encoding="utf-8")
    doc = tmp_path / "b.md"
    doc.write_text(
        "[ok](a.md) [ok](a.md#some-code-here) [web](https://example.org/x.md) `[code](nope.md)`\n"
        "```\n[fenced](nope.md)\n```\n[gone](nope.md) [no heading](a.md#nothing) ![img](pic.png)\n",
        encoding="utf-8",
    )
    assert [b.split(":")[0] for b in _broken(doc)] == ["nope.md", "a.md#nothing", "pic.png"]
