"""Every error class, provoked through the emulators' fault controls, on both services."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.support.emulated import FD_BASE, US_BASE
from tests.support.served import serving
from tests.support.sleeps import RecordingSleep
from upsales_freshdesk.clients import (
    ConnectionFailedError,
    Deadline,
    FreshdeskClient,
    HttpSettings,
    MalformedResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    ThrottleRegistry,
    UpsalesClient,
    UpstreamError,
    UpstreamTimeoutError,
    ValidationError,
)
from upsales_freshdesk.clients.transport import AiohttpWire, HttpxWire, WireSettings, WireTimeout
from upsales_freshdesk.emulators.base import Emulator
from upsales_freshdesk.emulators.faults import Faults
from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY, create_freshdesk_emulator
from upsales_freshdesk.emulators.scenarios import SCENARIOS
from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN, create_upsales_emulator

EMAIL = SCENARIOS["found"].email
Call = Callable[[Any], Awaitable[Any]]


def emulator(service: str) -> Emulator:
    return create_freshdesk_emulator() if service == "freshdesk" else create_upsales_emulator()


def client_for(
    service: str,
    *,
    policy: RetryPolicy,
    base_url: str,
    transport: httpx.AsyncBaseTransport | None = None,
    settings: HttpSettings | None = None,
    registry: ThrottleRegistry | None = None,
) -> Any:
    """The service's client at ``base_url``: over ``transport``, else over a real socket."""
    registry = registry or ThrottleRegistry()
    if service == "freshdesk":
        return FreshdeskClient(
            "demo",
            DEFAULT_KEY,
            base_url=base_url,
            policy=policy,
            transport=transport,
            settings=settings,
            registry=registry,
        )
    return UpsalesClient(
        DEFAULT_TOKEN,
        base_url=base_url,
        policy=policy,
        transport=transport,
        settings=settings,
        registry=registry,
    )


def make(
    service: str,
    *,
    policy: RetryPolicy,
    settings: HttpSettings | None = None,
    registry: ThrottleRegistry | None = None,
) -> tuple[Emulator, Any]:
    emu = emulator(service)
    client = client_for(
        service,
        policy=policy,
        base_url=FD_BASE if service == "freshdesk" else US_BASE,
        transport=httpx.ASGITransport(app=emu),
        settings=settings,
        registry=registry,
    )
    return emu, client


async def lookup(client: Any, deadline: Deadline | None = None) -> Any:
    """An idempotent call that carries personal data in its query string."""
    if isinstance(client, FreshdeskClient):
        return (
            [c async for c in client.contacts.list(email=EMAIL)]
            if deadline is None
            else (await client.contacts.search_by_email(EMAIL, deadline=deadline))
        )
    return await client.contacts.find_by_email(EMAIL, deadline=deadline)


def calls(emu: Emulator) -> int:
    return emu.stats.total


def assert_no_secrets(err: UpstreamError) -> None:
    text = f"{err!s} {err!r} {err.path} {err.message}"
    for secret in (DEFAULT_KEY, DEFAULT_TOKEN, EMAIL, "token="):
        assert secret not in text


SERVICES = ["freshdesk", "upsales"]

STATUS_CASES = [
    (500, ServerError, True),
    (502, ServerError, True),
    (503, ServerError, True),
    (400, ValidationError, False),
    (403, PermissionDeniedError, False),
    (404, NotFoundError, False),
]


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize(("status", "error", "retried"), STATUS_CASES)
async def test_status_faults_give_typed_errors(
    service: str, status: int, error: type[UpstreamError], retried: bool, policy: RetryPolicy
) -> None:
    emu, client = make(service, policy=policy)
    emu.faults.set(Faults(error_rates={status: 1.0}))
    with pytest.raises(error) as err:
        await lookup(client)
    assert err.value.status == status
    assert err.value.service == service
    assert calls(emu) == (policy.max_attempts if retried else 1)
    assert_no_secrets(err.value)


@pytest.mark.parametrize("service", SERVICES)
async def test_a_429_storm_is_ridden_out_within_budget(
    service: str, policy: RetryPolicy, sleeps: RecordingSleep
) -> None:
    registry = ThrottleRegistry()
    emu, client = make(service, policy=policy, registry=registry)
    emu.faults.set(Faults(storm={"count": 3, "retry_after": 0}))
    budget = client.core.budget  # the key is not known to work yet: its probation budget
    found = await lookup(client)
    assert found
    assert calls(emu) == 4
    assert len(sleeps.waits) == 3
    # The probation budget paid the retries.
    assert budget.tokens == budget.capacity - 3 * budget.retry_cost + budget.success_refund
    assert client.core.budget is not budget  # it works now: it has a budget of its own


@pytest.mark.parametrize("service", SERVICES)
async def test_retry_after_is_honoured(
    service: str, policy: RetryPolicy, sleeps: RecordingSleep
) -> None:
    emu, client = make(service, policy=policy)
    emu.faults.set(Faults(storm={"count": 1, "retry_after": 1}))
    assert await lookup(client)
    assert sleeps.waits
    assert sleeps.waits[0] >= 1.0


@pytest.mark.parametrize("service", SERVICES)
async def test_a_long_retry_after_is_reported_not_waited_past_the_deadline(
    service: str, policy: RetryPolicy
) -> None:
    emu, client = make(service, policy=policy)
    emu.faults.set(Faults(storm={"count": 100, "retry_after": 30}))
    with pytest.raises(RateLimitedError) as err:
        await lookup(client, Deadline.after(2.0))
    assert err.value.retry_after == 30
    assert calls(emu) == 1
    # The account is now paused: the next call fails at once, without a request.
    with pytest.raises(RateLimitedError) as again:
        await lookup(client, Deadline.after(2.0))
    assert again.value.status is None
    assert again.value.retry_after is not None
    assert calls(emu) == 1


@pytest.mark.parametrize("service", SERVICES)
async def test_a_storm_without_retry_after_backs_off_then_fails(
    service: str, policy: RetryPolicy, sleeps: RecordingSleep
) -> None:
    emu, client = make(service, policy=policy)
    emu.faults.set(Faults(storm={"count": 100, "retry_after": None}))
    with pytest.raises(RateLimitedError) as err:
        await lookup(client)
    assert err.value.retry_after is None
    assert calls(emu) == policy.max_attempts
    assert all(0 <= w <= policy.backoff_max for w in sleeps.waits)


@pytest.mark.parametrize("service", SERVICES)
async def test_a_hang_ends_at_the_deadline(service: str, policy: RetryPolicy) -> None:
    emu, client = make(service, policy=policy)
    emu.faults.set(Faults(hang=True, hang_seconds=30))
    started = time.monotonic()
    with pytest.raises(UpstreamTimeoutError) as err:
        await lookup(client, Deadline.after(0.3))
    assert time.monotonic() - started < 10  # the deadline ended it, not the 30 s hang
    assert calls(emu) == 1
    assert_no_secrets(err.value)


@pytest.mark.parametrize("service", SERVICES)
async def test_a_slow_drip_ends_at_the_deadline(service: str, policy: RetryPolicy) -> None:
    emu, client = make(service, policy=policy)
    emu.faults.set(Faults(drip={"chunk_bytes": 8, "interval_ms": 50}))
    with pytest.raises(UpstreamTimeoutError):
        await lookup(client, Deadline.after(0.4))


async def test_no_time_left_is_a_timeout_on_either_wire() -> None:
    """Even to an in-process fake that answers without yielding, a call with no time
    left is not sent (``asyncio.timeout(0)`` alone would let it through)."""
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    settings = WireSettings(connect_timeout=1.0, read_timeout=1.0, max_connections=1)
    wires = [HttpxWire(settings, httpx.MockTransport(handler)), AiohttpWire(settings)]
    for wire in wires:
        async with wire:
            with pytest.raises(WireTimeout):
                await wire.exchange(
                    "GET",
                    "http://127.0.0.1:9/x",
                    params=None,
                    headers={},
                    json_body=None,
                    cap=1000,
                    time_left=0,
                )
    assert sent == []


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize(
    "fault",
    [{"hang": True, "hang_seconds": 30}, {"drip": {"chunk_bytes": 8, "interval_ms": 50}}],
    ids=["hang", "drip"],
)
async def test_the_real_wire_ends_a_call_at_its_deadline(
    service: str, fault: dict[str, Any], policy: RetryPolicy
) -> None:
    """Over a socket, through aiohttp (no ``transport``): the wire keeps the deadline,
    so a hang or a drip ends at it, not at the 10 s read timeout (a drip never reaches
    that: a chunk comes every 50 ms)."""
    emu = emulator(service)
    emu.faults.set(Faults.model_validate(fault))
    async with serving(emu, timeout_graceful_shutdown=1) as url:
        real = client_for(service, policy=policy, base_url=f"{url}/api/v2/")
        async with real:
            started = time.monotonic()
            with pytest.raises(UpstreamTimeoutError):
                await lookup(real, Deadline.after(0.4))
            assert time.monotonic() - started < 3
    assert calls(emu) == 1


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ({"malformed": True}, "not_json"),
        ({"truncated": True}, "truncated"),
        ({"oversized_bytes": 200_000}, "too_large"),
    ],
)
async def test_damaged_answers_are_malformed(
    service: str, fault: dict[str, Any], reason: str, policy: RetryPolicy
) -> None:
    settings = HttpSettings(max_response_bytes=100_000)
    emu, client = make(service, policy=policy, settings=settings)
    emu.faults.set(Faults.model_validate(fault))
    with pytest.raises(MalformedResponseError) as err:
        await lookup(client)
    assert err.value.reason == reason
    assert calls(emu) == 1
    assert_no_secrets(err.value)


@pytest.mark.parametrize("service", SERVICES)
async def test_a_connection_reset_is_retried_then_reported(
    service: str, policy: RetryPolicy
) -> None:
    emu, client = make(service, policy=policy)
    emu.faults.set(Faults(reset=True))
    with pytest.raises(ConnectionFailedError) as err:
        await lookup(client)
    assert err.value.status is None
    assert calls(emu) == policy.max_attempts
    assert_no_secrets(err.value)


@pytest.mark.parametrize("service", SERVICES)
async def test_the_retry_budget_stops_retry_storms(service: str, policy: RetryPolicy) -> None:
    emu, client = make(service, policy=policy)
    client.core.budget.tokens = 2 * client.core.budget.retry_cost
    emu.faults.set(Faults(error_rates={500: 1.0}))
    with pytest.raises(ServerError):
        await lookup(client)
    assert calls(emu) == 3  # two retries were affordable
    with pytest.raises(ServerError):
        await lookup(client)
    assert calls(emu) == 4  # the empty budget allowed none


@pytest.mark.parametrize("service", SERVICES)
async def test_retries_stop_at_the_deadline(service: str, sleeps: RecordingSleep) -> None:
    slow_policy = RetryPolicy(max_attempts=10, backoff_base=0.3, backoff_max=0.3, sleep=sleeps)
    emu, client = make(service, policy=slow_policy)
    emu.faults.set(Faults(error_rates={500: 1.0}, latency_ms=150))
    with pytest.raises(ServerError):
        await lookup(client, Deadline.after(0.5))
    assert calls(emu) < 10


async def test_unreachable_upstream_is_a_connection_failure(policy: RetryPolicy) -> None:
    async with UpsalesClient(
        DEFAULT_TOKEN,
        base_url="http://127.0.0.1:9/api/v2/",
        policy=policy,
        registry=ThrottleRegistry(),
    ) as client:
        with pytest.raises(ConnectionFailedError) as err:
            await client.self_info()
    assert err.value.path == "/self"


def _fixed(status: int, body: bytes, ctype: str = "application/json") -> httpx.MockTransport:
    return httpx.MockTransport(
        lambda req: httpx.Response(status, content=body, headers={"content-type": ctype})
    )


def _upsales_answering(
    status: int, body: bytes, policy: RetryPolicy, ctype: str = "application/json"
) -> UpsalesClient:
    """An Upsales client whose every call gets this one answer."""
    return UpsalesClient(
        DEFAULT_TOKEN,
        base_url=US_BASE,
        transport=_fixed(status, body, ctype),
        policy=policy,
        registry=ThrottleRegistry(),
    )


@pytest.mark.parametrize(
    "body",
    [
        b'{"error": null, "metadata": {"total": 1}, "data": {"id": 1}}',
        b'{"error": null, "data": [{"name": "no id"}], "metadata": {"total": 1}}',
        b"[]",
    ],
)
async def test_wrong_shapes_are_malformed(body: bytes, policy: RetryPolicy) -> None:
    async with _upsales_answering(200, body, policy) as client:
        with pytest.raises(MalformedResponseError) as err:
            await client.contacts.find_by_email(EMAIL)
    assert err.value.reason == "wrong_shape"


async def test_an_unexpected_redirect_is_not_followed(policy: RetryPolicy) -> None:
    transport = httpx.MockTransport(
        lambda req: httpx.Response(302, headers={"location": "http://169.254.169.254/latest"})
    )
    async with FreshdeskClient(
        "demo",
        DEFAULT_KEY,
        base_url=FD_BASE,
        transport=transport,
        policy=policy,
        registry=ThrottleRegistry(),
    ) as client:
        with pytest.raises(MalformedResponseError) as err:
            await client.agents.me()
    assert err.value.status == 302


async def test_upsales_401_as_plain_text_and_as_json(policy: RetryPolicy) -> None:
    from upsales_freshdesk.clients import AuthenticationError

    for body, ctype in (
        (b"Unauthorized", "text/plain"),
        (b'{"error": {"key": "Unauthorized", "code": 401, "msg": "No key"}}', "application/json"),
    ):
        async with _upsales_answering(401, body, policy, ctype) as client:
            with pytest.raises(AuthenticationError):
                await client.self_info()


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"error": null, "data": {"id": 1, "name": "ok"', "not_json"),
        (b"<html>maintenance</html>", "not_json"),
        (b'{"error": "forbidden", "data": {"id": 1}}', "wrong_shape"),
        (b'{"error": null, "data": null}', "wrong_shape"),
        (b'{"error": null}', "wrong_shape"),
    ],
)
async def test_a_record_is_validated_from_the_bytes_or_refused(
    body: bytes, reason: str, policy: RetryPolicy
) -> None:
    """One record is validated straight from the answer's bytes: a cut or garbled body
    and a body of another shape are told apart, with the call's status and path."""
    async with _upsales_answering(200, body, policy) as client:
        with pytest.raises(MalformedResponseError) as err:
            await client.accounts.get(1)
    assert (err.value.reason, err.value.status, err.value.path) == (reason, 200, "/accounts/1")


@pytest.mark.parametrize("number", [b"NaN", b"Infinity", b"-Infinity", b"1e400"])
async def test_a_number_that_json_does_not_have_is_refused(
    number: bytes, policy: RetryPolicy
) -> None:
    """Not JSON, but some parsers take them: a deal worth NaN is a malformed answer."""
    body = b'{"error": null, "metadata": {"total": 1}, "data": [{"id": 1, "value": %s}]}'
    async with _upsales_answering(200, body % number, policy) as client:
        with pytest.raises(MalformedResponseError) as err:
            await client.orders.for_contact(1, kind="order")
    assert err.value.reason in ("not_json", "wrong_shape")
