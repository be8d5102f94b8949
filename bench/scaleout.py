"""Scale-out benchmark: one replica vs four, with and without Redis, at three times the plan.

Every replica is an ``upsales-freshdesk serve`` process; agents' cards (all on one
Freshdesk account, each agent with its own Upsales key) are sent to the replicas in
turn, open-loop, at ``--load`` times the Freshdesk plan for ``--seconds``. The Freshdesk
plan and its window are scaled down (``--plan`` calls per ``--window`` seconds, on the
emulator and in the service alike) so a run takes seconds, not minutes.

Printed per setup: the most calls the emulator saw in one of its windows against the
plan, the 429s it answered, the cards that showed an error, and the cards' p50/p95.

    .venv/bin/python bench/scaleout.py [--plan 20] [--window 2] [--seconds 3] [--load 3]

Also the harness of ``tests/web/test_scaleout.py``. ``redis-server`` must be installed
(``apt-get install redis-server``) for the Redis rows.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY
from upsales_freshdesk.emulators.process import free_port
from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN

HOST = "127.0.0.1"
SECRET = "scaleout-service-secret-0123456789"  # noqa: S105 - loopback test processes
REDIS_SERVER = Path("/usr/bin/redis-server")
AGENTS = 16  # Upsales keys: Upsales' own 200 calls / 10 s per key is not what is measured


def tokens(count: int = AGENTS) -> list[str]:
    return [f"{DEFAULT_TOKEN}-{i}" for i in range(count)]


# -- the emulators, in a child process, with a probe of the Freshdesk windows -------------


class Probe:
    """ASGI wrapper of the Freshdesk emulator: when each API call arrived, and its status."""

    def __init__(self, app: Any, window: float) -> None:
        self.app, self.window = app, window
        self.calls: list[tuple[float, int]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/_probe/reset":
            self.calls.clear()
            scope = {**scope, "path": "/_probe"}
        if scope["type"] == "http" and scope["path"] == "/_probe":
            from starlette.responses import JSONResponse

            report = JSONResponse({"window": self.window, "calls": self.calls})
            await report(scope, receive, send)
            return
        if scope["type"] != "http" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        arrived = time.monotonic()

        async def record(message: Any) -> None:
            if message["type"] == "http.response.start":
                self.calls.append((arrived, message["status"]))
            await send(message)

        await self.app(scope, receive, record)


def serve_emulators(fd_port: int, us_port: int, plan: int, window: float) -> None:
    """The child: Freshdesk on ``plan`` calls per ``window`` s, Upsales with many keys."""
    import uvicorn

    from upsales_freshdesk.emulators.freshdesk.app import create_freshdesk_emulator
    from upsales_freshdesk.emulators.upsales.app import create_upsales_emulator

    fd = Probe(create_freshdesk_emulator(plan=plan, window=window, keys={DEFAULT_KEY}), window)
    us = create_upsales_emulator(tokens=set(tokens()))
    servers = [
        uvicorn.Server(
            uvicorn.Config(app, host=HOST, port=port, log_level="warning", lifespan="off")
        )
        for app, port in ((fd, fd_port), (us, us_port))
    ]

    async def both() -> None:
        await asyncio.gather(*(s.serve() for s in servers))

    asyncio.run(both())


@dataclass(frozen=True, slots=True)
class Windows:
    """The Freshdesk emulator's view: calls per fixed window (as it counts them)."""

    plan: int
    most: int
    refused: int
    counts: list[int]


def windows_of(calls: list[tuple[float, int]], window: float, plan: int) -> Windows:
    """Replay the emulator's fixed windows: each starts at the first call after the last."""
    counts: list[int] = []
    start = None
    for arrived, _ in sorted(calls):
        if start is None or arrived - start >= window:
            start = arrived
            counts.append(0)
        counts[-1] += 1
    refused = sum(1 for _, status in calls if status == 429)
    return Windows(plan, max(counts, default=0), refused, counts)


# -- processes --------------------------------------------------------------------------


def answers_http(url: str) -> Callable[[], object]:
    return lambda: httpx.get(url, timeout=1.0)


def answers_redis(url: str) -> Callable[[], object]:
    import redis

    def ping() -> object:
        with redis.Redis.from_url(url, socket_timeout=1.0) as client:
            return client.ping()

    return ping


def _wait_for(ready: Callable[[], object], proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20.0
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}")
        try:
            ready()
            return
        except Exception as exc:  # not up yet (HTTP or Redis refuses)
            if time.monotonic() > deadline:
                raise RuntimeError(f"{proc.args!r} did not start") from exc
            time.sleep(0.05)


@contextmanager
def child(
    args: list[str], ready: Callable[[], object], env: dict[str, str] | None = None
) -> Iterator[None]:
    logs = os.environ.get("SCALEOUT_LOGS")  # a directory for the children's output
    sink: Any = subprocess.DEVNULL
    if logs:
        sink = (Path(logs) / f"{Path(args[0]).name}-{free_port()}.log").open("wb")
    proc = subprocess.Popen(args, env=env, stdout=sink, stderr=subprocess.STDOUT)
    try:
        _wait_for(ready, proc)
        yield
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@contextmanager
def redis_server() -> Iterator[str]:
    port = free_port()
    args = [str(REDIS_SERVER), "--port", str(port), "--bind", HOST, "--save", ""]
    url = f"redis://{HOST}:{port}/0"
    with child([*args, "--appendonly", "no"], answers_redis(url)):
        yield url


@dataclass
class Setup:
    plan: int
    window: float
    fd_port: int = field(default_factory=free_port)
    us_port: int = field(default_factory=free_port)
    replicas: list[str] = field(default_factory=list)


@contextmanager
def scaled(plan: int, window: float, replicas: int, redis_url: str | None) -> Iterator[Setup]:
    """The emulators and ``replicas`` serve processes, on a scaled Freshdesk window."""
    setup = Setup(plan, window)
    emulators = [sys.executable, str(Path(__file__).resolve()), "--emulators"]
    emulators += [str(setup.fd_port), str(setup.us_port), str(plan), str(window)]
    env = {
        **os.environ,
        "UFD_FRESHDESK_BASE_URL": f"http://{HOST}:{setup.fd_port}/api/v2/",
        "UFD_UPSALES_BASE_URL": f"http://{HOST}:{setup.us_port}/api/v2/",
        "UFD_FRESHDESK_PLAN": str(plan),
        "UFD_FRESHDESK_WINDOW_SECONDS": str(window),
        "UFD_SERVICE_SECRET": SECRET,
    }
    env.pop("UFD_REDIS_URL", None)
    if redis_url is not None:
        env["UFD_REDIS_URL"] = redis_url
    with ExitStack() as stack:
        probe = f"http://{HOST}:{setup.fd_port}/_probe"
        stack.enter_context(child(emulators, answers_http(probe)))
        for _ in range(replicas):
            port = free_port()
            serve = [sys.executable, "-m", "upsales_freshdesk", "serve", "--port", str(port)]
            base = f"http://{HOST}:{port}"
            stack.enter_context(child(serve, answers_http(f"{base}/metrics"), env))
            setup.replicas.append(base)
        yield setup


# -- the agents ---------------------------------------------------------------------------


def card_body() -> dict[str, Any]:
    """The card request of the "found" scenario (one Freshdesk call, four Upsales calls)."""
    from upsales_freshdesk.emulators.freshdesk.store import FreshdeskStore
    from upsales_freshdesk.emulators.scenarios import SCENARIOS

    store = FreshdeskStore(1)
    ticket = store.tickets[SCENARIOS["found"].ticket_id]
    person = store.contacts[ticket["requester_id"]]
    requester = {k: person[k] for k in ("id", "email", "name", "phone", "mobile")}
    company = store.companies.get(person["company_id"])
    body: dict[str, Any] = {
        "ticket": {"id": ticket["id"], "subject": ticket["subject"]},
        "requester": requester,
        "locale": "en",
    }
    if company:
        body["company"] = {"id": company["id"], "name": company["name"]}
    return body


@dataclass
class Result:
    seconds: list[float] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    #: What the cards sent with a wrong Freshdesk key showed.
    wrong_key_codes: list[str] = field(default_factory=list)

    def pct(self, q: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0


async def drive(
    setup: Setup, load: float, seconds: float, *, warm: bool = True, wrong_every: int = 0
) -> Result:
    """Cards at ``load`` x the plan (one Freshdesk call each), open-loop, for ``seconds``.

    ``warm``: each replica answers one card first (its connections open, its code warms
    up, its key is proved), and the run starts once that call has left the window. Cold:
    the run starts on replicas that have made no call yet. ``wrong_every``: every Nth card
    comes with one of three wrong Freshdesk keys (untried, then refused).
    """
    rate = load * setup.plan / setup.window
    body, keys, result = card_body(), tokens(), Result()

    async def one(i: int, http: httpx.AsyncClient) -> None:
        wrong = wrong_every and i % wrong_every == wrong_every - 1
        headers = {
            "Authorization": f"Bearer {SECRET}",
            "X-Freshdesk-Domain": "demo.freshdesk.com",
            "X-Freshdesk-Api-Key": f"wrong-key-{i % 3}" if wrong else DEFAULT_KEY,
            "X-Upsales-Token": keys[i % len(keys)],
        }
        url = setup.replicas[i % len(setup.replicas)] + "/v1/card"
        started = time.perf_counter()
        resp = await http.post(url, json=body, headers=headers)
        result.seconds.append(time.perf_counter() - started)
        result.statuses.append(resp.status_code)
        data = resp.json()
        codes = [f"{e['source']}:{e['code']}" for e in data.get("errors") or []]
        (result.wrong_key_codes if wrong else result.codes).extend(codes)

    limits = httpx.Limits(max_connections=500, max_keepalive_connections=500)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        if warm:
            await asyncio.gather(*(one(i, http) for i in range(len(setup.replicas))))
            await asyncio.sleep(setup.window * 1.5)
        (await http.post(f"http://{HOST}:{setup.fd_port}/_probe/reset")).raise_for_status()
        result.seconds, result.statuses, result.codes = [], [], []  # warm-up is not counted
        started, tasks = time.perf_counter(), []
        for i in range(round(rate * seconds)):
            await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(one(i, http)))
        await asyncio.gather(*tasks)
    return result


def observed(setup: Setup) -> Windows:
    data = httpx.get(f"http://{HOST}:{setup.fd_port}/_probe").json()
    return windows_of([(a, s) for a, s in data["calls"]], data["window"], setup.plan)


def fallbacks(setup: Setup) -> float:
    total = 0.0
    for base in setup.replicas:
        text = httpx.get(f"{base}/metrics", headers={"Authorization": f"Bearer {SECRET}"}).text
        for line in text.splitlines():
            if line.startswith("ufd_redis_fallbacks_total"):
                total += float(line.rsplit(" ", 1)[1])
    return total


def main() -> None:
    if len(sys.argv) == 6 and sys.argv[1] == "--emulators":
        fd_port, us_port, plan, window = sys.argv[2:]
        serve_emulators(int(fd_port), int(us_port), int(plan), float(window))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plan", type=int, default=20, help="Freshdesk calls per window")
    parser.add_argument("--window", type=float, default=2.0, help="seconds (Freshdesk: 60)")
    parser.add_argument("--seconds", type=float, default=3.0, help="how long to send cards")
    parser.add_argument("--load", type=float, default=3.0, help="times the plan")
    args = parser.parse_args()
    print(
        f"plan {args.plan} calls / {args.window:g} s window; cards at {args.load:g}x the plan "
        f"for {args.seconds:g} s ({os.cpu_count()} CPUs)\n"
    )
    print(
        f"{'setup':<22}{'most/window':>12}{'429s':>6}{'cards':>7}{'errors':>8}"
        f"{'p50 s':>8}{'p95 s':>8}"
    )
    with redis_server() if REDIS_SERVER.exists() else _no_redis() as url:
        for replicas, redis in ((1, False), (4, False), (1, True), (4, True)):
            if redis and url is None:
                continue
            with scaled(args.plan, args.window, replicas, url if redis else None) as setup:
                result = asyncio.run(drive(setup, args.load, args.seconds))
                seen = observed(setup)
            name = f"{replicas} replica{'s' if replicas > 1 else ''}, " + (
                "Redis" if redis else "no Redis"
            )
            print(
                f"{name:<22}{f'{seen.most}/{seen.plan}':>12}{seen.refused:>6}"
                f"{len(result.statuses):>7}{len(result.codes):>8}"
                f"{result.pct(0.5):>8.2f}{result.pct(0.95):>8.2f}"
            )
    print("\n429s: answered by the emulator; errors: issues shown on cards (any kind).")


@contextmanager
def _no_redis() -> Iterator[None]:
    print("(redis-server is not installed: the Redis rows are skipped)")
    yield None


if __name__ == "__main__":
    main()
