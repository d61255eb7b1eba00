"""Access tokens for the Bot Connector and Microsoft Graph, from msal (client credentials).

msal's token calls are blocking HTTP; they run in a worker thread so the event loop never waits
on them. msal caches tokens in the application object, so most calls return from memory.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any

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
        self._app_id = app_id
        self._app_password = app_password
        self._app_type = app_type
        if app_type == "SingleTenant" and tenant_id:
            tenant = tenant_id
        elif scope == BOT_FRAMEWORK_SCOPE:
            tenant = "botframework.com"
        else:
            tenant = tenant_id or "common"
        self._authority = f"{authority_host.rstrip('/')}/{tenant}"
        self._client: Any = None

    def _make_client(self) -> Any:
        """Built on first use, in the worker thread: msal's constructor already calls the
        network (authority discovery), which must not happen on the event loop or at import."""
        if self._app_type == "UserAssignedMSI":
            import requests

            return msal.ManagedIdentityClient(
                msal.UserAssignedManagedIdentity(client_id=self._app_id),
                http_client=requests.Session(),
            )
        return msal.ConfidentialClientApplication(
            self._app_id, client_credential=self._app_password, authority=self._authority
        )

    def _acquire(self) -> str:
        with self._lock:
            if self._client is None:
                self._client = self._make_client()
            if self._app_type == "UserAssignedMSI":
                result = self._client.acquire_token_for_client(
                    resource=self._scope.removesuffix("/.default")
                )
            else:
                result = self._client.acquire_token_for_client(scopes=[self._scope])
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
