"""Four ``serve`` processes, one Redis, at three times the Freshdesk plan (end to end).

The Freshdesk window is scaled down to 2 s on the emulator and in the service alike, so
the run takes seconds. Harness: ``bench/scaleout.py``.
"""

from __future__ import annotations

import pytest
from bench.scaleout import drive, fallbacks, observed, scaled

from upsales_freshdesk.emulators.process import free_port

PLAN, WINDOW = 20, 2.0


@pytest.fixture(autouse=True)
def patient_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    """The replicas share a working Redis here; its failure is tested on its own. A
    loaded machine can take longer than the default 0.2 s to answer, and a replica that
    took that for an outage would keep to its own share for a moment."""
    monkeypatch.setenv("UFD_REDIS_TIMEOUT_SECONDS", "2.0")


async def test_four_replicas_keep_to_the_plan_together(redis_url: str) -> None:
    with scaled(PLAN, WINDOW, 4, redis_url) as setup:
        result = await drive(setup, load=3.0, seconds=3.0)
        seen = observed(setup)
    assert len(result.statuses) == 90
    assert set(result.statuses) == {200}
    # The emulator never saw more than the plan in one of its windows, so it refused none.
    assert seen.most <= PLAN, seen
    assert seen.refused == 0, seen
    assert sum(seen.counts) == 90  # one Freshdesk call a card, none retried
    # No card shows a rate limit (nor any other issue): they only wait their turn. A card
    # that waited past its deadline (8 s) would carry a code. No timing is asserted: on a
    # starved machine the test's own clock also counts the test's queue.
    assert result.codes == []


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
async def test_replicas_keep_to_the_plan_with_working_and_wrong_keys(
    redis_url: str, *, warm: bool
) -> None:
    """Four replicas, cold (none has made a call) or warm, cards at three times the plan,
    one in five with one of three wrong keys of the same helpdesk: the helpdesk sees at
    most its plan in any window and refuses nothing; every card with the working key is
    served, and the wrong keys cost their probes only."""
    with scaled(PLAN, WINDOW, 4, redis_url) as setup:
        result = await drive(setup, load=3.0, seconds=2.0, warm=warm, wrong_every=5)
        seen = observed(setup)
    assert len(result.statuses) == 60
    assert set(result.statuses) == {200}
    assert seen.most <= PLAN, seen
    assert seen.refused == 0, seen
    assert result.codes == []
    assert result.wrong_key_codes
    assert set(result.wrong_key_codes) <= {"freshdesk:auth_failed", "freshdesk:rate_limited"}
    # Each wrong key is probed by each replica at most once, then remembered as refused.
    assert sum(seen.counts) <= 48 + 3 * 4


async def test_cards_answer_with_redis_down() -> None:
    closed = f"redis://127.0.0.1:{free_port()}/0"
    with scaled(PLAN, WINDOW, 1, closed) as setup:
        result = await drive(setup, load=0.5, seconds=2.0)
        counted = fallbacks(setup)
    assert result.statuses
    assert set(result.statuses) == {200}
    assert result.codes == []
    assert counted > 0
