"""Who may talk to the bot (tenants) and where the bot may send its token (service hosts).

Teams gives each activity a `serviceUrl`; the bot later posts replies there with its Bot
Framework token. Only Microsoft's Teams service hosts may receive that token. The list is of
exact host names: `*.trafficmanager.net` is not Microsoft's alone (any Azure customer can
register a Traffic Manager profile there), so no wildcard is ever accepted.
Source: the Teams proactive-messaging service endpoints published with Microsoft's Agents SDK
(`TeamsServiceEndpoints`: publicGlobal, gcc, gccHigh, dod).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

TEAMS_SERVICE_HOSTS = frozenset({
    "smba.trafficmanager.net",  # public cloud (paths /teams/, /emea/, /amer/, /apac/ ...)
    "smba.infra.gcc.teams.microsoft.com",  # US Government Community Cloud
    "smba.infra.gov.teams.microsoft.us",  # GCC High
    "smba.infra.dod.teams.microsoft.us",  # US Department of Defense
})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _normalise_host(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host


def outbound_hosts(*, local_mode: bool, extra: Iterable[str] = ()) -> frozenset[str]:
    """Hosts the bot may send its token to: Teams' (or, locally, loopback) plus configured ones.

    A configured entry must be an exact host name; wildcards are refused loudly.
    """
    configured = {_normalise_host(h) for h in extra if h.strip()}
    for host in configured:
        bad = "*" in host or "/" in host or (":" in host and host not in LOOPBACK_HOSTS)
        if bad:
            raise ValueError(f"ALLOWED_SERVICE_HOSTS entries must be exact host names: {host!r}")
    base = LOOPBACK_HOSTS if local_mode else TEAMS_SERVICE_HOSTS
    return frozenset(base | configured)


def activity_tenants(body: dict[str, Any]) -> set[str]:
    """Every tenant id an activity names (Teams puts it in two places)."""
    found: set[str] = set()
    channel_data = body.get("channelData")
    if isinstance(channel_data, dict):
        tenant = channel_data.get("tenant")
        if isinstance(tenant, dict) and isinstance(tenant.get("id"), str):
            found.add(tenant["id"].strip().lower())
    conversation = body.get("conversation")
    if isinstance(conversation, dict) and isinstance(conversation.get("tenantId"), str):
        found.add(conversation["tenantId"].strip().lower())
    return found


def tenant_allowed(body: dict[str, Any], allowed: frozenset[str] | None) -> bool:
    """With an allow-list, an activity must name a tenant and every tenant it names is listed."""
    if allowed is None:
        return True
    tenants = activity_tenants(body)
    return bool(tenants) and tenants <= allowed


def tenant_fingerprint(body: dict[str, Any]) -> str:
    """A short hash of the tenant(s) named, for audit rows: comparable, not the id itself."""
    tenants = ",".join(sorted(activity_tenants(body))) or "-"
    return hashlib.sha256(tenants.encode()).hexdigest()[:16]
