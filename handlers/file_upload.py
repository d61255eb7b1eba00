"""Sending a file to a user in a 1:1 chat through Teams' file consent card.

Flow (Teams bot APIs, personal scope only): the bot sends a
`application/vnd.microsoft.teams.card.file.consent` attachment; when the user accepts, Teams
sends a `fileConsent/invoke` whose `value.uploadInfo.uploadUrl` is a OneDrive upload session;
the bot PUTs the bytes there (with Content-Range) and then posts a
`application/vnd.microsoft.teams.card.file.info` card linking to the file. The app manifest
must set `"supportsFiles": true`.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

import aiohttp

FILE_CONSENT = "application/vnd.microsoft.teams.card.file.consent"
FILE_INFO = "application/vnd.microsoft.teams.card.file.info"


class UploadError(Exception):
    pass


def file_consent_activity(
    name: str, description: str, size: int, context: dict[str, Any]
) -> dict[str, Any]:
    return {
        "type": "message",
        "attachments": [{
            "contentType": FILE_CONSENT,
            "name": name,
            "content": {
                "description": description,
                "sizeInBytes": size,
                "acceptContext": context,
                "declineContext": context,
            },
        }],
    }


def file_info_activity(upload_info: dict[str, Any], text: str) -> dict[str, Any]:
    return {
        "type": "message",
        "text": text,
        "textFormat": "plain",
        "attachments": [{
            "contentType": FILE_INFO,
            "contentUrl": upload_info.get("contentUrl"),
            "name": upload_info.get("name"),
            "content": {
                "uniqueId": upload_info.get("uniqueId"),
                "fileType": upload_info.get("fileType"),
            },
        }],
    }


def _allowed(url: str) -> bool:
    """OneDrive upload sessions are https; plain http only to loopback (local testing)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return True
    if parts.scheme == "http" and parts.hostname:
        try:
            return ipaddress.ip_address(parts.hostname).is_loopback
        except ValueError:
            return parts.hostname == "localhost"
    return False


async def upload(upload_url: str, data: bytes, *, limit_seconds: float = 60.0) -> None:
    """PUT the whole file in one request, as Microsoft documents for bot file upload."""
    if not _allowed(upload_url):
        raise UploadError("upload URL refused")
    size = len(data)
    headers = {"Content-Length": str(size), "Content-Range": f"bytes 0-{size - 1}/{size}"}
    try:
        limit = aiohttp.ClientTimeout(total=limit_seconds)
        async with aiohttp.ClientSession(timeout=limit) as http:
            async with http.put(upload_url, data=data, headers=headers) as response:
                if response.status not in (200, 201, 202):
                    raise UploadError(f"upload answered {response.status}")
    except aiohttp.ClientError as exc:
        raise UploadError(type(exc).__name__) from exc
