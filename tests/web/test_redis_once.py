"""Two app instances on one Redis: one click does one thing once across replicas; Redis
down is never an outage for cards; and a write without Redis's guarantee is refused
(nothing done, safe to try again), never done twice."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
import redis

from tests.support.redis import redis_on
from tests.support.replicas import CREATE, DEADLINE, EMAIL, LOCK_SECONDS, create_body, replicas
from tests.support.service import HEADERS, Service, running
from upsales_freshdesk.emulators.process import free_port
from upsales_freshdesk.web.redis_once import EPOCH_KEY, QUARANTINE_KEY


async def test_ten_creates_across_two_replicas_create_one_contact(redis_url: str) -> None:
    async with replicas(2, redis_url=redis_url) as (one, two):
        answers = await asyncio.gather(
            *(
                (one if i % 2 else two).http.post(
                    "/v1/actions/create-upsales", json=create_body(), headers=HEADERS
                )
                for i in range(10)
            )
        )
        assert [a.status_code for a in answers] == [200] * 10, [a.text for a in answers]
        assert len({a.json()["details"]["upsales_contact_id"] for a in answers}) == 1
        assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 9
        contacts = one.us.store.all("contacts")  # type: ignore[attr-defined]
        assert [(c.get("email") or "").lower() for c in contacts].count(EMAIL) == 1
        assert one.us.stats.by_route.get("POST /api/v2/contacts") == 1


async def test_a_replay_on_another_replica_answers_the_first_result(redis_url: str) -> None:
    async with replicas(2, redis_url=redis_url) as (one, two):
        first = await one.http.post(
            "/v1/actions/create-upsales", json=create_body(), headers=HEADERS
        )
        again = await two.http.post(
            "/v1/actions/create-upsales", json=create_body(), headers=HEADERS
        )
        assert first.status_code == again.status_code == 200
        assert again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize("refused", [True, False], ids=["closed-port", "silent"])
async def test_cards_answer_when_redis_is_down(
    refused: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """A closed port, or one that never answers: cards still answer 200, and the
    fallback is counted (and logged once, without the URL)."""
    server = None
    if refused:
        port = free_port()
    else:
        server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
    url = f"redis://:hunter2@127.0.0.1:{port}/0"
    async with running(redis_url=url) as service:
        for _ in range(3):
            resp = await service.card("found")
            assert resp.status_code == 200, resp.text
            assert resp.json()["status"] == "found"
            assert not resp.json().get("errors")
        write = await service.http.post(CREATE, json=create_body(), headers=HEADERS)
        assert_paused(write)
        metrics = (await service.http.get("/metrics")).text
    assert service.us.stats.by_route.get("POST /api/v2/contacts") is None
    if server is not None:
        server.close()
    counted = [
        line
        for line in metrics.splitlines()
        if line.startswith("ufd_redis_fallbacks_total") and not line.endswith(" 0.0")
    ]
    assert any('operation="throttle"' in line for line in counted), metrics
    assert any('operation="once"' in line for line in counted), metrics
    assert 'ufd_writes_refused_total{reason="redis_unavailable"} 1.0' in metrics
    logged = capsys.readouterr().out
    assert logged.count("redis_unavailable") == 1
    assert "hunter2" not in logged


def assert_paused(resp: httpx.Response, most: float = 5) -> float:
    """A refused write: 503, Retry-After, the code the app shows as "not saved, safe to
    try again"; the seconds to wait."""
    assert resp.status_code == 503, resp.text
    (issue,) = resp.json()["errors"]
    assert (issue["source"], issue["code"]) == ("service", "writes_paused")
    assert "safe to try again" in issue["message"]
    after = int(resp.headers["Retry-After"])
    assert 1 <= after <= most
    assert issue["retry_after"] == after
    assert "Idempotent-Replayed" not in resp.headers
    return after


def contacts_named(service: Service) -> int:
    contacts = service.us.store.all("contacts")  # type: ignore[attr-defined]
    return [(c.get("email") or "").lower() for c in contacts].count(EMAIL)


def click(key: str) -> dict[str, Any]:
    return {**create_body(), "idempotency_key": key}


async def in_flight(service: Service, calls_before: int) -> None:
    """Until a write has reached Upsales (it holds its lock and is writing)."""
    for _ in range(2500):  # 5 s
        if service.us.stats.total > calls_before:
            return
        await asyncio.sleep(0.002)
    raise AssertionError("the write never reached Upsales")


def quarantine_left(url: str) -> float:
    """Seconds until write locks are granted again."""
    with redis.Redis.from_url(url) as client:
        return max(0, int(client.pttl(QUARANTINE_KEY))) / 1000


async def test_redis_stopped_the_same_create_on_two_replicas_is_refused_not_doubled(
    redis_server: str,  # redis-server is installed (or the test skips; fails under CI)
) -> None:
    """Redis stops: the same create on both replicas at once is refused on both (nothing
    done, safe to try again), then again while one replica's create is in flight; after
    Redis comes back empty, writes wait out the quarantine, and the contact exists once."""
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    with redis_on(port) as server:
        async with replicas(2, redis_url=url, latency_ms=100, card_deadline_seconds=DEADLINE) as (
            one,
            two,
        ):
            server.terminate()
            server.wait(timeout=10)
            both = await asyncio.gather(
                one.http.post(CREATE, json=click("click-a-abcdef"), headers=HEADERS),
                two.http.post(CREATE, json=click("click-b-abcdef"), headers=HEADERS),
            )
            for resp in both:
                assert_paused(resp)
            assert contacts_named(one) == 0
            assert one.us.stats.by_route.get("POST /api/v2/contacts") is None
            for service in (one, two):
                metrics = (await service.http.get("/metrics")).text
                assert 'ufd_writes_refused_total{reason="redis_unavailable"} 1.0' in metrics
                assert (await service.card("found")).status_code == 200  # cards go on

    # Redis is back (empty, as after a restart without persistence) and one replica's
    # create is in flight when it stops again.
    with redis_on(port) as server:
        for service in (one, two):
            service.app.state.upstreams.once.guard.cooldown = 0.2
        await asyncio.sleep(0.25)
        async with replicas(2, redis_url=url, latency_ms=100, card_deadline_seconds=DEADLINE) as (
            one,
            two,
        ):
            for service in (one, two):
                service.app.state.upstreams.once.guard.cooldown = 0.2
            calls = one.us.stats.total
            first = asyncio.create_task(
                one.http.post(CREATE, json=click("click-c-abcdef"), headers=HEADERS)
            )
            await in_flight(one, calls)
            server.terminate()
            server.wait(timeout=10)
            second = await two.http.post(CREATE, json=click("click-d-abcdef"), headers=HEADERS)
            assert_paused(second)
            done = await first
            assert done.status_code == 200, done.text
            assert contacts_named(one) == 1

            with redis_on(port):  # back, empty: the lost lock is noticed
                await asyncio.sleep(0.25)  # the guards' cooldown
                again = await two.http.post(CREATE, json=click("click-d-abcdef"), headers=HEADERS)
                assert_paused(again, most=LOCK_SECONDS)
                metrics = (await two.http.get("/metrics")).text
                assert 'ufd_writes_refused_total{reason="redis_state_lost"} 1.0' in metrics
                await asyncio.sleep(quarantine_left(url))
                last = await two.http.post(CREATE, json=click("click-d-abcdef"), headers=HEADERS)
                # Not created twice: the contact is there already.
                assert last.status_code == 409, last.text
                assert last.json()["errors"][0]["code"] == "changed"
            assert contacts_named(one) == 1
            assert one.us.stats.by_route.get("POST /api/v2/contacts") == 1


@pytest.mark.parametrize("same_click", [True, False], ids=["same-click", "second-click"])
async def test_a_flush_while_a_create_is_in_flight_still_creates_one_contact(
    redis_url: str, same_click: bool
) -> None:
    """FLUSHALL drops the lock of a create in flight. The other replica's create is
    refused until that lock would have expired, so the contact is created once."""
    async with replicas(2, redis_url=redis_url, latency_ms=100, card_deadline_seconds=DEADLINE) as (
        one,
        two,
    ):
        calls = one.us.stats.total
        first = asyncio.create_task(
            one.http.post(CREATE, json=click("click-1-abcdef"), headers=HEADERS)
        )
        await in_flight(one, calls)
        with redis.Redis.from_url(redis_url) as client:
            client.flushall()
        body = click("click-1-abcdef" if same_click else "click-2-abcdef")
        both = await asyncio.gather(
            two.http.post(CREATE, json=body, headers=HEADERS),
            one.http.post(CREATE, json=body, headers=HEADERS),
        )
        for resp in both:
            assert_paused(resp, most=LOCK_SECONDS)
        with redis.Redis.from_url(redis_url) as client:
            assert client.exists(EPOCH_KEY)  # re-created, behind the quarantine
        assert 0 < quarantine_left(redis_url) <= LOCK_SECONDS
        done = await first
        assert done.status_code == 200, done.text
        assert contacts_named(one) == 1

        await asyncio.sleep(quarantine_left(redis_url))
        again = await two.http.post(CREATE, json=body, headers=HEADERS)
        if same_click:  # the first answer, remembered after the flush
            assert again.status_code == 200, again.text
            assert again.json() == done.json()
            assert again.headers["Idempotent-Replayed"] == "true"
        else:  # another click: it finds the contact there
            assert again.status_code == 409, again.text
            assert again.json()["errors"][0]["code"] == "changed"
        assert contacts_named(one) == 1
        assert one.us.stats.by_route.get("POST /api/v2/contacts") == 1


async def test_an_empty_redis_pauses_writes_for_one_lock_ttl(redis_url: str) -> None:
    """A replica starting on an empty Redis cannot tell a first start from a flush with a
    lock in flight: writes wait one lock TTL (cards do not)."""
    async with replicas(2, fresh=True, redis_url=redis_url, card_deadline_seconds=DEADLINE) as (
        one,
        two,
    ):
        assert (await one.card("found")).status_code == 200
        assert_paused(
            await two.http.post(CREATE, json=create_body(), headers=HEADERS), most=LOCK_SECONDS
        )
        await asyncio.sleep(quarantine_left(redis_url))
        done = await two.http.post(CREATE, json=create_body(), headers=HEADERS)
        assert done.status_code == 200, done.text
        assert contacts_named(one) == 1


async def test_a_write_that_outruns_its_lock_is_cut_off(redis_url: str) -> None:
    """A write still running 1 s before its lock expires is abandoned (a timeout, not
    remembered), so no write of ours runs on after its lock is gone; the lock is freed."""
    from upsales_freshdesk.clients.redis_guard import RedisGuard, connect
    from upsales_freshdesk.web.idempotency import Answer, LocalOnce
    from upsales_freshdesk.web.metrics import Metrics
    from upsales_freshdesk.web.redis_once import RedisOnce

    with redis.Redis.from_url(redis_url) as client:
        client.set(EPOCH_KEY, "earlier")
    guard = RedisGuard(connect(redis_url, timeout=1.0), timeout=1.0)
    once = RedisOnce(guard, LocalOnce(), Metrics(), wait=0.2)  # lock 2.2 s, cut at 1.2 s
    finished = []

    async def slow() -> Answer:
        await asyncio.sleep(10)
        finished.append(True)
        return Answer(200, {"status": "done"})

    try:
        started = time.monotonic()
        answer = await once.run("request", "resource", slow)
        took = time.monotonic() - started
        assert answer.status == 504
        assert answer.body["errors"][0]["code"] == "timeout"
        assert 1.0 < took < 2.2
        assert finished == []
        with redis.Redis.from_url(redis_url) as client:
            assert client.keys("ufd:once:*") == [EPOCH_KEY.encode()]  # unlocked, unremembered
    finally:
        await guard.aclose()
