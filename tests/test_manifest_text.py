"""The Teams store text and command hints say what the study and the commands really do.

The manifest is static JSON shown to people before they ever talk to the bot, so it drifts
from the code and the study file unless a test ties them together: the withdrawal window the
information sheet promises, and one description per command taken from the route registry.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import handlers.router  # noqa: F401  (the handler modules declare their routes on import)
from handlers.routes import Command, routes
from study.loader import DEFAULT_STUDY_FILE, load_study

TEMPLATE = Path(__file__).resolve().parents[1] / "manifest" / "manifest.template.json"
SCOPES = {"group": {"groupChat", "team"}, "personal": {"personal"},
          "any": {"groupChat", "team", "personal"}}


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    return loaded


def _command_lists(manifest: dict[str, Any]) -> dict[str, dict[str, str]]:
    """scope -> {command: description} from the bot's commandLists."""
    listed: dict[str, dict[str, str]] = {}
    for command_list in manifest["bots"][0]["commandLists"]:
        for scope in command_list["scopes"]:
            listed[scope] = {c["title"]: c["description"] for c in command_list["commands"]}
    return listed


def _expected(command: Command) -> str:
    """The store hint for a command: its registry help, marked when only facilitators may use it."""
    text = command.help
    if command.facilitator_only:
        text = f"Facilitators: {text[0].lower()}{text[1:]}"
    return f"{text}."


def test_withdrawal_text_matches_the_study_file(manifest: dict[str, Any]) -> None:
    study = load_study(DEFAULT_STUDY_FILE)
    full = manifest["description"]["full"]
    assert "at any time" not in full.lower()
    windows = {int(days) for days in re.findall(r"up to (\d+) days", full)}
    assert windows == {study.withdrawal_window_days}
    assert f"{study.withdrawal_window_days} days" in study.fill(
        next(s.text for s in study.consent_statements if s.id == "withdrawal_window"))


def test_every_listed_command_exists_where_it_is_listed_with_its_registry_description(
    manifest: dict[str, Any],
) -> None:
    for scope, commands in _command_lists(manifest).items():
        for title, description in commands.items():
            command = routes.command(title)
            assert command is not None, f"{title} is listed for {scope} but not declared"
            assert scope in SCOPES[command.where], f"{title} does not work in {scope}"
            assert description == _expected(command), title


def test_every_command_is_listed_in_a_scope_where_it_works(manifest: dict[str, Any]) -> None:
    listed = _command_lists(manifest)
    for command in routes.commands():
        scopes = {scope for scope, commands in listed.items() if command.name in commands}
        assert scopes & SCOPES[command.where], f"{command.name} is not in the manifest"
        if command.where != "any":
            assert scopes == SCOPES[command.where], command.name


def test_descriptions_fit_teams_limits(manifest: dict[str, Any]) -> None:
    for commands in _command_lists(manifest).values():
        assert len(commands) <= 10
        assert all(len(d) <= 128 for d in commands.values())


def test_the_message_actions_are_declared_as_the_registry_handles_them(
    manifest: dict[str, Any],
) -> None:
    """The manifest's message extension commands are the message actions the bot routes: each
    an `action` used from a message's menu, whose dialog the bot sends (`fetchTask`)."""
    [extension] = manifest["composeExtensions"]
    assert extension["botId"] == manifest["bots"][0]["botId"]
    commands = extension["commands"]
    assert sorted(c["id"] for c in commands) == sorted(routes.message_action_ids())
    for command in commands:
        assert (command["type"], command["context"], command["fetchTask"]) == (
            "action", ["message"], True)
        assert "parameters" not in command  # the dialog is the bot's card
        assert len(command["title"]) <= 32 and len(command["description"]) <= 128
