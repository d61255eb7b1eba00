"""Inbound authentication (Bot Connector tokens) and the tenant / service-host allow-lists.

Nothing here imports botbuilder: the validator returns plain claims, and `bot.py` turns them
into what the adapter needs.
"""

from auth.allow_lists import (
    TEAMS_SERVICE_HOSTS,
    activity_tenants,
    outbound_hosts,
    tenant_allowed,
    tenant_fingerprint,
)
from auth.bot_token import AuthError, BotTokenValidator, VerifiedToken, bearer_token
from auth.openid import DEFAULT_METADATA_URL, MetadataUnavailable, OpenIdKeys, SigningKey

__all__ = [
    "DEFAULT_METADATA_URL",
    "TEAMS_SERVICE_HOSTS",
    "AuthError",
    "BotTokenValidator",
    "MetadataUnavailable",
    "OpenIdKeys",
    "SigningKey",
    "VerifiedToken",
    "activity_tenants",
    "bearer_token",
    "outbound_hosts",
    "tenant_allowed",
    "tenant_fingerprint",
]
