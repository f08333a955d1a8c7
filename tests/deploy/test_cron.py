"""deploy/hall.cron names only commands and options the CLI has, and schedules the sweeps and checks."""

from __future__ import annotations

import shlex
from pathlib import Path

import click
import pytest

from community_hall.cli import hall

CRON = Path(__file__).resolve().parents[2] / "deploy" / "hall.cron"
PREFIX = ".venv/bin/flask --app app hall "


def _jobs() -> list[tuple[str, list[str]]]:
    """(schedule, arguments after `hall`) of every job line."""
    jobs = []
    for line in CRON.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or "=" in line.split()[0]:
            continue
        fields = line.split(None, 6)
        assert fields[5] == "hall", f"runs as someone else: {line}"
        assert PREFIX in fields[6], f"not a hall command: {line}"
        words = shlex.split(fields[6].split(PREFIX, 1)[1])
        jobs.append((" ".join(fields[:5]), words[:words.index(">")] if ">" in words else words))
    return jobs


def test_every_command_parses(tmp_path):
    assert _jobs()
    for _schedule, words in _jobs():
        command = hall.get_command(click.Context(hall), words[0])
        assert command is not None, f"no such command: {words[0]}"
        if isinstance(command, click.Group):     # `hall calendar check`: the subcommand parses its own arguments
            command = command.get_command(click.Context(command), words[1])
            assert command is not None, f"no such command: {' '.join(words[:2])}"
            words = words[1:]
        # make_context parses the arguments as the command would and raises on an unknown option or a missing one;
        # paths of the server (/var/backups/hall) stand for a directory that exists here
        args = [str(tmp_path) if word.startswith("/") else word for word in words[1:]]
        command.make_context(words[0], args)


@pytest.mark.parametrize("command, schedule", [
    ("route-sweep", "*/5 * * * *"), ("retention-sweep", "10 1 * * *"), ("audit-check", "20 1 * * *"),
    ("ledger-check", "25 1 * * *"), ("backup", "30 2 * * *"), ("prune-backups", "15 3 * * *"),
    ("calendar", "40 7 * * *"),
])
def test_the_sweeps_checks_and_backups_are_scheduled(command, schedule):
    assert (schedule, command) in {(s, words[0]) for s, words in _jobs()}


def test_a_bad_line_would_fail():
    # the check above must be able to fail: an option the command lacks is refused by make_context
    command = hall.get_command(click.Context(hall), "retention-sweep")
    with pytest.raises(click.UsageError):
        command.make_context("retention-sweep", ["--no-such-option"])
