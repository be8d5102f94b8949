"""The registry of per-account state, as an object: one throttle per upstream account
(tried keys or not), budgets, and the probe gate's part of the window."""

from __future__ import annotations

from upsales_freshdesk.clients.accounts import account_key
from upsales_freshdesk.clients.registry import PROBATION_MIN, ThrottleRegistry

HOST = "demo.freshdesk.com"


def test_registry_shares_per_account_and_hides_the_secret() -> None:
    r = ThrottleRegistry()
    key = account_key("upsales", "secret-token")
    assert "secret-token" not in key
    assert r.throttle(key, 200, 10) is r.throttle(key, 200, 10)
    assert r.throttle(key, 200, 10) is not r.throttle(account_key("upsales", "other"), 200, 10)
    assert r.budget(key) is r.budget(key)


def test_a_freshdesk_accounts_keys_share_one_throttle_tried_or_not() -> None:
    registry = ThrottleRegistry()
    working = registry.slot("freshdesk", HOST, "key-a", 60, 60)
    untried = registry.slot("freshdesk", HOST, "key-b", 60, 60)
    working.confirm()
    assert working.throttle is untried.throttle  # one window: Freshdesk limits the account
    other = registry.slot("freshdesk", "other.freshdesk.com", "key-a", 60, 60)
    assert other.throttle is not working.throttle


def test_an_upsales_token_keeps_its_throttle_when_it_starts_working() -> None:
    registry = ThrottleRegistry()
    slot = registry.slot("upsales", "", "token", 200, 10)
    before = slot.throttle
    slot.confirm()
    assert slot.throttle is before  # the same window before and after the first success
    assert registry.slot("upsales", "", "token-2", 200, 10).throttle is not before


def test_the_probation_gate_is_a_bounded_part_of_the_window() -> None:
    registry = ThrottleRegistry()
    assert registry.slot("freshdesk", HOST, "k", 700, 60).gate.limit == 70
    assert registry.slot("freshdesk", HOST, "k", 20, 60).gate.limit == PROBATION_MIN
    assert registry.slot("freshdesk", HOST, "k", 6, 60).gate.limit == 3  # at most half
