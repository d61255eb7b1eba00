"""botbuilder's CloudAdapter, fitted to our own inbound authentication.

The request was authenticated by `auth.http.Inbound` before it gets here; the adapter is only
asked to run the turn. This module holds the two places where we reach into botbuilder:
building the `AuthenticateRequestResult` its own authentication would have produced, and a
faster (same) msrest retry policy.
"""

from __future__ import annotations

from typing import Any

from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, CallerIdConstants
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    ClaimsIdentity,
)

from auth.http import BadActivity, check_envelope, parse_body
from config import BotbuilderConfig


def to_activity(body: dict[str, Any]) -> Activity:
    try:
        activity = Activity().deserialize(body)
    except Exception as exc:  # msrest raises several kinds for wrong field types
        raise BadActivity("activity could not be read") from exc
    if not activity.type:
        raise BadActivity("activity has no type")
    return activity


def parse_activity(raw: bytes) -> Activity:
    body = parse_body(raw)
    check_envelope(body)
    return to_activity(body)


def authenticate_result(
    adapter: CloudAdapter, claims: dict[str, Any] | None
) -> AuthenticateRequestResult:
    """What botbuilder's own authentication would have produced, from claims we checked."""
    if claims is None:  # local mode: anonymous, as botbuilder does with auth disabled
        identity = ClaimsIdentity({}, True, AuthenticationConstants.ANONYMOUS_AUTH_TYPE)
        caller_id = None
    else:
        identity = ClaimsIdentity(dict(claims), True)
        caller_id = CallerIdConstants.public_azure_channel.value
    result = AuthenticateRequestResult()
    result.claims_identity = identity
    result.audience = AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
    result.caller_id = caller_id
    result.connector_factory = adapter.bot_framework_authentication.create_connector_factory(
        identity
    )
    return result


def _fast_msrest_retry_policy() -> None:
    """CloudAdapter builds two msrest clients per turn; each computes its retry codes as
    `i not in <a 500-item list>` for 999 codes (~5 ms of CPU, ~11 ms a turn, capping a
    process near 90 activities/s). A frozenset of the same codes gives the same policy."""
    from msrest.universal_http.requests import ClientRetryPolicy

    if not isinstance(ClientRetryPolicy.safe_codes, frozenset):  # (msrest types it a list)
        setattr(ClientRetryPolicy, "safe_codes", frozenset(ClientRetryPolicy.safe_codes))  # noqa: B010


def make_adapter(configuration: BotbuilderConfig) -> CloudAdapter:
    """The adapter runs the turn; inbound authentication is ours (`auth.http.Inbound`)."""
    _fast_msrest_retry_policy()
    return CloudAdapter(ConfigurationBotFrameworkAuthentication(configuration))
