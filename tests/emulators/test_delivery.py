"""The emulators' shared outbox, on its own: a retry schedule and an admission rule as a
vendor's outbox gives them, the faults, the log across a clear, and the controls."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import httpx
from starlette.applications import Starlette

from tests.support.sleeps import RecordingSleep
from upsales_freshdesk.emulators.delivery import (
    BaseDelivery,
    BaseOutbox,
    WebhookFaults,
    WebhookRequest,
    outbox_routes,
)

REQUEST = WebhookRequest("POST", "https://hooks.example/in", {}, b"{}")


@dataclass(slots=True, kw_only=True)
class Call(BaseDelivery):
    """A vendor's delivery: what set it off, and its own give-up rule."""

    source: str
    given_up: str | None = None

    def give_up(self, state: Literal["failed", "dropped"]) -> None:
        self.state, self.given_up = state, state

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "source": self.source, "state": self.state}


class Calls(BaseOutbox[Call]):
    def __init__(self, *, retry_delays: tuple[float, ...] = (), seed: int | None = None) -> None:
        super().__init__(timeout=1.0, retry_delays=retry_delays, seed=seed)
        self.sleep = self.waits = RecordingSleep()
        self.statuses: list[int] = []
        self.sender = self._answer
        self.admit = True

    async def _answer(self, request: WebhookRequest) -> int:
        return self.statuses.pop(0) if self.statuses else 200

    async def _admitted(self, delivery: Call) -> bool:
        if not self.admit:
            delivery.give_up("dropped")
        return self.admit

    def stage(self, source: str = "write") -> Call:
        return self._record(Call(id=self._next_id(), source=source, request=REQUEST))


async def test_the_retry_schedule_is_the_outboxs_and_giving_up_the_deliverys() -> None:
    outbox = Calls(retry_delays=(5.0, 30.0))
    outbox.statuses = [500, 502, 503]
    await outbox.start([outbox.stage()])
    await outbox.drain()
    (call,) = outbox.deliveries
    assert [a.status for a in call.attempts] == [500, 502, 503]
    assert (call.state, call.given_up) == ("failed", "failed")
    assert outbox.waits.waits == [5.0, 30.0]


async def test_without_a_schedule_a_call_is_made_once() -> None:
    outbox = Calls()
    outbox.statuses = [500]
    await outbox.start([outbox.stage()])
    await outbox.drain()
    (call,) = outbox.deliveries
    assert ([a.status for a in call.attempts], call.state) == ([500], "failed")
    assert outbox.waits.waits == []


async def test_a_call_not_admitted_is_never_sent() -> None:
    outbox = Calls(retry_delays=(5.0,))
    outbox.admit = False
    await outbox.start([outbox.stage()])
    await outbox.drain()
    (call,) = outbox.deliveries
    assert (call.state, call.given_up, call.attempts) == ("dropped", "dropped", [])


async def test_a_duplicate_is_a_fresh_copy_of_the_vendors_delivery() -> None:
    outbox = Calls()
    outbox.set_faults(WebhookFaults(duplicate=1))
    await outbox.start([outbox.stage("ticket 7")])
    await outbox.drain()
    first, twin = outbox.deliveries
    assert (twin.id, twin.source, twin.duplicate_of) == (2, "ticket 7", first.id)
    assert len(first.attempts) == len(twin.attempts) == 1
    assert first.attempts is not twin.attempts


async def test_a_dropped_call_is_given_up_by_its_delivery() -> None:
    outbox = Calls()
    outbox.set_faults(WebhookFaults(drop=1))
    await outbox.start([outbox.stage()])
    await outbox.drain()
    (call,) = outbox.deliveries
    assert (call.state, call.given_up, call.attempts) == ("dropped", "dropped", [])


async def test_a_call_staged_before_a_clear_is_not_sent_after_it() -> None:
    outbox = Calls()
    stale = outbox.stage()
    outbox.clear()
    fresh = outbox.stage()
    await outbox.start([stale, fresh])
    await outbox.drain()
    assert (stale.state, stale.attempts) == ("pending", [])
    assert fresh.state == "delivered"
    assert outbox.deliveries == [fresh]


async def test_a_seed_draws_the_same_shares_each_time_the_faults_are_set() -> None:
    async def drops(outbox: Calls) -> list[str]:
        outbox.set_faults(WebhookFaults(drop=0.5))
        staged = [outbox.stage() for _ in range(20)]
        await outbox.start(staged)
        await outbox.drain()
        return [c.state for c in staged]

    seeded = Calls(seed=3)
    first = await drops(seeded)
    assert await drops(seeded) == first
    assert 0 < first.count("dropped") < 20


async def test_the_controls_list_summaries_and_refuse_a_bad_pattern() -> None:
    outbox = Calls()
    app = Starlette(routes=outbox_routes(outbox))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        await outbox.start([outbox.stage("ticket 7")])
        drained = await client.post("/_emulator/webhooks/drain")
        assert drained.json() == [{"id": 1, "source": "ticket 7", "state": "delivered"}]
        bad = await client.post("/_emulator/webhooks/faults", json={"match": "("})
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "match"
        assert "not a regular expression" in bad.json()["errors"][0]["message"]
        set_ = await client.post("/_emulator/webhooks/faults", json={"reorder": 2})
        assert set_.json()["reorder"] == outbox.faults.reorder == 2
        assert (await client.get("/_emulator/webhooks/faults")).json() == set_.json()
