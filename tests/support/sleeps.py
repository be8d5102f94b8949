"""A stand-in for ``asyncio.sleep`` between retries."""

from __future__ import annotations


class RecordingSleep:
    """Stands in for asyncio.sleep between retries: records each wait, waits for none."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
