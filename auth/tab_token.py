"""Validate the Entra ID token a Teams tab gets from `authentication.getAuthToken` (SSO).

The facilitator console's API accepts nothing else. The rules follow Microsoft's "Enable SSO for
tab app" and "Access tokens in the Microsoft identity platform", held to the same care as the
bot's inbound tokens (auth/bot_token.py, whose decoder and reason codes are shared):
1. the header is `Bearer <JWT>`, `alg: RS256`, with a `kid`;
2. the `kid` is a key of the identity platform (OpenID metadata, refetched when unknown);
3. the signature verifies with that key;
4. `aud` is the tab's application id URI `api://<host>/<app id>` (the manifest's
   webApplicationInfo; `api://<host>/botid-<app id>`, Microsoft's form for a bot with a tab, is
   accepted too) in v1 tokens, or the app id itself (v2 tokens carry the client id);
5. `iss` is the token's own tenant (`tid`) in the v1 or v2 form, and the tenant is allowed;
6. `exp` (required) and `nbf` hold with five minutes' clock skew;
7. `oid` (the user's AAD object id) and `tid` are present.
Nothing here logs or returns the token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from auth.bot_token import AuthError, _b64json, bearer_token, decode_checked, signing_key
from auth.openid import OpenIdKeys

ENTRA_METADATA_URL = (
    "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration"
)
_TENANT = re.compile(r"^[0-9a-fA-F-]{36}$")


@dataclass(frozen=True)
class TabUser:
    """Who the verified token says is asking: AAD object id and tenant, never a name."""

    aad_object_id: str
    tenant_id: str


def issuers_for(tenant_id: str) -> list[str]:
    """The two issuer forms Entra ID uses for a tenant (v1 and v2 access tokens)."""
    return [f"https://sts.windows.net/{tenant_id}/",
            f"https://login.microsoftonline.com/{tenant_id}/v2.0"]


def _unverified_tenant(token: str) -> str:
    """The `tid` claim, read before verifying only to choose the issuer to demand."""
    claims = _b64json(token.split(".")[1])
    tenant = claims.get("tid") if isinstance(claims, dict) else None
    if not isinstance(tenant, str) or not _TENANT.match(tenant):
        raise AuthError("no_tenant")
    return tenant.lower()


class TabTokenValidator:
    """Validates tab SSO tokens for one app (its id and public host)."""

    def __init__(
        self,
        keys: OpenIdKeys,
        *,
        app_id: str,
        public_host: str,
        allowed_tenants: frozenset[str] | None = None,
    ) -> None:
        if not app_id or not public_host:
            raise ValueError("app_id and public_host are required")
        self.keys = keys
        self.audiences = [f"api://{public_host}/{app_id}", f"api://{public_host}/botid-{app_id}",
                          app_id]
        self.allowed_tenants = allowed_tenants

    async def verify(self, header: str | None) -> TabUser:
        token, kid = bearer_token(header)
        tenant = _unverified_tenant(token)
        if self.allowed_tenants is not None and tenant not in self.allowed_tenants:
            raise AuthError("tenant_not_allowed")
        key = await signing_key(self.keys, kid)
        claims: dict[str, Any] = decode_checked(token, key.public_key, audience=self.audiences,
                                                issuer=issuers_for(tenant))
        oid = claims.get("oid")
        if not isinstance(oid, str) or not oid or len(oid) > 64:
            raise AuthError("missing_claim")
        return TabUser(aad_object_id=oid.lower(), tenant_id=tenant)
