"""The Bot Connector's signing keys, fetched from its OpenID metadata without blocking the loop.

botbuilder 4.17.1 fetches the metadata with `requests` (blocking, no timeout) inside the event
loop and, when a token names a key id it does not know, waits up to an hour (a day for the
first fetch) before looking again, so Microsoft's key rotation locks the bot out. Here:
- both documents are fetched with aiohttp under one total timeout and a size limit;
- the key set is cached for `max_age` seconds (a stale set is kept if a refresh fails);
- an unknown key id triggers a refetch, at most once every `min_refetch` seconds, and all
  requests waiting at that moment share the one fetch.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm

log = logging.getLogger(__name__)

DEFAULT_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
MAX_DOCUMENT_BYTES = 512 * 1024
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class MetadataUnavailable(Exception):
    """No signing keys could be obtained (the message names the reason, never a token)."""


@dataclass(frozen=True)
class SigningKey:
    kid: str
    public_key: RSAPublicKey
    endorsements: frozenset[str]


def _allowed_url(url: str) -> bool:
    """https only; plain http only to a loopback host (local tests)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" or (parts.scheme == "http" and host in LOOPBACK_HOSTS)


def parse_jwks(document: Any) -> dict[str, SigningKey]:
    """The RSA keys of a JWKS document by key id; malformed keys are skipped, not fatal."""
    keys: dict[str, SigningKey] = {}
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise MetadataUnavailable("jwks has no key list")
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA":
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid:
            continue
        endorsements = entry.get("endorsements") or []
        if not isinstance(endorsements, list):
            endorsements = []
        try:
            public_key = RSAAlgorithm.from_jwk(json.dumps(entry))
        except Exception:  # PyJWT raises InvalidKeyError, ValueError, TypeError...
            log.warning("skipping unreadable signing key", extra={"kid": kid[:64]})
            continue
        if not isinstance(public_key, RSAPublicKey):
            continue
        keys[kid] = SigningKey(
            kid=kid,
            public_key=public_key,
            endorsements=frozenset(e for e in endorsements if isinstance(e, str)),
        )
    return keys


class OpenIdKeys:
    """A cache of the signing keys published at `metadata_url`."""

    def __init__(
        self,
        metadata_url: str = DEFAULT_METADATA_URL,
        *,
        timeout_seconds: float = 5.0,
        min_refetch_seconds: float = 60.0,
        max_age_seconds: float = 24 * 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not _allowed_url(metadata_url):
            raise ValueError("OpenID metadata URL must be https (or http to a loopback host)")
        self.metadata_url = metadata_url
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._min_refetch = min_refetch_seconds
        self._max_age = max_age_seconds
        self._clock = clock
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at: float | None = None  # last successful fetch
        self._attempted_at: float | None = None  # last fetch started, successful or not
        self._inflight: asyncio.Task[None] | None = None
        self._http: aiohttp.ClientSession | None = None
        self.fetch_count = 0  # fetches started; read by tests and diagnostics

    async def close(self) -> None:
        task = self._inflight
        if task is not None and not task.done():
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, MetadataUnavailable):
                pass
        if self._http is not None:
            await self._http.close()
            self._http = None

    async def get(self, kid: str) -> SigningKey | None:
        """The key with this id, refetching when the set is stale or the id is unknown.

        Raises MetadataUnavailable only when no key set has ever been obtained.
        """
        now = self._clock()
        stale = self._fetched_at is None or now - self._fetched_at > self._max_age
        if stale and self._may_fetch(now, first=self._fetched_at is None):
            await self._refresh_shared()
        key = self._keys.get(kid)
        if key is None and self._may_fetch(self._clock(), first=False):
            log.info("unknown signing key id; refetching keys")
            await self._refresh_shared()
            key = self._keys.get(kid)
        if key is None and self._fetched_at is None:
            raise MetadataUnavailable("no signing keys")
        return key

    def _may_fetch(self, now: float, *, first: bool) -> bool:
        if self._inflight is not None and not self._inflight.done():
            return True  # joining a fetch in progress costs nothing
        if self._attempted_at is None:
            return True
        # Before the first success a failed fetch is retried after a short pause only.
        interval = min(self._min_refetch, 5.0) if first else self._min_refetch
        return now - self._attempted_at >= interval

    async def _refresh_shared(self) -> None:
        if self._inflight is None or self._inflight.done():
            self._attempted_at = self._clock()
            self.fetch_count += 1
            self._inflight = asyncio.create_task(self._refresh(), name="openid-refresh")
        try:
            # shield: a request that gives up must not cancel the fetch others wait on.
            await asyncio.shield(self._inflight)
        except MetadataUnavailable as exc:
            log.warning("signing keys could not be refreshed", extra={"reason": str(exc)})

    async def _refresh(self) -> None:
        try:
            async with asyncio.timeout(self._timeout.total):
                metadata = await self._get_json(self.metadata_url)
                jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, dict) else None
                if not isinstance(jwks_uri, str) or not _allowed_url(jwks_uri):
                    raise MetadataUnavailable("metadata has no usable jwks_uri")
                keys = parse_jwks(await self._get_json(jwks_uri))
        except TimeoutError as exc:
            raise MetadataUnavailable("timed out") from exc
        except (aiohttp.ClientError, ValueError) as exc:
            raise MetadataUnavailable(type(exc).__name__) from exc
        if not keys:
            raise MetadataUnavailable("jwks has no RSA keys")
        self._keys = keys
        self._fetched_at = self._clock()
        log.info("signing keys refreshed", extra={"keys": len(keys)})

    async def _get_json(self, url: str) -> Any:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=self._timeout)
        async with self._http.get(url, allow_redirects=False) as resp:
            if resp.status != 200:
                raise MetadataUnavailable(f"status {resp.status}")
            body = await resp.content.read(MAX_DOCUMENT_BYTES + 1)
            while len(body) <= MAX_DOCUMENT_BYTES:
                more = await resp.content.read(MAX_DOCUMENT_BYTES + 1 - len(body))
                if not more:
                    break
                body += more
            if len(body) > MAX_DOCUMENT_BYTES:
                raise MetadataUnavailable("document too large")
        return json.loads(body)
