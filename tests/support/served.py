"""An ASGI app on a real loopback socket, served by uvicorn in the test's own event loop."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any


@asynccontextmanager
async def serving(app: Any, **config: Any) -> AsyncIterator[str]:
    """``app`` served for the block on a free port, with uvicorn ``config`` on top of quiet
    logs and no lifespan; its base URL (``http://127.0.0.1:<port>``)."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    options: dict[str, Any] = {"log_level": "critical", "lifespan": "off", **config}
    server = uvicorn.Server(uvicorn.Config(app, **options))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@contextmanager
def in_a_thread(app: Any, *, within: float = 10, **config: Any) -> Iterator[int]:
    """``app`` served by uvicorn in a thread for the block, with uvicorn ``config`` on top
    of quiet logs and no lifespan; its port. It must have started ``within`` seconds."""
    import threading
    import time

    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    options: dict[str, Any] = {"log_level": "critical", "lifespan": "off", **config}
    server = uvicorn.Server(uvicorn.Config(app, **options))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    started = time.monotonic()
    while not server.started:
        if not thread.is_alive() or time.monotonic() - started > within:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def threaded(app: Any, protocol: type[asyncio.Protocol]) -> Iterator[int]:
    """``app`` served by uvicorn with ``protocol`` on uvloop (as ``serve`` and ``emulate``
    run) in a thread, for the block; its port."""
    with in_a_thread(app, loop="uvloop", http=protocol) as port:
        yield port


def answered_while_the_loop_is_busy(protocol: type[asyncio.Protocol]) -> bool:
    """One request served with ``protocol``. Once the app has sent its whole answer, it
    holds the event loop until this client has read that answer, for at most 5 s. True
    when the client read it in the meantime: the answer left when it was sent, not when
    the loop's turn ended.

    uvloop queues a small write until the end of the loop's current turn, so an answer
    finished in a busy turn waits for every other task that turn runs (``bench/card.py``
    showed fifty cards' answers leaving together)."""
    import threading

    read = threading.Event()
    outcome: list[bool] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]}
        )
        await send({"type": "http.response.body", "body": b"ok"})
        outcome.append(read.wait(5))  # blocks the loop's turn on purpose

    with (
        threaded(app, protocol) as port,
        socket.create_connection(("127.0.0.1", port), timeout=10) as client,
    ):
        client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = b""
        while not answer.endswith(b"\r\n\r\nok") and (chunk := client.recv(1024)):
            answer += chunk
        read.set()
    assert answer.startswith(b"HTTP/1.1 200"), answer
    return outcome == [True]
