"""Fuzz /api/messages over real HTTP: no generated request may get a 5xx, /readyz stays 200.

Four strategies (arbitrary JSON, Teams-shaped activities with fields replaced by random values
or removed, random bytes, random content types) add up to more than 10,000 requests against
one running bot in local mode, where every body is read, parsed and, if it is an activity,
handled. Each test prints how many cases it ran.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import json
import os
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import RunningBot
from tests.connector_standin import ConnectorStandIn
from tests.teams import ALICE, BOB, FACILITATOR, Teams

pytestmark = pytest.mark.slow

# Derandomisation, deadlines and health checks come from the profile in force (tests/conftest.py):
# the repeatable profile draws the same cases on every run, HYPOTHESIS_PROFILE=explore new ones.
FUZZ = settings(
    deadline=None,
    database=None,  # nothing written into the shared working tree
    print_blob=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
RAN: dict[str, int] = {}

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
           | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=5),
    max_leaves=25,
)
ACTIVITY_KEYS = ["type", "id", "timestamp", "localTimestamp", "serviceUrl", "channelId", "from",
                 "conversation", "recipient", "text", "textFormat", "attachments", "entities",
                 "channelData", "replyToId", "value", "name", "membersAdded", "membersRemoved",
                 "action", "locale", "valueType", "callerId", "relatesTo", "label"]
ACTIVITY_TYPES = ["message", "invoke", "event", "conversationUpdate", "messageUpdate",
                  "messageDelete", "messageReaction", "installationUpdate", "typing", "trace",
                  "endOfConversation", "handoff", "command", "bogus", ""]
INVOKE_NAMES = ["adaptiveCard/action", "task/fetch", "composeExtension/query",
                "signin/verifyState", "actionableMessage/executeAction", ""]
VERBS = ["consent.accept", "consent.decline", "consent.refresh", "flag.dismiss", "flag.hide",
         "unknown.verb", ""]
COMMAND_WORDS = ["start", "end", "status", "help", "info", "consent", "remind", "check",
                 "register", "export", "dance", ""]


async def _post(bot: RunningBot, body: bytes, content_type: str | None) -> int:
    assert bot._http is not None
    headers = {"Content-Type": content_type} if content_type is not None else {}
    async with bot._http.post(f"{bot.url}/api/messages", data=body,
                              headers=headers) as resp:
        await resp.read()
        return resp.status


_LOOPBACK_PORT = re.compile(rb"127\.0\.0\.1:\d+")


def _record(name: str, body: bytes, content_type: str | None) -> None:
    """With FUZZ_EXAMPLES_LOG set, append a digest of each drawn case, so that runs can be
    compared (`python -m tests.repeatability`)."""
    path = os.environ.get("FUZZ_EXAMPLES_LOG")
    if path:
        # The stand-in's port changes every run; the case drawn does not.
        drawn = _LOOPBACK_PORT.sub(b"127.0.0.1:PORT", body)
        digest = hashlib.sha256(repr((content_type, drawn)).encode()).hexdigest()[:16]
        with open(path, "a", encoding="ascii") as log:
            log.write(f"{name} {digest}\n")


async def _expect_no_5xx(bot: RunningBot, body: bytes, content_type: str | None,
                         name: str) -> None:
    RAN[name] = RAN.get(name, 0) + 1
    _record(name, body, content_type)
    status = await _post(bot, body, content_type)
    assert status < 500, (status, body[:300], content_type)
    assert status != 404, "botbuilder's KeyError-to-404 must never show"


async def _run(strategy: st.SearchStrategy[Any], check: Any, max_examples: int,
               pinned: tuple[Any, ...] = ()) -> None:
    """Run hypothesis in a worker thread; each case is awaited on the bot's own event loop,
    which keeps serving (the outbox, the connector stand-in) between cases. `pinned` cases,
    found earlier, run first on every run."""
    loop = asyncio.get_running_loop()

    @settings(FUZZ, max_examples=max_examples)
    @given(strategy)
    def case(value: Any) -> None:
        asyncio.run_coroutine_threadsafe(check(value), loop).result(timeout=60)

    for value in pinned:
        case = example(value)(case)
    await asyncio.to_thread(case)


async def _still_ready(bot: RunningBot, name: str) -> None:
    status, body = await bot.get("/readyz")
    print(f"\n[fuzz] {name}: {RAN.get(name, 0)} cases, /readyz {status}")
    assert status == 200, body


# ---- 1. arbitrary JSON ---------------------------------------------------------------------


@pytest.mark.slow
async def test_arbitrary_json_never_gets_a_5xx(ready_bot: RunningBot) -> None:
    bot = ready_bot
    async def case(value: Any) -> None:
        await _expect_no_5xx(bot, json.dumps(value).encode(), "application/json", "json")

    await _run(json_values, case, 2500)
    await _still_ready(bot, "json")
    assert RAN["json"] >= 2500


# ---- 2. Teams-shaped activities with random field types ------------------------------------


def _templates(teams: Teams) -> list[dict[str, Any]]:
    return [
        teams.command(FACILITATOR, "start"),
        teams.command(ALICE, "help"),
        teams.chat(BOB, "hello there"),
        teams.personal(ALICE, "help"),
        teams.personal(ALICE, "withdraw"),
        teams.personal(ALICE, "banana"),
        teams.card_action(ALICE, "consent.accept", {"form_version": "x", "session_id": "y"}),
        teams.meeting_start(),
        teams.meeting_end(),
        teams.members_added(BOB),
        teams.participant_join(ALICE),
    ]


def _set_path(activity: dict[str, Any], path: list[str], value: Any) -> None:
    node: Any = activity
    for key in path[:-1]:
        if not isinstance(node, dict):
            return
        node = node.setdefault(key, {}) if isinstance(node.get(key), dict) else None
        if node is None:
            return
    if isinstance(node, dict):
        if value is _DELETE:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = value


_DELETE = object()
NESTED_PATHS = [["from", "id"], ["from", "aadObjectId"], ["from", "name"], ["conversation", "id"],
                ["conversation", "tenantId"], ["conversation", "conversationType"],
                ["conversation", "isGroup"], ["recipient", "id"], ["channelData", "tenant", "id"],
                ["channelData", "meeting", "id"], ["channelData", "tenant"], ["value", "action"],
                ["value", "action", "verb"], ["value", "action", "data"], ["value", "trigger"],
                ["value", "Title"], ["value", "members"], ["value", "action", "data",
                                                           "form_version"]]


@st.composite
def mutated_activities(draw: st.DrawFn, teams: Teams) -> dict[str, Any]:
    activity = copy.deepcopy(draw(st.sampled_from(_templates(teams))))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        path = draw(st.sampled_from([[k] for k in ACTIVITY_KEYS] + NESTED_PATHS))
        value = draw(st.one_of(
            json_values,
            st.just(_DELETE),
            st.sampled_from(ACTIVITY_TYPES) if path == ["type"] else st.nothing(),
            st.sampled_from(INVOKE_NAMES) if path == ["name"] else st.nothing(),
            st.sampled_from(VERBS) if path[-1] == "verb" else st.nothing(),
            st.builds(lambda w: f"<at>Focus Group Bot</at> {w}", st.sampled_from(COMMAND_WORDS))
            if path == ["text"] else st.nothing(),
        ))
        _set_path(activity, path, value)
    return activity


@pytest.mark.slow
async def test_teams_shaped_activities_with_random_fields_never_get_a_5xx(
    ready_bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    bot = ready_bot
    async def case(activity: dict[str, Any]) -> None:
        await _expect_no_5xx(bot, json.dumps(activity).encode(), "application/json",
                             "activities")

    await _run(mutated_activities(teams), case, 4000)
    await _still_ready(bot, "activities")
    assert RAN["activities"] >= 4000


# ---- 3. random bytes -----------------------------------------------------------------------


@pytest.mark.slow
async def test_random_bytes_never_get_a_5xx(ready_bot: RunningBot) -> None:
    bot = ready_bot
    async def case(body: bytes) -> None:
        await _expect_no_5xx(bot, body, "application/json", "bytes")

    bodies = st.binary(max_size=2048) | st.text(max_size=500).map(
        lambda t: t.encode("utf-8", "surrogatepass"))
    await _run(bodies, case, 2000)
    await _still_ready(bot, "bytes")
    assert RAN["bytes"] >= 2000


# ---- 4. random content types ---------------------------------------------------------------


content_types = st.one_of(
    st.none(),
    st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain",
                     "application/x-www-form-urlencoded", "multipart/form-data; boundary=zz",
                     "application/JSON", "application/json;;;", "application/jsonp", "*/*",
                     "application/json; charset=latin-1", "application/json; boundary=\"x"]),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60),
)


@pytest.mark.slow
async def test_random_content_types_never_get_a_5xx(ready_bot: RunningBot, teams: Teams) -> None:
    bot = ready_bot
    valid = json.dumps(teams.command(ALICE, "help")).encode()

    async def case(drawn: tuple[str | None, bytes]) -> None:
        await _expect_no_5xx(bot, drawn[1], drawn[0], "content_types")

    bodies = st.sampled_from([valid, b"", b"{}", b'{"type": "message"}']) | st.binary(
        max_size=64)
    # `;0*` made the standard library's header parser raise inside aiohttp: once a 500.
    found = ((";0*", b'{"type": "message"}'), (";0*", valid))
    await _run(st.tuples(content_types, bodies), case, 1600, pinned=found)
    await _still_ready(bot, "content_types")
    assert RAN["content_types"] >= 1600


def test_total_cases_reach_ten_thousand() -> None:
    """Runs last in this module: the four strategies together exceed 10,000 requests."""
    total = sum(RAN.values())
    print(f"\n[fuzz] total {total} cases: {RAN}")
    if len(RAN) == 4:
        assert total >= 10_000
