"""A tiny round-robin reverse proxy on 127.0.0.1 in front of several bot processes.

POST /api/messages (and GET /readyz, /healthz) go to the next backend in turn with the body
and the headers that matter; the backend's status and body come back unchanged. A backend
that cannot be reached answers 502, as a load balancer would.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import aiohttp
from aiohttp import web

_FORWARDED = ("Content-Type", "Authorization", "x-ms-request-id")


class RoundRobinProxy:
    def __init__(self, backends: Callable[[], list[str]]) -> None:
        self._backends = backends  # called per request: processes restart on new ports
        self._turn = itertools.count()
        self._http: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.forwarded: dict[str, int] = {}

    async def _forward(self, request: web.Request) -> web.Response:
        backends = self._backends()
        backend = backends[next(self._turn) % len(backends)]
        self.forwarded[backend] = self.forwarded.get(backend, 0) + 1
        headers = {k: request.headers[k] for k in _FORWARDED if k in request.headers}
        body = await request.read()
        assert self._http is not None
        try:
            async with self._http.request(request.method, f"{backend}{request.path_qs}",
                                          data=body or None, headers=headers) as resp:
                payload = await resp.read()
                out = {k: resp.headers[k] for k in ("Content-Type", "Retry-After")
                       if k in resp.headers}
                return web.Response(status=resp.status, body=payload, headers=out)
        except aiohttp.ClientError:
            return web.Response(status=502)

    async def start(self) -> RoundRobinProxy:
        connector = aiohttp.TCPConnector(limit=0)
        self._http = aiohttp.ClientSession(connector=connector,
                                           timeout=aiohttp.ClientTimeout(total=60))
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_post("/api/messages", self._forward)
        app.router.add_get("/readyz", self._forward)
        app.router.add_get("/healthz", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._http is not None:
            await self._http.close()
