"""One lazily created aiohttp client session, shared by an outbound client's calls."""

from __future__ import annotations

import aiohttp


class LazyClientSession:
    """Created on first use (inside the running loop), recreated if closed, closed once."""

    def __init__(self, timeout_seconds: float) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._http: aiohttp.ClientSession | None = None

    def get(self) -> aiohttp.ClientSession:
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(timeout=self._timeout)
        return self._http

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None
