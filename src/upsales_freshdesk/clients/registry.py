"""Where each account's throttle, retry budget and probe gate live, and how one
credential's calls take their turn.

One :class:`ThrottleRegistry` serves every client of a process (with Redis, its
subclass :class:`~.redis_budgets.SharedRegistry` keeps the state for every process).
:class:`Slot` is one credential's view of it: the HTTP core takes the slot's turn before
every attempt, and tells it whether the upstream took the credential.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from .accounts import MAX_ACCOUNTS, Bounded, account_key
from .daily import DailyCalls
from .policy import Deadline, RetryBudget
from .throttle import ProbeGate, Throttle

#: Credentials that have not worked yet keep their state (an Upsales token's throttle, a
#: probe lock, a refusal) in tables of this size apart from the working keys' state: a
#: flood of wrong keys pushes out only other untried keys' entries.
MAX_PROBATION = 1_000
#: On a shared account (a Freshdesk helpdesk), the probes of untried keys in flight plus
#: the probes refused within the window stay under this part of the plan: wrong keys can
#: take at most that much of the account's window, while a crowd of working keys (after
#: a restart, every key is untried) passes as fast as its probes are answered.
PROBATION_SHARE = 0.1
#: ... and never fewer than this many a window (a few replicas start at once).
PROBATION_MIN = 5
#: A probe waits at most this long for the gate; past that it is answered rate-limited
#: at once, so a flood of wrong keys cannot hold connections open to their deadlines.
PROBATION_MAX_WAIT = 1.0
#: A credential the upstream refused (401) is answered as refused, without a call, for
#: this long: a wrong key costs the account one call, not one per card.
REFUSED_SECONDS = 60.0


class CredentialRefused(Exception):
    """The upstream refused this credential a moment ago: answered without a call."""


class ThrottleRegistry:
    """Per-account throttles and retry budgets, shared by every client of a process.

    **One window per upstream account.** Every call of an account waits on the account's
    throttle, whichever key made it and whether that key has worked yet: a Freshdesk
    helpdesk's throttle is its host's (Freshdesk limits the account, all keys together),
    and an Upsales token's is its own (Upsales limits each key). With Redis the throttle
    lives under the same key in every process, so the upstream never sees two windows.

    **Wrong keys cannot starve working ones.** A credential is on probation until a call
    with it succeeds (:meth:`Slot.confirm`):

    - one call at a time probes it (:meth:`Slot.turn`); the other calls with it wait for
      the verdict instead of each spending a call;
    - on a shared account, probes also pass the account's :class:`ProbeGate`: probes in
      flight plus probes refused within the window stay under :data:`PROBATION_SHARE` of
      the plan, so wrong keys take at most that part of the window, and the rest stays
      the working keys'; a crowd of working keys passes as fast as it is answered;
    - a refused credential (401) is remembered for :data:`REFUSED_SECONDS`, and its calls
      are answered as refused without reaching the upstream;
    - untried credentials of an account (for Upsales: all untried tokens) share one retry
      budget, and their state is kept in tables of :data:`MAX_PROBATION` apart from the
      working keys', so a flood of wrong keys pushes out only other untried keys' state.
    """

    def __init__(
        self,
        capacity: int = MAX_ACCOUNTS,
        *,
        burst_share: int = 1,
        daily: DailyCalls | None = None,
    ) -> None:
        #: 1: a throttle's bucket holds the window's whole limit; 10: a tenth (smooth).
        self.burst_share = burst_share
        #: Upsales calls per token per day (Upsales bills above :data:`.daily.UPSALES_DAILY_CALLS`).
        self.daily = daily or DailyCalls()
        self._throttles: Bounded[Throttle] = Bounded(capacity)
        self._budgets: Bounded[RetryBudget] = Bounded(capacity)
        self._gates: Bounded[ProbeGate] = Bounded(capacity)
        self._verified: Bounded[bool] = Bounded(capacity)
        probation = min(capacity, MAX_PROBATION)
        #: Untried Upsales tokens' own throttles, until their first success.
        self._probation: Bounded[Throttle] = Bounded(probation)
        self._probes: Bounded[tuple[asyncio.AbstractEventLoop, asyncio.Lock]] = Bounded(probation)
        self._refused: Bounded[float] = Bounded(probation)

    def throttle(self, key: str, limit: int, window: float, *, own: bool = False) -> Throttle:
        """The throttle under ``key``; ``own``: an untried credential's own account's."""
        if own and key in self._throttles:
            own = False  # promoted: it has worked
        return (self._probation if own else self._throttles).use(
            key,
            lambda: self.new_throttle(key, limit, window),
            keep=lambda t: (t.limit, t.window) == (limit, window),
        )

    def budget(self, key: str) -> RetryBudget:
        return self._budgets.use(key, lambda: self.new_budget(key))

    def new_throttle(self, key: str, limit: int, window: float) -> Throttle:
        return Throttle(limit, window, burst=max(1, limit // self.burst_share))

    def new_budget(self, key: str) -> RetryBudget:
        return RetryBudget()

    def gate(self, key: str, limit: int, window: float) -> ProbeGate:
        """The probe gate of a shared account (see :class:`ProbeGate`)."""
        return self._gates.use(
            key,
            lambda: self.new_gate(key, limit, window),
            keep=lambda g: (g.limit, g.window) == (limit, window),
        )

    def new_gate(self, key: str, limit: int, window: float) -> ProbeGate:
        return ProbeGate(limit, window)

    def slot(self, service: str, account: str, secret: str, limit: int, window: float) -> Slot:
        """Where the calls of one credential wait and spend (see the class docstring).
        An empty ``account``: the credential is its own account."""
        return Slot(
            self,
            account_key(service, f"{account}\0{secret}"),
            account_key(service, account),
            limit,
            window,
            alone=not account,
            counted=service == "upsales",
        )

    def count_call(self, credential: str) -> None:
        """One call of a credential whose calls are counted per day is being sent."""
        self.daily.add(credential)

    async def load_daily(self, credential: str) -> None:
        """Learn what other processes counted today for ``credential`` (before a run)."""

    async def daily_counts(self) -> dict[str, int]:
        """Today's calls per counted credential, as far as this process can know."""
        return self.daily.counts()

    def verified(self, credential: str) -> bool:
        return credential in self._verified

    def verify(self, credential: str) -> None:
        self._verified.use(credential, lambda: True)
        self._refused.pop(credential, None)
        # The same throttle object (and Redis key) goes on: only its table changes.
        own = self._probation.pop(credential, None)
        if own is not None and credential not in self._throttles:
            self._throttles.use(credential, lambda: own)

    def probe_lock(self, credential: str) -> asyncio.Lock:
        """The lock one call of an untried credential probes under (per event loop)."""
        loop = asyncio.get_running_loop()
        _, lock = self._probes.use(
            credential, lambda: (loop, asyncio.Lock()), keep=lambda held: held[0] is loop
        )
        return lock

    def refused(self, credential: str) -> bool:
        until = self._refused.get(credential)
        return until is not None and time.monotonic() < until

    def refuse(self, credential: str) -> None:
        self._verified.pop(credential, None)
        until = time.monotonic() + REFUSED_SECONDS
        self._refused.use(credential, lambda: until, keep=lambda _: False)


@dataclass(slots=True)
class Slot:
    """One credential's view of the registry (see :class:`ThrottleRegistry`)."""

    registry: ThrottleRegistry
    credential: str
    account: str  # for a credential that is its own account: its service's untried ones
    limit: int
    window: float
    alone: bool = False
    #: Its calls count per day (Upsales).
    counted: bool = False

    @property
    def verified(self) -> bool:
        return self.registry.verified(self.credential)

    @property
    def throttle(self) -> Throttle:
        """The account's throttle: the one window every call of the account spends."""
        if self.alone:
            own = not self.verified
            return self.registry.throttle(self.credential, self.limit, self.window, own=own)
        return self.registry.throttle(self.account, self.limit, self.window)

    @property
    def gate(self) -> ProbeGate:
        """The shared account's probe gate: untried keys' part of its window."""
        share = max(PROBATION_MIN, math.floor(self.limit * PROBATION_SHARE))
        limit = max(1, min(self.limit // 2, share))
        return self.registry.gate(f"{self.account}:probation", limit, self.window)

    @property
    def budget(self) -> RetryBudget:
        if self.verified:
            return self.registry.budget(self.credential)
        return self.registry.budget(f"{self.account}:probation")

    @asynccontextmanager
    async def turn(self, deadline: Deadline) -> AsyncIterator[Throttle]:
        """Wait for this call's turn in the account's window; gives the throttle it took.

        A working credential only waits for the pace. An untried one waits for its probe
        lock: the first call probes, the others learn its verdict (a refused credential
        raises :class:`CredentialRefused` without a call).
        """
        if self.counted:
            self.registry.daily.check(self.credential)
        if self.verified:
            throttle = self.throttle
            await throttle.acquire(deadline)
            self._sending()
            yield throttle
            return
        lock = self.registry.probe_lock(self.credential)
        async with asyncio.timeout(deadline.remaining()):
            await lock.acquire()
        held, gate, ticket = True, None, None
        try:
            if self.registry.refused(self.credential):
                raise CredentialRefused
            if self.verified:  # another call proved it while this one waited
                lock.release()
                held = False
            elif not self.alone:
                entering = self.gate
                ticket = await entering.enter(deadline, PROBATION_MAX_WAIT)
                gate = entering  # left in the finally below, once entered
            throttle = self.throttle
            await throttle.acquire(deadline)
            self._sending()
            yield throttle  # the probe holds the lock until its answer is read
        finally:
            if held:
                lock.release()
            if gate is not None:
                gate.leave(ticket, refused=self.registry.refused(self.credential))

    def _sending(self) -> None:
        if self.counted:
            self.registry.count_call(self.credential)

    def confirm(self) -> None:
        """A call with this credential succeeded: it is real, and gets its own state."""
        if not self.registry.verified(self.credential):
            self.registry.verify(self.credential)

    def refuse(self) -> None:
        """The upstream refused this credential (401): remember it for a while."""
        self.registry.refuse(self.credential)


#: The process-wide registry used when a client is not given one.
DEFAULT_REGISTRY = ThrottleRegistry()
