"""Which Upsales contacts hold each email an incremental run is about to write.

An incremental run reads only what changed, so it cannot count shared emails in its own
batch. It asks Upsales, :data:`EMAIL_BATCH` emails a call (``email=eq:a,b,...``), and
counts the holders per email. The calls start together, a few at a time, before the
writes, so that the first writes wait only for the first answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from ..clients import Filters, UpsalesClient, canonical_email, is_email

#: Emails asked about per Upsales call.
EMAIL_BATCH = 50
#: Upsales calls of this kind in flight at once (Upsales' own throttle paces them too).
PARALLEL = 4

Holders = dict[str, set[int]]


class Owners:
    """Holders of each email, fetched in batches; :meth:`of` waits for its batch only."""

    def __init__(self, upsales: UpsalesClient, emails: Sequence[str]) -> None:
        self.upsales = upsales
        self._gate = asyncio.Semaphore(PARALLEL)
        unique = list(dict.fromkeys(emails))
        batches = [unique[i : i + EMAIL_BATCH] for i in range(0, len(unique), EMAIL_BATCH)]
        self._tasks = [asyncio.create_task(self._ask(b)) for b in batches]
        self._task_of = {e: t for b, t in zip(batches, self._tasks, strict=True) for e in b}

    async def _ask(self, emails: list[str]) -> Holders:
        async with self._gate:
            holders: Holders = {e: set() for e in emails}
            async for c in self.upsales.contacts.iterate(Filters().eq("email", *emails)):
                raw = c.email or ""
                if is_email(raw) and (email := canonical_email(raw)) in holders:
                    holders[email].add(c.id)
            return holders

    async def of(self, email: str) -> set[int]:
        """The Upsales ids that hold ``email`` (one of the emails given at the start)."""
        task = self._task_of.get(email)
        if task is None:  # not announced: ask on its own
            task = self._task_of[email] = asyncio.create_task(self._ask([email]))
            self._tasks.append(task)
        return (await asyncio.shield(task))[email]

    async def close(self) -> None:
        """Cancel what is still asked, and collect every outcome (no stray warnings)."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
