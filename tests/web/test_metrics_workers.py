"""``/metrics`` shows the whole service: ``serve --workers 2`` (a real process, on a real
Redis) counts every worker's requests in every scrape, whichever worker answers it."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from upsales_freshdesk.emulators.process import free_port
from upsales_freshdesk.web.metrics import MULTIPROC_ENV, prepare_workers

SECRET = "metrics-test-secret-0123456789abcdef"
HEALTHZ = re.compile(r'^ufd_requests_total\{route="/healthz",status="200"\} (\S+)$', re.M)


def children(pid: int) -> list[int]:
    """``pid``'s descendants (Linux /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        kids = (task / "children").read_text().split()
        for kid in map(int, kids):
            found += [kid, *children(kid)]
    return found


def shared_folder(pid: int) -> Path | None:
    """The multiprocess folder the workers of ``serve`` (``pid``) were started with."""
    for kid in children(pid):
        with Path(f"/proc/{kid}/environ").open("rb") as f:
            for entry in f.read().split(b"\0"):
                name, _, value = entry.partition(b"=")
                if name.decode() == MULTIPROC_ENV:
                    return Path(value.decode())
    return None


def worker_pids(folder: Path) -> set[str]:
    """Workers that counted a request (one ``counter_<pid>.db`` each)."""
    return {f.stem.removeprefix("counter_") for f in folder.glob("counter_*.db")}


async def healthz_batch(base: str, count: int) -> None:
    """``count`` requests at once, each on a connection of its own (so both workers get
    some: each accepts connections from the shared socket)."""
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as http:
        answers = await asyncio.gather(*(http.get("/healthz") for _ in range(count)))
    assert {a.status_code for a in answers} == {200}


def scrape(base: str) -> float:
    resp = httpx.get(f"{base}/metrics", headers={"Connection": "close"}, timeout=10)
    assert resp.status_code == 200, resp.text
    match = HEALTHZ.search(resp.text)
    assert match is not None, resp.text
    return float(match.group(1))


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads Linux /proc")
def test_serve_with_two_workers_counts_both_in_every_scrape(redis_url: str, tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in (MULTIPROC_ENV, "UFD_METRICS_TOKEN")}
    env |= {"UFD_REDIS_URL": redis_url, "UFD_SERVICE_SECRET": SECRET}
    args = [sys.executable, "-m", "upsales_freshdesk", "serve", "--port", str(port)]
    log = tmp_path / "serve.log"  # a file, not a pipe nobody reads while it fills
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [*args, "--workers", "2"], env=env, stdout=sink, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, log.read_text()[-3000:]
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.1)
        sent = 1  # the probe's
        folder = shared_folder(proc.pid)
        assert folder is not None, "the workers run without a multiprocess folder"
        assert folder.name.startswith("ufd-metrics-")

        for _ in range(20):  # until both workers have answered some
            asyncio.run(healthz_batch(base, 20))
            sent += 20
            if len(worker_pids(folder)) == 2:
                break
        assert len(worker_pids(folder)) == 2, "one worker answered everything"

        # Each scrape, whichever worker answers it, counts every worker's requests.
        assert [scrape(base) for _ in range(6)] == [sent] * 6
    finally:
        proc.send_signal(signal.SIGTERM)  # SIGINT may be ignored (nohup, CI runners)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, log.read_text()[-3000:]
    assert not folder.exists()  # serve removed its folder


def no_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """No folder set, and whatever the test sets is undone after it (``delenv`` of an
    unset variable alone would not undo a later set)."""
    monkeypatch.setenv(MULTIPROC_ENV, "")
    monkeypatch.delenv(MULTIPROC_ENV)


def test_one_worker_keeps_the_normal_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    no_folder(monkeypatch)
    assert prepare_workers(1) is None
    assert MULTIPROC_ENV not in os.environ


def test_several_workers_get_a_fresh_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    no_folder(monkeypatch)
    folders = [prepare_workers(2), prepare_workers(3)]
    try:
        # The second call finds the first's folder in the environment (as a worker would).
        assert folders[0] is not None
        assert folders[0] == folders[1]
        assert os.environ[MULTIPROC_ENV] == str(folders[0])
        assert list(folders[0].iterdir()) == []
        assert folders[0].stat().st_mode & 0o077 == 0  # private to the service's user
    finally:
        if folders[0] is not None:
            folders[0].rmdir()


def test_the_operators_folder_is_used_and_emptied_of_the_last_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "metrics"
    monkeypatch.setenv(MULTIPROC_ENV, str(folder))
    assert prepare_workers(2) == folder  # created
    for name in ("counter_11.db", "histogram_11.db", "gauge_livesum_11.db", "notes.txt"):
        (folder / name).write_bytes(b"x")
    assert prepare_workers(1) == folder  # one worker too: the variable says so
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]  # only its files go
