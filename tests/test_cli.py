"""The command line."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
from typer.testing import CliRunner

from upsales_freshdesk.cli import app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_help_lists_emulate() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    assert "emulate" in result.output


def test_emulate_refuses_a_public_host_and_an_unknown_plan() -> None:
    public = CliRunner().invoke(app, ["emulate", "--host", "0.0.0.0"])  # noqa: S104
    assert public.exit_code != 0
    assert "loopback" in public.output
    plan = CliRunner().invoke(app, ["emulate", "--plan", "gold"])
    assert plan.exit_code != 0


def test_emulate_serves_both_and_prints_urls_and_keys() -> None:
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
            "--plan",
            "trial",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                fd = httpx.get(
                    f"http://127.0.0.1:{fd_port}/api/v2/agents/me", auth=("demo-freshdesk-key", "X")
                )
                us = httpx.get(
                    f"http://127.0.0.1:{us_port}/api/v2/self",
                    headers={"Cookie": "token=demo-upsales-token"},
                )
                break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise AssertionError("the emulators did not start")
        assert fd.status_code == 200
        assert fd.headers["X-RateLimit-Total"] == "50"
        assert us.status_code == 200
    finally:
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=10)
    assert f"http://127.0.0.1:{fd_port}/api/v2/" in output
    assert f"http://127.0.0.1:{us_port}/api/v2/" in output
    assert "demo-freshdesk-key" in output
    assert "demo-upsales-token" in output
