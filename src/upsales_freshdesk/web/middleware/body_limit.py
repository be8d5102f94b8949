"""Request bodies: read whole before the app runs, within a size and a time limit.

A body over ``limit`` bytes is refused with 413, whether its length is declared or it
arrives chunked. A body whose next chunk does not arrive within ``timeout`` seconds is
refused with 408 (a slow client does not hold a worker). The app then gets the body as
one message.
"""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ...rules.codes import Code
from ..errors import error_bytes


class BodyLimit:
    def __init__(self, app: ASGIApp, limit: int, timeout: float = 10.0) -> None:
        self.app, self.limit, self.timeout = app, limit, timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.limit:
            await refuse(scope, send, 413, "invalid_request")
            return
        try:
            body = await self._read(receive)
        except _TooLarge:
            await refuse(scope, send, 413, "invalid_request")
            return
        except TimeoutError:
            await refuse(scope, send, 408, "timeout")
            return
        if body is None:
            return  # the client went away
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            async with asyncio.timeout(self.timeout):
                message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


class _TooLarge(Exception):
    pass


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: only a disconnect can come

    return replay


async def refuse(scope: Scope, send: Send, status: int, code: Code) -> None:
    """The error envelope, in the caller's language, sent below the framework."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    header = dict(scope.get("headers", [])).get(b"accept-language", b"").decode("latin-1")
    body = error_bytes("service", code, (query.get("locale") or [header])[0])
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status == 408:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
