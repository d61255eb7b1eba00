"""Access tokens for the Bot Connector and Microsoft Graph, from msal (client credentials).

msal's token calls are blocking HTTP; they run in a worker thread so the event loop never waits
on them. msal caches tokens in the application object, so most calls return from memory.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable

import msal

BOT_FRAMEWORK_SCOPE = "https://api.botframework.com/.default"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"


class TokenError(Exception):
    """A token could not be obtained; the reason never includes the secret."""


class ClientCredentialTokens:
    """App-only tokens for one scope (client secret or user-assigned managed identity)."""

    def __init__(
        self,
        *,
        app_id: str,
        app_password: str,
        app_type: str,
        tenant_id: str,
        scope: str,
        authority_host: str = "https://login.microsoftonline.com",
    ) -> None:
        self._scope = scope
        self._lock = threading.Lock()
        if app_type == "UserAssignedMSI":
            self._msi: msal.ManagedIdentityClient | None = msal.ManagedIdentityClient(
                msal.UserAssignedManagedIdentity(client_id=app_id),
                http_client=__import__("requests").Session(),
            )
            self._app: msal.ConfidentialClientApplication | None = None
        else:
            tenant = tenant_id if app_type == "SingleTenant" and tenant_id else (
                "botframework.com" if scope == BOT_FRAMEWORK_SCOPE else (tenant_id or "common")
            )
            self._msi = None
            self._app = msal.ConfidentialClientApplication(
                app_id,
                client_credential=app_password,
                authority=f"{authority_host.rstrip('/')}/{tenant}",
            )

    def _acquire(self) -> str:
        with self._lock:
            if self._msi is not None:
                result = self._msi.acquire_token_for_client(
                    resource=self._scope.removesuffix("/.default")
                )
            else:
                assert self._app is not None
                result = self._app.acquire_token_for_client(scopes=[self._scope])
        token = result.get("access_token") if isinstance(result, dict) else None
        if not token:
            error = result.get("error", "unknown") if isinstance(result, dict) else "unknown"
            raise TokenError(f"token request refused: {error}")
        return str(token)

    async def __call__(self) -> str:
        return await asyncio.to_thread(self._acquire)


def no_token() -> Callable[[], Awaitable[None]]:
    """Local mode: the connector stand-in (or Agents Playground) takes no token."""

    async def provider() -> None:
        return None

    return provider
