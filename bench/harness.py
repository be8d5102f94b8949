"""What the in-process benchmarks of the background work share (``push.py``,
``timeline.py``): a call to an emulator passed through with its request body and its
answer's status seen, and the figures printed one a line, each next to its goal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


async def pass_through(
    app: Any, scope: Any, receive: Any, send: Any, *, read_body: bool
) -> tuple[bytes, int]:
    """One HTTP call to ``app``: its request body (read first, then given to ``app`` as it
    came, when ``read_body``; else ``b""``) and its answer's status."""
    body = b""
    if read_body:
        chunks: list[bytes] = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
    given = not read_body

    async def replay() -> dict[str, Any]:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    status = 0

    async def watch(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        await send(message)

    await app(scope, replay, watch)
    return body, status


def print_figures(
    rows: Sequence[tuple[str, str, str]], *, name_width: int, value_width: int
) -> None:
    """A figure a line: its name, its value, and its goal where it has one."""
    for name, value, goal in rows:
        print(f"  {name:<{name_width}} {value:>{value_width}}   {'goal: ' + goal if goal else ''}")
