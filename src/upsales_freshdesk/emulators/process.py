"""Both emulators in a child process (``python -m upsales_freshdesk emulate``), over HTTP.

For benchmarks and end-to-end tests that want real sockets and a separate process:
:func:`run_emulators` picks free loopback ports, starts the command, waits until both
control surfaces answer and stops the process (Ctrl+C first, so it prints and flushes
its output) when the ``with`` block ends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

import httpx

from ..web.launch import HOST, free_port
from .freshdesk.app import DEFAULT_KEY
from .freshdesk.limits import parse_plan
from .upsales.app import DEFAULT_TOKEN

__all__ = ["HOST", "EmulatorProcess", "free_port", "run_emulators"]


@dataclass(frozen=True, slots=True)
class EmulatorProcess:
    """Where the emulators of a :func:`run_emulators` block answer, and their keys."""

    freshdesk_port: int
    upsales_port: int
    freshdesk_key: str = DEFAULT_KEY
    upsales_token: str = DEFAULT_TOKEN
    #: The extra Upsales tokens (``<token>-1..N``), each its own account and rate limit.
    extra_upsales_tokens: tuple[str, ...] = ()
    host: str = HOST

    @property
    def freshdesk_control(self) -> str:
        return f"http://{self.host}:{self.freshdesk_port}"

    @property
    def upsales_control(self) -> str:
        return f"http://{self.host}:{self.upsales_port}"

    @property
    def freshdesk_url(self) -> str:
        return f"{self.freshdesk_control}/api/v2/"

    @property
    def upsales_url(self) -> str:
        return f"{self.upsales_control}/api/v2/"

    def calls(self) -> tuple[int, int]:
        """API calls served so far: (Freshdesk, Upsales)."""
        fd, us = (
            int(httpx.get(f"{c}/_emulator/stats").json()["total"])
            for c in (self.freshdesk_control, self.upsales_control)
        )
        return fd, us

    def reset_stats(self) -> None:
        for c in (self.freshdesk_control, self.upsales_control):
            httpx.post(f"{c}/_emulator/stats/reset").raise_for_status()


def _command(emu: EmulatorProcess, *, plan: str, latency_ms: float, seed: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "upsales_freshdesk",
        "emulate",
        "--host",
        emu.host,
        "--freshdesk-port",
        str(emu.freshdesk_port),
        "--upsales-port",
        str(emu.upsales_port),
        "--latency-ms",
        str(latency_ms),
        "--seed",
        str(seed),
        "--plan",
        plan,
        "--freshdesk-key",
        emu.freshdesk_key,
        "--upsales-token",
        emu.upsales_token,
        "--extra-upsales-tokens",
        str(len(emu.extra_upsales_tokens)),
    ]


def _wait_until_up(emu: EmulatorProcess, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = [emu.freshdesk_control, emu.upsales_control]
    while pending:
        if proc.poll() is not None:
            raise RuntimeError(f"the emulators exited with status {proc.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the emulators did not start within {timeout:g} s")
        try:
            httpx.get(f"{pending[0]}/_emulator/stats", timeout=1.0).raise_for_status()
            pending.pop(0)
        except httpx.HTTPError:
            time.sleep(0.05)


def _hear_ctrl_c() -> None:
    """In the child, before it runs: SIGINT back to its default. A parent that ignores
    SIGINT (nohup, a background job, some CI runners) passes that on to its children, and
    Python then raises no KeyboardInterrupt, so :func:`_stop`'s Ctrl+C would go unheard."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _stop(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)  # the command's own Ctrl+C: it says "stopped"
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


@contextmanager
def run_emulators(
    *,
    plan: str = "pro",
    latency_ms: float = 0.0,
    extra_upsales_tokens: int = 0,
    seed: int = 1,
    output: IO[str] | IO[bytes] | None = None,
    startup_timeout: float = 20.0,
) -> Iterator[EmulatorProcess]:
    """Serve both emulators from a child process for the length of the block.

    The child's stdout and stderr go to ``output`` (a real file), or are dropped.
    """
    parse_plan(plan)  # fail here, with the reason, rather than as a dead child
    emu = EmulatorProcess(
        free_port(),
        free_port(),
        extra_upsales_tokens=tuple(
            f"{DEFAULT_TOKEN}-{i}" for i in range(1, extra_upsales_tokens + 1)
        ),
    )
    sink = output if output is not None else subprocess.DEVNULL
    proc = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments, no shell
        _command(emu, plan=plan, latency_ms=latency_ms, seed=seed),
        stdout=sink,
        stderr=subprocess.STDOUT,
        env={**os.environ, "COLUMNS": "200"},  # keep the printed URLs on one line each
        preexec_fn=_hear_ctrl_c,  # the child hears _stop's Ctrl+C
    )
    try:
        _wait_until_up(emu, proc, startup_timeout)
        yield emu
    finally:
        _stop(proc)
