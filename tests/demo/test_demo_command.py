"""``make demo PORT=...`` and ``upsales-freshdesk demo`` on a port that is taken."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from upsales_freshdesk.demo.run import PortTaken, bind_demo

ROOT = Path(__file__).resolve().parents[2]
CLI = Path(sys.executable).with_name("upsales-freshdesk")
MAKE = shutil.which("make") or "/usr/bin/make"


def taken_port() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def test_make_demo_passes_its_port() -> None:
    plan = subprocess.run(
        [MAKE, "-n", "demo", "PORT=8123"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "upsales-freshdesk demo --port 8123" in plan
    default = subprocess.run(
        [MAKE, "-n", "demo"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "upsales-freshdesk demo --port 8080" in default


def test_a_taken_port_is_one_clear_line_and_no_url() -> None:
    with taken_port() as busy:
        port = busy.getsockname()[1]
        done = subprocess.run(
            [str(CLI), "demo", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    out = done.stdout + done.stderr
    assert done.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in out
    assert f"make demo PORT={port + 1}" in out
    assert "http://" not in out  # no URL that leads nowhere
    assert "Traceback" not in out
    assert "Errno" not in out
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1, lines


def test_bind_demo_gives_a_socket_on_a_free_port() -> None:
    sock = bind_demo("127.0.0.1", 0)
    try:
        assert sock.getsockname()[1] > 0
    finally:
        sock.close()
    with taken_port() as busy, pytest.raises(PortTaken, match="already in use"):
        bind_demo("127.0.0.1", busy.getsockname()[1])
