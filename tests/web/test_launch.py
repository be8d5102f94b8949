"""run_serve: the backend in a child process, for benchmarks and end-to-end tests."""

from __future__ import annotations

import os

import httpx
import pytest

from upsales_freshdesk.web.launch import run_serve


def test_the_backend_answers_in_the_block_and_is_gone_after() -> None:
    with run_serve({"UFD_SERVICE_SECRET": "s3cret-for-process-tests-0123456"}, workers=1) as served:
        assert httpx.get(f"{served.url}/healthz").json()["status"] == "ok"
        unauthorised = httpx.post(f"{served.url}/v1/card", json={})
        assert unauthorised.status_code == 401  # the given settings are the child's
        pid = served.pid
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{served.url}/healthz")
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_backend_that_cannot_start_fails_with_its_status() -> None:
    with (
        pytest.raises(RuntimeError, match="exited with status"),
        run_serve({"UFD_FRESHDESK_PLAN": "no-such-plan"}),
    ):
        pytest.fail("the block must not run")
