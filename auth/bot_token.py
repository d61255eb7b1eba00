"""Validate the Bot Connector's `Authorization: Bearer` token on an incoming activity.

The rules are Microsoft's "Authenticate requests from the Bot Connector service to your bot"
(and botbuilder's `ChannelValidation` / `JwtTokenExtractor`), made strict:
1. the header is `Bearer <JWT>`;
2. the JWT header says `alg: RS256` (no `none`, no HS*, nothing else) and names a `kid`;
3. the `kid` is a key in the Bot Connector's JWKS (refetched, rate-limited, if unknown);
4. the signature verifies with that key;
5. `iss` is `https://api.botframework.com`; `aud` is exactly the bot's app id (a string);
6. `exp` (required) and `nbf`/`iat` hold with five minutes' clock skew;
7. the signing key's `endorsements` include the activity's `channelId`;
8. the `serviceurl` claim equals the activity's `serviceUrl`.

Steps 1-6 need only the header, so they run before the body is read; 7-8 need the activity.
Every failure raises `AuthError` with a short reason code. The code is for logs; the client
gets a bare 401. Nothing here logs or returns the token.
"""

from __future__ import annotations

import binascii
import json
from base64 import urlsafe_b64decode
from dataclasses import dataclass
from typing import Any

import jwt

from auth.openid import MetadataUnavailable, OpenIdKeys, SigningKey

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
ALGORITHM = "RS256"
CLOCK_SKEW_SECONDS = 5 * 60
MAX_TOKEN_CHARS = 16 * 1024
SERVICE_URL_CLAIM = "serviceurl"


class AuthError(Exception):
    """Inbound authentication failed. `reason` is a short code safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class VerifiedToken:
    """A token whose signature, issuer, audience and lifetime have been checked."""

    claims: dict[str, Any]
    endorsements: frozenset[str]


def _b64json(segment: str) -> Any:
    padded = segment + "=" * (-len(segment) % 4)
    try:
        return json.loads(urlsafe_b64decode(padded.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError) as exc:
        raise AuthError("malformed_token") from exc


async def signing_key(keys: OpenIdKeys, kid: str) -> SigningKey:
    """The published key a token names; both token kinds refuse the same way when the key set
    cannot be fetched or no longer holds that key."""
    try:
        key = await keys.get(kid)
    except MetadataUnavailable as exc:
        raise AuthError("keys_unavailable") from exc
    if key is None:
        raise AuthError("unknown_key")
    return key


def bearer_token(header: str | None) -> tuple[str, str]:
    """The token and its key id from an Authorization header, after checks that cost nothing.

    Used before the request body is read, so a request without a plausible token is refused
    without reading (or parsing) a large body.
    """
    if not header:
        raise AuthError("no_header")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        raise AuthError("not_bearer")
    token = token.strip()
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise AuthError("malformed_token")
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        raise AuthError("malformed_token")
    head = _b64json(parts[0])
    if not isinstance(head, dict):
        raise AuthError("malformed_token")
    if head.get("alg") != ALGORITHM:
        raise AuthError("bad_algorithm")
    kid = head.get("kid")
    if not isinstance(kid, str) or not kid or len(kid) > 256:
        raise AuthError("no_key_id")
    return token, kid


# PyJWT's failures as reason codes, most specific first (the first match wins)
_DECODE_FAILURES: tuple[tuple[type[Exception], str], ...] = (
    (jwt.ExpiredSignatureError, "expired"),
    (jwt.ImmatureSignatureError, "not_yet_valid"),
    (jwt.InvalidAudienceError, "bad_audience"),
    (jwt.InvalidIssuerError, "bad_issuer"),
    (jwt.InvalidSignatureError, "bad_signature"),
    (jwt.MissingRequiredClaimError, "missing_claim"),
    (jwt.InvalidAlgorithmError, "bad_algorithm"),
)


def decode_checked(
    token: str, public_key: Any, *, audience: str | list[str], issuer: str | list[str],
    leeway: int = CLOCK_SKEW_SECONDS,
) -> dict[str, Any]:
    """Signature (RS256 only), audience, issuer and lifetime, each failure a short reason code.

    Shared by the bot's inbound tokens and the console's tab tokens, so both are held to the
    same rules.
    """
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            public_key,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=issuer,
            leeway=leeway,
            options={"require": ["exp", "iss", "aud"], "strict_aud": isinstance(audience, str)},
        )
    except Exception as exc:  # a token crafted to upset the decoder is still just a 401
        reason = next((r for kind, r in _DECODE_FAILURES if isinstance(exc, kind)),
                      "invalid_token")
        raise AuthError(reason) from exc
    return claims


class BotTokenValidator:
    """Validates Bot Connector tokens for one bot (its app id) against one key source."""

    def __init__(
        self,
        keys: OpenIdKeys,
        app_id: str,
        *,
        issuer: str = BOT_FRAMEWORK_ISSUER,
        leeway_seconds: int = CLOCK_SKEW_SECONDS,
    ) -> None:
        if not app_id:
            raise ValueError("app_id is required")
        self.keys = keys
        self.app_id = app_id
        self.issuer = issuer
        self.leeway = leeway_seconds

    async def verify(self, header: str | None) -> VerifiedToken:
        """Steps 1-6: everything that does not need the activity."""
        token, kid = bearer_token(header)
        key = await signing_key(self.keys, kid)
        claims = decode_checked(token, key.public_key, audience=self.app_id,
                                issuer=self.issuer, leeway=self.leeway)
        return VerifiedToken(claims=claims, endorsements=key.endorsements)

    @staticmethod
    def check_activity(verified: VerifiedToken, *, channel_id: Any, service_url: Any) -> None:
        """Steps 7-8: the token must vouch for this activity's channel and service URL."""
        if not isinstance(channel_id, str) or channel_id not in verified.endorsements:
            raise AuthError("channel_not_endorsed")
        claimed = verified.claims.get(SERVICE_URL_CLAIM)
        if not isinstance(service_url, str) or not isinstance(claimed, str):
            raise AuthError("service_url_mismatch")
        if claimed != service_url:
            raise AuthError("service_url_mismatch")

    async def validate(
        self, header: str | None, *, channel_id: Any, service_url: Any
    ) -> dict[str, Any]:
        """All eight steps at once; returns the token's claims."""
        verified = await self.verify(header)
        self.check_activity(verified, channel_id=channel_id, service_url=service_url)
        return verified.claims
