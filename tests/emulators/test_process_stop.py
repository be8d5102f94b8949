"""run_emulators stops its child with Ctrl+C even when this process ignores SIGINT (nohup,
a background job, a CI runner): the child gets SIGINT's default back before it runs."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from upsales_freshdesk.emulators.process import run_emulators


@pytest.fixture
def sigint_ignored() -> Iterator[None]:
    """SIGINT ignored here, as under ``nohup``; children inherit that."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.usefixtures("sigint_ignored")
def test_the_emulators_hear_ctrl_c_when_the_parent_ignores_it(tmp_path: Path) -> None:
    log = tmp_path / "emulate.log"
    with log.open("wb") as out, run_emulators(output=out):
        started = time.monotonic()
    stopping = time.monotonic() - started
    assert "stopped" in log.read_text()  # its own Ctrl+C path, not a kill after 10 s
    assert stopping < 5, f"the emulators took {stopping:.1f} s to stop"
