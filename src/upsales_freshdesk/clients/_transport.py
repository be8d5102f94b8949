"""The transport to real upstreams: aiohttp under the httpx API.

httpx's own pool degrades badly with many concurrent requests (encode/httpx#3215): in
our benchmark, 150 concurrent calls took 1.9-3.6 s through it and 0.17-0.23 s through
this transport. The client API, error mapping and fakes (``httpx.ASGITransport``) stay
the same; only the socket layer changes.
"""

from __future__ import annotations

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport


class UpstreamTransport(AiohttpTransport):
    """``httpx_aiohttp.AiohttpTransport`` with one correction to its error mapping.

    It reports every aiohttp connection error as ``httpx.ConnectTimeout``. Here a real
    timeout stays one; a connection that could not be opened (refused, no route, DNS)
    becomes ``httpx.ConnectError`` (the request never left); and a connection lost after
    the request was sent (server disconnected, reset) becomes ``httpx.RemoteProtocolError``
    (it may have arrived, so a POST must not be sent again).
    """

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await super().handle_async_request(request)
        except httpx.ConnectTimeout as exc:
            cause = exc.__cause__
            if isinstance(cause, TimeoutError):
                raise
            if isinstance(cause, aiohttp.ClientConnectorError):
                raise httpx.ConnectError(str(exc), request=request) from cause
            raise httpx.RemoteProtocolError(str(exc), request=request) from cause
