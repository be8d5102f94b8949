"""What the HTTP stack costs per upstream call: the core's wire for real upstreams
(aiohttp, ``clients/transport.py``) beside plain aiohttp, httpx's own pool, and httpx
over aiohttp's sockets (``httpx-aiohttp``, dev extra). Measured side by side in one run.

Each stack makes the same GET calls to the Upsales emulator (its own process, loopback)
at 1 and at N at once. Printed per stack: CPU of this process per call
(``time.process_time``, so the emulator does not count), the part of it spent on the
event loop's thread (``time.thread_time``: what fifty cards at once queue behind), and
the p50/p95 latency.

    .venv/bin/python bench/transport.py [--calls 2000] [--concurrency 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

from upsales_freshdesk.clients import HttpSettings, Wire, new_http_client
from upsales_freshdesk.emulators.process import run_emulators

Call = Callable[[], Awaitable[None]]


async def measure(call: Call, calls: int, concurrency: int) -> tuple[float, float, float, float]:
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one() -> None:
        async with gate:
            started = time.perf_counter()
            await call()
            latencies.append((time.perf_counter() - started) * 1000)

    cpu, loop = time.process_time(), time.thread_time()
    await asyncio.gather(*(one() for _ in range(calls)))
    cpu_ms = (time.process_time() - cpu) * 1000 / calls
    loop_ms = (time.thread_time() - loop) * 1000 / calls
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    return cpu_ms, loop_ms, statistics.median(latencies), p95


async def main(calls: int, concurrency: int) -> None:
    with run_emulators(latency_ms=0, plan="1000000", extra_upsales_tokens=1) as emu:
        url = emu.upsales_url + "self"
        headers = {"Cookie": f"token={emu.upsales_token}", "Accept": "application/json"}
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        bridge = httpx.AsyncClient(transport=AiohttpTransport(limits=limits), limits=limits)
        wire = new_http_client(HttpSettings(max_connections=100))
        plain = httpx.AsyncClient(limits=limits)
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))

        async def via_httpx(client: httpx.AsyncClient) -> None:
            resp = await client.get(url, headers=headers)
            resp.json()

        async def via_wire(through: Wire) -> None:
            answer = await through.exchange(
                "GET", url, params=None, headers=headers, json_body=None, cap=1 << 20
            )
            json.loads(answer.body)

        async def via_aiohttp() -> None:
            async with session.get(url, headers=headers) as resp:
                await resp.json()

        stacks: dict[str, Call] = {
            "the core's wire (aiohttp)": lambda: via_wire(wire),
            "plain httpx, pool 100": lambda: via_httpx(plain),
            "httpx over aiohttp": lambda: via_httpx(bridge),
            "plain aiohttp": via_aiohttp,
        }
        print(f"{calls} GET calls to the emulator, per stack (CPU of this process per call)")
        print(
            f"{'stack':30} {'conc':>5} {'CPU ms/call':>12} {'on the loop':>12}"
            f" {'p50 ms':>8} {'p95 ms':>8}"
        )
        for conc in (1, concurrency):
            for name, call in stacks.items():
                await measure(call, 100, conc)  # warm the pool
                cpu, loop, p50, p95 = await measure(call, calls, conc)
                print(f"{name:30} {conc:>5} {cpu:>12.3f} {loop:>12.3f} {p50:>8.2f} {p95:>8.2f}")
        await bridge.aclose()
        await plain.aclose()
        await session.close()
        await wire.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.calls, args.concurrency))
