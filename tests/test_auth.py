"""Inbound authentication through the real validation path, fully offline.

The tests generate RSA keys, serve OpenID metadata and a JWKS on 127.0.0.1, sign real tokens
with PyJWT and post them to the running bot (app id set, so authentication is on). Every
failure must be a bare 401 that never reaches the handler; a good token gets 201.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import text

import resources
from auth import TEAMS_SERVICE_HOSTS, AuthError, BotTokenValidator, OpenIdKeys, outbound_hosts
from bot import STORE
from outbound.connector import ConnectorClient, ServiceUrlRefused
from tests.conftest import BotFactory, RunningBot
from tests.connector_standin import ConnectorStandIn
from tests.harness.store_reads import audit_entries
from tests.teams import FACILITATOR, TENANT, Teams

APP_ID = "6a1c1d7e-2f3b-4c5d-9e8f-0a1b2c3d4e5f"
ISSUER = "https://api.botframework.com"


def _private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class KeyServer:
    """OpenID metadata + JWKS on loopback, like login.botframework.com serves them."""

    url: str = ""
    keys: dict[str, tuple[rsa.RSAPrivateKey, list[str]]] = field(default_factory=dict)
    published: list[str] = field(default_factory=list)
    metadata_fetches: int = 0
    jwks_fetches: int = 0
    hang: bool = False
    release: asyncio.Event = field(default_factory=asyncio.Event)

    def add_key(self, kid: str, endorsements: list[str] | None = None,
                publish: bool = True) -> rsa.RSAPrivateKey:
        key = _private_key()
        self.keys[kid] = (key, ["msteams"] if endorsements is None else endorsements)
        if publish:
            self.published.append(kid)
        return key

    async def _metadata(self, _: web.Request) -> web.Response:
        self.metadata_fetches += 1
        if self.hang:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.release.wait(), 30)
        return web.json_response({
            "issuer": ISSUER,
            "authorization_endpoint": "https://invalid.example/",
            "jwks_uri": f"{self.url}/keys",
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        })

    async def _jwks(self, _: web.Request) -> web.Response:
        self.jwks_fetches += 1
        entries = []
        for kid in self.published:
            key, endorsements = self.keys[kid]
            jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
            jwk.update({"kid": kid, "use": "sig", "endorsements": endorsements})
            entries.append(jwk)
        return web.json_response({"keys": entries})

    async def stop(self, runner: web.AppRunner) -> None:
        self.release.set()
        await runner.cleanup()

    async def start(self) -> web.AppRunner:
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/keys", self._jwks)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return runner

    @property
    def metadata_url(self) -> str:
        return f"{self.url}/v1/.well-known/openidconfiguration"


@pytest.fixture
async def keyserver() -> AsyncIterator[KeyServer]:
    server = KeyServer()
    server.add_key("key-1")
    runner = await server.start()
    yield server
    await server.stop(runner)


class FakeTokens:
    """Stands in for msal: counts every request for the bot's outbound token."""

    calls = 0

    def __init__(self, **_: Any) -> None:
        pass

    async def __call__(self) -> str:
        FakeTokens.calls += 1
        return "fake-outbound-token"


@pytest.fixture(autouse=True)
def fake_tokens(monkeypatch: pytest.MonkeyPatch) -> type[FakeTokens]:
    FakeTokens.calls = 0
    monkeypatch.setattr(resources, "ClientCredentialTokens", FakeTokens)
    return FakeTokens


def claims_for(service_url: str, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": APP_ID,
        "serviceurl": service_url,
        "nbf": now - 10,
        "iat": now - 10,
        "exp": now + 3600,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def sign(server: KeyServer, claims: dict[str, Any], kid: str = "key-1",
         key: rsa.RSAPrivateKey | None = None, algorithm: str = "RS256") -> str:
    private = key or server.keys[kid][0]
    return jwt.encode(claims, private, algorithm=algorithm, headers={"kid": kid})


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(claims: dict[str, Any], header: dict[str, Any]) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}."


def hs256_with_public_key(server: KeyServer, claims: dict[str, Any], kid: str = "key-1") -> str:
    """The classic key-confusion token: HMAC keyed with the RSA public key's PEM."""
    pem = server.keys[kid][0].public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
    body = _b64(json.dumps(claims).encode())
    mac = hmac.new(pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(mac)}"


async def start_authed(start_bot: BotFactory, server: KeyServer, **overrides: Any) -> RunningBot:
    values: dict[str, Any] = {
        "microsoft_app_id": APP_ID,
        "microsoft_app_password": "not-a-real-secret",
        "openid_metadata_url": server.metadata_url,
        "openid_timeout_seconds": 1.0,
        "openid_min_refetch_seconds": 60.0,
        "allowed_service_hosts": ["127.0.0.1"],
    }
    values.update(overrides)
    return await start_bot(**values)


async def post_raw(bot: RunningBot, body: dict[str, Any] | bytes | str,
                   headers: dict[str, str]) -> tuple[int, str]:
    assert bot._http is not None
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    async with bot._http.post(f"{bot.url}/api/messages", data=data,
                              headers={"Content-Type": "application/json", **headers}) as resp:
        return resp.status, await resp.text()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def stored_messages(bot: RunningBot) -> int:
    store = bot.app[STORE]
    async with store.engine.connect() as conn:
        tables = (await conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type='table' AND name IN "
            "('sessions', 'outbox', 'chat_messages', 'consent_events')"
        ))).scalars().all()
        total = 0
        for table in tables:
            total += (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
    return total


# ---- the valid path ------------------------------------------------------------------------


async def test_a_valid_token_is_accepted_and_the_turn_runs(
    start_bot: BotFactory, keyserver: KeyServer, teams: Teams, connector: ConnectorStandIn,
    fake_tokens: type[FakeTokens],
) -> None:
    bot = await start_authed(start_bot, keyserver)
    token = sign(keyserver, claims_for(teams.service_url))

    status, _ = await post_raw(bot, teams.command(FACILITATOR, "start"), bearer(token))

    assert status == 201
    await connector.wait_for(lambda c: len(c.sent) >= 4)
    assert all(s.authorization == "Bearer fake-outbound-token" for s in connector.sent)
    assert fake_tokens.calls >= 1


async def test_token_within_five_minutes_of_expiry_skew_is_accepted(
    start_bot: BotFactory, keyserver: KeyServer, teams: Teams
) -> None:
    bot = await start_authed(start_bot, keyserver)
    now = int(time.time())
    token = sign(keyserver, claims_for(teams.service_url, exp=now - 120, nbf=now + 120))
    status, _ = await post_raw(bot, teams.command(FACILITATOR, "help"), bearer(token))
    assert status == 201


# ---- every failure is a bare 401 and the handler never runs --------------------------------


def _failure_cases(server: KeyServer, teams: Teams) -> dict[str, tuple[dict[str, str], Any]]:
    """name -> (headers, activity) for every way inbound authentication must fail."""
    url = teams.service_url
    activity = teams.command(FACILITATOR, "start")
    good = claims_for(url)
    now = int(time.time())
    stranger = _private_key()
    webchat = {**activity, "channelId": "webchat"}
    elsewhere = {**activity, "serviceUrl": "https://smba.trafficmanager.net/emea/"}
    return {
        "no header": ({}, activity),
        "empty bearer": ({"Authorization": "Bearer "}, activity),
        "basic": ({"Authorization": "Basic dXNlcjpwYXNz"}, activity),
        "garbage": (bearer("not-a-jwt"), activity),
        "garbage three parts": (bearer("a.b.c"), activity),
        "huge token": (bearer("a" * 7000 + "." + "b" * 10 + ".c"), activity),
        "expired": (bearer(sign(server, claims_for(url, exp=now - 600))), activity),
        "not yet valid": (bearer(sign(server, claims_for(url, nbf=now + 600))), activity),
        "issued in the future": (bearer(sign(server, claims_for(url, iat=now + 900))), activity),
        "no exp": (bearer(sign(server, claims_for(url, exp=None))), activity),
        "wrong key": (bearer(sign(server, good, key=stranger)), activity),
        "unknown kid": (bearer(sign(server, good, kid="key-x", key=stranger)), activity),
        "no kid": (bearer(jwt.encode(good, server.keys["key-1"][0], algorithm="RS256")),
                   activity),
        "wrong issuer": (bearer(sign(server, claims_for(url, iss="https://evil.example"))),
                         activity),
        "emulator issuer": (bearer(sign(server, claims_for(
            url, iss="https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"))), activity),
        "wrong audience": (bearer(sign(server, claims_for(url, aud=str(uuid.uuid4())))),
                           activity),
        "audience list": (bearer(sign(server, claims_for(url, aud=[APP_ID, "other"]))),
                          activity),
        "alg none": (bearer(unsigned(good, {"alg": "none", "typ": "JWT", "kid": "key-1"})),
                     activity),
        "alg None": (bearer(unsigned(good, {"alg": "None", "kid": "key-1"})), activity),
        "HS256 shared secret": (bearer(jwt.encode(good, "secret-secret-secret-secret-32b!",
                                                  algorithm="HS256",
                                                  headers={"kid": "key-1"})), activity),
        "HS256 keyed with public key": (bearer(hs256_with_public_key(server, good)), activity),
        "RS512": (bearer(sign(server, good, algorithm="RS512")), activity),
        "tampered payload": (bearer(_tamper(sign(server, good))), activity),
        "unendorsed channel": (bearer(sign(server, good)), webchat),
        "no channel": (bearer(sign(server, good)),
                       {k: v for k, v in activity.items() if k != "channelId"}),
        "serviceUrl differs from claim": (bearer(sign(server, good)), elsewhere),
        "no serviceurl claim": (bearer(sign(server, claims_for(url, serviceurl=None))),
                                activity),
    }


def _tamper(token: str) -> str:
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["aud"] = APP_ID
    claims["exp"] = claims["exp"] + 1
    return f"{head}.{_b64(json.dumps(claims).encode())}.{sig}"


async def test_every_authentication_failure_is_a_bare_401_and_nothing_runs(
    start_bot: BotFactory, keyserver: KeyServer, teams: Teams, connector: ConnectorStandIn,
    fake_tokens: type[FakeTokens],
) -> None:
    bot = await (await start_authed(start_bot, keyserver)).wait_ready()
    cases = _failure_cases(keyserver, teams)
    assert len(cases) >= 25

    results = {}
    for name, (headers, activity) in cases.items():
        results[name] = await post_raw(bot, activity, headers)

    wrong = {name: r for name, r in results.items() if r != (401, "")}
    assert not wrong, wrong
    await asyncio.sleep(0.3)
    assert connector.sent == []
    assert fake_tokens.calls == 0
    assert await stored_messages(bot) == 0
    assert (await bot.get("/readyz"))[0] == 200


async def test_unauthenticated_requests_get_401_whatever_the_body(
    start_bot: BotFactory, keyserver: KeyServer
) -> None:
    """No token: 401 before the body is read or parsed, so body problems never show."""
    bot = await start_authed(start_bot, keyserver)
    bodies: list[bytes | str] = [
        "x" * (300 * 1024), "[" * 200_000, "{not json", "", b"\xff\xfe",
    ]
    for body in bodies:
        assert await post_raw(bot, body, {}) == (401, "")
    assert await post_raw(bot, "{}", {"Content-Type": "text/plain"}) == (401, "")


async def test_endorsement_must_name_the_activity_channel(
    start_bot: BotFactory, keyserver: KeyServer, teams: Teams
) -> None:
    keyserver.add_key("key-webchat", endorsements=["webchat"])
    keyserver.add_key("key-bare", endorsements=[])
    bot = await start_authed(start_bot, keyserver)
    activity = teams.command(FACILITATOR, "help")
    good = claims_for(teams.service_url)

    assert await post_raw(bot, activity, bearer(sign(keyserver, good, kid="key-webchat"))) \
        == (401, "")
    assert await post_raw(bot, activity, bearer(sign(keyserver, good, kid="key-bare"))) \
        == (401, "")
    status, _ = await post_raw(bot, activity, bearer(sign(keyserver, good)))
    assert status == 201


# ---- signing keys: rotation, rate limit, timeouts ------------------------------------------


async def test_unknown_key_id_is_refetched_and_accepted_once_rotated_in(
    start_bot: BotFactory, keyserver: KeyServer, teams: Teams
) -> None:
    bot = await start_authed(start_bot, keyserver, openid_min_refetch_seconds=0.5)
    activity = teams.command(FACILITATOR, "help")
    status, _ = await post_raw(bot, activity, bearer(sign(keyserver, claims_for(
        teams.service_url))))
    assert status == 201 and keyserver.jwks_fetches == 1

    new_key = keyserver.add_key("key-2", publish=False)
    token = sign(keyserver, claims_for(teams.service_url), kid="key-2", key=new_key)
    await asyncio.sleep(0.6)
    assert await post_raw(bot, teams.command(FACILITATOR, "help"), bearer(token)) == (401, "")
    assert keyserver.jwks_fetches == 2  # it looked, the key was not there yet

    keyserver.published.append("key-2")  # Microsoft rotates the new key in
    await asyncio.sleep(0.6)
    status, _ = await post_raw(bot, teams.command(FACILITATOR, "help"), bearer(token))
    assert status == 201
    assert keyserver.jwks_fetches == 3


async def test_a_flood_of_unknown_key_ids_causes_at_most_one_fetch_per_window(
    start_bot: BotFactory, keyserver: KeyServer, teams: Teams
) -> None:
    bot = await start_authed(start_bot, keyserver, openid_min_refetch_seconds=2.0)
    stranger = _private_key()
    # Cold start: 20 concurrent good requests share one fetch.
    good = [post_raw(bot, teams.command(FACILITATOR, "help"),
                     bearer(sign(keyserver, claims_for(teams.service_url))))
            for _ in range(20)]
    assert {s for s, _ in await asyncio.gather(*good)} == {201}
    assert keyserver.jwks_fetches == 1

    await asyncio.sleep(2.1)
    tokens = [sign(keyserver, claims_for(teams.service_url), kid=f"rogue-{i}", key=stranger)
              for i in range(60)]
    activity = teams.command(FACILITATOR, "help")
    started = time.monotonic()
    flood = await asyncio.gather(*(post_raw(bot, activity, bearer(t)) for t in tokens[:40]))
    for token in tokens[40:]:
        flood.append(await post_raw(bot, activity, bearer(token)))
    elapsed = time.monotonic() - started
    assert set(flood) == {(401, "")}
    # At most one fetch per 2-second window the flood spanned (one window on a quiet machine;
    # a loaded one may stretch the flood over more, and each may then fetch once).
    windows = 1 + int(elapsed // 2.0)
    assert 2 <= keyserver.jwks_fetches <= 1 + windows, (keyserver.jwks_fetches, elapsed)
    assert 2 <= keyserver.metadata_fetches <= 1 + windows, (keyserver.metadata_fetches, elapsed)


async def test_a_hanging_metadata_server_gives_401_within_the_timeout(
    start_bot: BotFactory, keyserver: KeyServer, teams: Teams
) -> None:
    keyserver.hang = True
    bot = await start_authed(start_bot, keyserver, openid_timeout_seconds=0.5)
    token = sign(keyserver, claims_for(teams.service_url))

    started = time.monotonic()
    results = await asyncio.gather(*(
        post_raw(bot, teams.command(FACILITATOR, "help"), bearer(token)) for _ in range(5)
    ))
    elapsed = time.monotonic() - started

    assert set(results) == {(401, "")}
    assert elapsed < 30  # the server hangs for ever: answering at all means the timeout fired
    assert keyserver.metadata_fetches == 1  # the five requests shared one attempt
    # The event loop was never blocked: health answers at once.
    assert (await bot.get("/healthz"))[0] == 200


async def test_keys_survive_a_failed_refresh() -> None:
    """A refresh that fails keeps the keys already known (no lock-out on a blip)."""
    server = KeyServer()
    server.add_key("key-1")
    runner = await server.start()
    clock = [0.0]
    keys = OpenIdKeys(server.metadata_url, timeout_seconds=0.5, min_refetch_seconds=10,
                      max_age_seconds=100, clock=lambda: clock[0])
    try:
        assert (await keys.get("key-1")) is not None
        server.hang = True
        clock[0] = 200.0  # stale: a refresh is attempted, times out
        assert (await keys.get("key-1")) is not None
        assert server.metadata_fetches == 2
        clock[0] = 201.0  # within the refetch window: no new attempt
        assert (await keys.get("key-1")) is not None
        assert (await keys.get("unknown")) is None
        assert server.metadata_fetches == 2
    finally:
        await keys.close()
        await server.stop(runner)


async def test_validator_reason_codes_never_contain_the_token() -> None:
    server = KeyServer()
    server.add_key("key-1")
    runner = await server.start()
    keys = OpenIdKeys(server.metadata_url, timeout_seconds=1)
    validator = BotTokenValidator(keys, APP_ID)
    try:
        token = sign(server, claims_for("https://x/", aud="other"))
        with pytest.raises(AuthError) as caught:
            await validator.validate(f"Bearer {token}", channel_id="msteams",
                                     service_url="https://x/")
        assert caught.value.reason == "bad_audience"
        assert token not in str(caught.value) and token[-20:] not in repr(caught.value)
    finally:
        await keys.close()
        await runner.cleanup()


def test_metadata_url_must_be_https_unless_loopback() -> None:
    with pytest.raises(ValueError):
        OpenIdKeys("http://login.botframework.com/v1/.well-known/openidconfiguration")
    OpenIdKeys("http://127.0.0.1:1/x")
    OpenIdKeys("https://login.botframework.com/v1/.well-known/openidconfiguration")


# ---- tenants -------------------------------------------------------------------------------


async def test_activity_from_a_tenant_not_allowed_is_dropped_with_an_audit_event(
    start_bot: BotFactory, keyserver: KeyServer, teams: Teams, connector: ConnectorStandIn,
) -> None:
    bot = await start_authed(start_bot, keyserver,
                             allowed_tenants=["11111111-2222-3333-4444-555555555555"])
    token = sign(keyserver, claims_for(teams.service_url))
    chat = teams.chat(FACILITATOR, "Canary text from Mallory Quince about SW1A 1AA")

    status, body = await post_raw(bot, teams.command(FACILITATOR, "start"), bearer(token))
    assert (status, body) == (403, "")
    assert (await post_raw(bot, chat, bearer(token)))[0] == 403

    store = bot.app[STORE]
    rows = await audit_entries(store, "tenant_refused")
    assert len(rows) == 2
    dumped = json.dumps([{k: str(v) for k, v in r.items()} for r in rows])
    assert "Mallory" not in dumped and "SW1A" not in dumped and "Canary" not in dumped
    assert TENANT not in dumped and FACILITATOR.aad not in dumped and FACILITATOR.id not in dumped
    assert rows[0]["details"] == {"activity_type": "message"}
    assert await stored_messages(bot) == 0
    await asyncio.sleep(0.2)
    assert connector.sent == []


async def test_single_tenant_bot_defaults_to_its_own_tenant(
    start_bot: BotFactory, keyserver: KeyServer, teams: Teams
) -> None:
    other = "99999999-8888-4777-8666-555555555555"
    bot = await start_authed(start_bot, keyserver, microsoft_app_type="SingleTenant",
                             microsoft_app_tenant_id=TENANT.upper())
    token = sign(keyserver, claims_for(teams.service_url))
    assert (await post_raw(bot, teams.command(FACILITATOR, "help"), bearer(token)))[0] == 201

    foreign = teams.command(FACILITATOR, "help")
    foreign["channelData"]["tenant"]["id"] = other
    foreign["conversation"]["tenantId"] = other
    assert (await post_raw(bot, foreign, bearer(token)))[0] == 403
    mixed = teams.command(FACILITATOR, "help")
    mixed["conversation"]["tenantId"] = other  # names two tenants: refused
    assert (await post_raw(bot, mixed, bearer(token)))[0] == 403
    no_tenant = teams.command(FACILITATOR, "help")
    del no_tenant["channelData"]["tenant"]
    del no_tenant["conversation"]["tenantId"]
    assert (await post_raw(bot, no_tenant, bearer(token)))[0] == 403


# ---- outbound service hosts ----------------------------------------------------------------


def test_teams_service_hosts_are_exact_microsoft_hosts() -> None:
    assert "smba.trafficmanager.net" in TEAMS_SERVICE_HOSTS
    assert all("*" not in h for h in TEAMS_SERVICE_HOSTS)
    with pytest.raises(ValueError):
        outbound_hosts(local_mode=False, extra=["*.trafficmanager.net"])
    with pytest.raises(ValueError):
        outbound_hosts(local_mode=False, extra=["example.com:8443"])
    assert outbound_hosts(local_mode=True) == {"127.0.0.1", "localhost", "::1"}
    assert "bots.example.org" in outbound_hosts(local_mode=False, extra=["Bots.Example.org"])


@pytest.mark.parametrize("service_url", [
    "https://evil.trafficmanager.net/teams/",
    "https://smba.trafficmanager.net.evil.example/teams/",
    "https://smba.trafficmanager.net@evil.example/teams/",
    "http://smba.trafficmanager.net/teams/",
    "https://127.0.0.1:8443/",
    "https://smba-trafficmanager.net/",
    "ftp://smba.trafficmanager.net/",
    "smba.trafficmanager.net",
])
async def test_outbound_refuses_hosts_outside_the_allow_list_before_any_token(
    service_url: str,
) -> None:
    calls = 0

    async def provider() -> str:
        nonlocal calls
        calls += 1
        return "secret-token"

    client = ConnectorClient(provider, allowed_hosts=outbound_hosts(local_mode=False))
    try:
        with pytest.raises(ServiceUrlRefused):
            await client.send(service_url, "19:abc@thread.v2", {"type": "message"})
        with pytest.raises(ServiceUrlRefused):
            await client.conversation_members(service_url, "19:abc@thread.v2")
        with pytest.raises(ServiceUrlRefused):
            await client.meeting_role(service_url, meeting_id="m", participant_id="p",
                                      tenant_id=None)
    finally:
        await client.close()
    assert calls == 0


async def test_a_stored_reference_rewritten_to_another_host_is_refused_before_any_token(
    start_bot: BotFactory, keyserver: KeyServer, teams: Teams, connector: ConnectorStandIn,
    fake_tokens: type[FakeTokens],
) -> None:
    bot = await start_authed(start_bot, keyserver)
    token = sign(keyserver, claims_for(teams.service_url))
    assert (await post_raw(bot, teams.command(FACILITATOR, "start"), bearer(token)))[0] == 201
    await connector.wait_for(lambda c: len(c.sent) >= 4)
    store = bot.app[STORE]
    async with store.engine.begin() as conn:
        await conn.execute(text("UPDATE sessions SET service_url = :u"),
                           {"u": "https://smba.trafficmanager.net.attacker.example/teams/"})
    sent_before, tokens_before = len(connector.sent), fake_tokens.calls

    status, _ = await post_raw(bot, teams.command(FACILITATOR, "remind"), bearer(token))
    assert status == 201

    deadline = time.monotonic() + 5
    failed: list[Any] = []
    while time.monotonic() < deadline and not failed:
        async with store.engine.connect() as conn:
            failed = (await conn.execute(text(
                "SELECT service_url, last_error FROM outbox WHERE status = 'failed'"
            ))).all()
        await asyncio.sleep(0.05)
    assert failed, "the rewritten reference was not refused"
    assert all("attacker" in row.service_url for row in failed)
    assert all("not allowed" in (row.last_error or "") for row in failed)
    assert fake_tokens.calls == tokens_before
    assert len(connector.sent) == sent_before


async def test_local_mode_still_needs_no_token_and_ignores_authorization(
    bot: RunningBot, teams: Teams, connector: ConnectorStandIn
) -> None:
    status, _ = await post_raw(bot, teams.command(FACILITATOR, "help"), {})
    assert status == 201
    status, _ = await post_raw(bot, teams.command(FACILITATOR, "help"), bearer("garbage"))
    assert status == 201
    refused = teams.command(FACILITATOR, "help")
    refused["serviceUrl"] = "https://smba.trafficmanager.net/teams/"  # not loopback: refused
    status, _ = await post_raw(bot, refused, {})
    assert status == 201
    await connector.wait_for(lambda c: len(c.sent) >= 2)
    await asyncio.sleep(0.3)
    assert len(connector.sent) == 2
    assert all(s.authorization is None for s in connector.sent)
