"""README documents every command and option, and every option has help text (sqlite-utils style)."""

from __future__ import annotations

import click
import pytest

from dedup.cli import main
from dedup.report import FORMATS
from dedup.report.rules import RULES

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands():
    for name, command in main.commands.items():
        if isinstance(command, click.Group):
            for sub_name, sub in command.commands.items():
                yield f"{name} {sub_name}", sub
        else:
            yield name, command


@pytest.mark.parametrize("name, command", list(_commands()))
def test_command_documented_with_help(name, command):
    assert f"dedup {name}" in README, f"README has no example of `dedup {name}`"
    assert command.help, f"`dedup {name}` has no --help text"
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"`dedup {name}` option {param.opts} has no help"
            assert any(f"`{opt}" in README for opt in param.opts), f"README does not document {param.opts} of {name}"


def test_formats_rules_and_exit_codes_documented():
    for fmt in FORMATS:
        assert f"`{fmt}`" in README, f"format {fmt} not in README"
    for rule in RULES:
        assert rule.id in README, f"rule {rule.id} not in README"
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |"):
        assert code in README
