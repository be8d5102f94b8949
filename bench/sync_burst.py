"""Agents first: the card's latency during a 50-agent burst, without and with a full-speed
sync on the same Freshdesk account, both spending from one Redis.

One run, side by side: the emulators (``emulate --latency-ms``, Freshdesk's real 60 s
window), Redis, one ``serve`` and, for the second half, ``upsales-freshdesk sync`` on the
same account and Upsales key as the agents' first token, all as separate processes.
Each burst is 50 cards at once (one per agent, each agent with its own Upsales key);
bursts are ``--gap`` seconds apart. Printed: the cards' p50 and p95 without the sync (the
floor) and with it, their ratio, the Freshdesk calls the sync made meanwhile, and the 429s
both emulators answered.

    .venv/bin/python bench/sync_burst.py [--bursts 4] [--gap 0.5] [--latency-ms 100]

``redis-server`` must be installed (``apt-get install redis-server``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from scaleout import HOST, SECRET, Result, answers_http, card_body, child, redis_server

from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY
from upsales_freshdesk.emulators.process import free_port
from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN

AGENTS = 50
PLAN = "enterprise"  # 700 calls a minute


async def bursts(
    base: str, count: int, gap: float, alongside: Callable[[], bool] = lambda: False
) -> tuple[Result, int]:
    """``count`` bursts; also how many started while ``alongside()`` (the sync) ran."""
    body, result, overlapped = card_body(), Result(), 0

    async def one(i: int, http: httpx.AsyncClient) -> None:
        headers = {
            "Authorization": f"Bearer {SECRET}",
            "X-Freshdesk-Domain": "demo.freshdesk.com",
            "X-Freshdesk-Api-Key": DEFAULT_KEY,
            "X-Upsales-Token": f"{DEFAULT_TOKEN}-{i + 1}",
        }
        started = time.perf_counter()
        resp = await http.post(f"{base}/v1/card", json=body, headers=headers)
        result.seconds.append(time.perf_counter() - started)
        result.statuses.append(resp.status_code)
        result.codes += [f"{e['source']}:{e['code']}" for e in resp.json().get("errors") or []]

    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        for n in range(count):
            if n:
                await asyncio.sleep(gap)
            overlapped += alongside()
            await asyncio.gather(*(one(i, http) for i in range(AGENTS)))
    return result, overlapped


def stats(url: str) -> dict[str, Any]:
    data: dict[str, Any] = httpx.get(f"{url}/_emulator/stats").json()
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bursts", type=int, default=4)
    parser.add_argument("--gap", type=float, default=0.5, help="seconds between bursts")
    parser.add_argument("--latency-ms", type=float, default=100.0)
    args = parser.parse_args()
    fd_port, us_port, port = free_port(), free_port(), free_port()
    fd_url, us_url = f"http://{HOST}:{fd_port}", f"http://{HOST}:{us_port}"
    exe = [sys.executable, "-m", "upsales_freshdesk"]
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        redis_url = stack.enter_context(redis_server())
        emulate = [*exe, "emulate", "--freshdesk-port", str(fd_port)]
        emulate += ["--upsales-port", str(us_port), "--plan", PLAN]
        emulate += ["--latency-ms", str(args.latency_ms), "--extra-upsales-tokens", str(AGENTS)]
        stack.enter_context(child(emulate, answers_http(f"{fd_url}/_emulator/stats")))
        env = {
            **os.environ,
            "UFD_FRESHDESK_BASE_URL": f"{fd_url}/api/v2/",
            "UFD_UPSALES_BASE_URL": f"{us_url}/api/v2/",
            "UFD_FRESHDESK_PLAN": PLAN,
            "UFD_SERVICE_SECRET": SECRET,
            "UFD_REDIS_URL": redis_url,
        }
        serve = [*exe, "serve", "--port", str(port)]
        base = f"http://{HOST}:{port}"
        stack.enter_context(child(serve, answers_http(f"{base}/healthz"), env))
        asyncio.run(bursts(base, 1, 0))  # connections open, keys proved: not counted
        floor, _ = asyncio.run(bursts(base, args.bursts, args.gap))
        sync_env = {
            **env,
            "UFD_SYNC_FRESHDESK_DOMAIN": "demo",
            "UFD_SYNC_FRESHDESK_API_KEY": DEFAULT_KEY,
            "UFD_SYNC_UPSALES_TOKEN": f"{DEFAULT_TOKEN}-1",
            "UFD_SYNC_FRESHDESK_BASE_URL": f"{fd_url}/api/v2/",
            "UFD_SYNC_UPSALES_BASE_URL": f"{us_url}/api/v2/",
            "UFD_SYNC_FRESHDESK_PLAN": PLAN,
            "UFD_SYNC_CREATE_MISSING": "true",
            "UFD_SYNC_STATE_PATH": str(Path(tmp) / "sync.sqlite3"),
        }
        before = stats(fd_url)["total"]
        sync = subprocess.Popen(
            [*exe, "sync"], env=sync_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            while stats(fd_url)["total"] < before + 5 and sync.poll() is None:
                time.sleep(0.05)  # until the sync is under way (past its start and checks)
            during, overlapped = asyncio.run(
                bursts(base, args.bursts, args.gap, lambda: sync.poll() is None)
            )
        finally:
            sync.terminate()
            sync.wait(timeout=30)
        cards_calls = AGENTS * args.bursts
        sync_calls = stats(fd_url)["total"] - before - cards_calls
        refused = sum(stats(u)["by_status"].get("429", 0) for u in (fd_url, us_url))
    print(
        f"{AGENTS} agents a burst, {args.bursts} bursts {args.gap:g} s apart, "
        f"{args.latency_ms:g} ms a call, Freshdesk plan {PLAN} ({os.cpu_count()} CPUs)\n"
    )
    print(f"{'':<22}{'p50 s':>8}{'p95 s':>8}{'issues':>8}")
    for name, result in (("cards alone (floor)", floor), ("cards during the sync", during)):
        print(f"{name:<22}{result.pct(0.5):>8.3f}{result.pct(0.95):>8.3f}{len(result.codes):>8}")
    print(f"\np50 ratio (during / floor): {during.pct(0.5) / floor.pct(0.5):.2f}x (goal <= 1.3x)")
    print(f"p95 ratio (during / floor): {during.pct(0.95) / floor.pct(0.95):.2f}x")
    print(
        f"Freshdesk calls the sync made meanwhile: {sync_calls}; it was running at the start "
        f"of {overlapped} of the {args.bursts} bursts"
    )
    print(f"429s answered by the emulators: {refused}")


if __name__ == "__main__":
    main()
