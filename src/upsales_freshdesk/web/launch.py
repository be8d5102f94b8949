"""The backend (``upsales-freshdesk serve``) in a child process, for benchmarks and
end-to-end tests, and the free loopback ports such processes take (the emulators'
launcher, ``emulators/process.py``, uses them too).

:func:`run_serve` picks a free loopback port, starts the command with the given
``UFD_*`` settings (and none inherited from this process's environment), waits until
``/healthz`` answers, and stops the process when the ``with`` block ends.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

HOST = "127.0.0.1"


def free_port(host: str = HOST) -> int:
    """A port that was free on ``host`` a moment ago."""
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True, slots=True)
class ServeProcess:
    """Where a :func:`run_serve` backend answers, and its process id."""

    port: int
    pid: int
    host: str = HOST

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


@contextmanager
def run_serve(
    settings: Mapping[str, str] | None = None,
    *,
    workers: int | None = None,
    output: IO[str] | IO[bytes] | None = None,
    cwd: Path | None = None,
    startup_timeout: float = 20.0,
) -> Iterator[ServeProcess]:
    """Serve the backend from a child process for the length of the block.

    ``settings`` are ``UFD_*`` environment variables; ``output`` (a real file) gets the
    child's stdout and stderr, which are dropped otherwise; ``cwd`` is where it runs (a
    ``.env`` there is read).
    """
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("UFD_")}
    env.update(settings or {})
    args = [sys.executable, "-m", "upsales_freshdesk", "serve", "--host", HOST, "--port", str(port)]
    if workers is not None:
        args += ["--workers", str(workers)]
    sink = output if output is not None else subprocess.DEVNULL
    proc = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments, no shell
        args, env=env, stdout=sink, stderr=subprocess.STDOUT, cwd=cwd
    )
    served = ServeProcess(port, proc.pid)
    try:
        _wait_until_up(served, proc, startup_timeout)
        yield served
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Terminate a child process, and kill it if it has not ended within ``timeout``."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


def _wait_until_up(served: ServeProcess, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"serve exited with status {proc.returncode}")
        try:
            httpx.get(f"{served.url}/healthz", timeout=1.0)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"serve did not answer within {timeout:g} s") from None
            time.sleep(0.05)
