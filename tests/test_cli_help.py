"""Every command and option has help, and docs/cli.md is the CLI's own help, kept current."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT, diplokg

from diplokg.cli import cli


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_and_option_has_help(name):
    command = cli.commands[name]
    assert command.help, f"{name} has no help text"
    for parameter in command.params:
        if hasattr(parameter, "help") and parameter.param_type_name == "option":
            assert parameter.help, f"{name} {parameter.opts} has no help"
    run = diplokg(name, "--help")
    assert run.code == 0
    assert f"Usage: python -m diplokg {name}" in run.stdout or f"Usage: diplokg {name}" in run.stdout


def test_top_level_help_lists_every_command():
    run = diplokg("--help")
    for name in cli.commands:
        assert name in run.stdout


def test_generated_docs_are_current():
    check = subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_docs.py"), "--check"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_usage_errors_exit_2():
    assert diplokg("query", "--format", "pdf", "-e", "ASK {}").code == 2
    assert diplokg("no-such-command").code == 2
