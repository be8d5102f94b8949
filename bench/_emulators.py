"""Run both emulators in a separate process (real HTTP on loopback) for benchmarks."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Emulators:
    freshdesk_url: str
    upsales_url: str
    freshdesk_control: str
    upsales_control: str
    upsales_tokens: tuple[str, ...]

    def calls(self) -> tuple[int, int]:
        return tuple(  # type: ignore[return-value]
            httpx.get(f"{c}/_emulator/stats").json()["total"]
            for c in (self.freshdesk_control, self.upsales_control)
        )

    def reset_stats(self) -> None:
        for c in (self.freshdesk_control, self.upsales_control):
            httpx.post(f"{c}/_emulator/stats/reset")


@contextmanager
def emulators(*, latency_ms: float, plan: str = "pro", tokens: int = 1) -> Iterator[Emulators]:
    fd_port, us_port = free_port(), free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "upsales_freshdesk",
            "emulate",
            "--freshdesk-port",
            str(fd_port),
            "--upsales-port",
            str(us_port),
            "--latency-ms",
            str(latency_ms),
            "--plan",
            plan,
            "--extra-upsales-tokens",
            str(tokens),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    fd, us = f"http://127.0.0.1:{fd_port}", f"http://127.0.0.1:{us_port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{fd}/_emulator/stats")
                httpx.get(f"{us}/_emulator/stats")
                break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            raise RuntimeError("the emulators did not start")
        yield Emulators(
            f"{fd}/api/v2/",
            f"{us}/api/v2/",
            fd,
            us,
            tuple(f"demo-upsales-token-{i}" for i in range(1, tokens + 1)),
        )
    finally:
        proc.terminate()
        proc.wait(timeout=10)
