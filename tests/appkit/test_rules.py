"""The rules table: the shared placeholder rule (also JSON for the browser stand-in), and the
other tables kept consistent.
"""

from __future__ import annotations

import json

import pytest

from upsales_freshdesk.appkit.rules import (
    CALLERS,
    COMMON_EVENTS,
    FIELDS,
    KINDS,
    PLACEHOLDER_RULES,
    PRODUCT_EVENTS,
    SMI_TIMEOUT_MAX,
    SMI_TIMEOUTS,
    check_placeholder,
    rules_json,
)


def test_every_field_names_every_caller_with_known_kinds() -> None:
    assert set(PLACEHOLDER_RULES) == set(FIELDS)
    for callers in PLACEHOLDER_RULES.values():
        assert set(callers) == set(CALLERS)
        assert all(set(kinds) <= set(KINDS) for kinds in callers.values())


@pytest.mark.parametrize(
    ("field", "caller", "kind", "allowed"),
    [
        ("host", "frontend", "iparam", True),
        ("host", "frontend", "context", False),
        ("host", "install", "context", True),
        ("host", "server", "context", True),
        ("host", "server", "secure", False),
        ("path", "frontend", "context", True),
        ("query", "install", "secure", False),
        ("headers", "frontend", "secure", True),
        ("headers", "frontend", "context", False),
        ("headers", "install", "context", True),
        ("headers", "server", "context", True),
        ("body", "server", "iparam", False),
        ("body", "frontend", "context", False),
        ("method", "frontend", "iparam", False),
    ],
)
def test_check_placeholder(field: str, caller: str, kind: str, allowed: bool) -> None:
    assert check_placeholder(field, caller, kind) is allowed


def test_rules_json_is_plain_json() -> None:
    data = json.loads(json.dumps(rules_json()))
    assert data["placeholders"] == PLACEHOLDER_RULES
    assert data["maxAttempts"] == {"min": 1, "max": 5}
    assert data["retryDelay"] == {"min": 0, "max": 1500}
    assert "application/json" in data["contentTypes"]


def test_event_tables_keep_common_and_product_events_apart() -> None:
    product = {event for events in PRODUCT_EVENTS.values() for event in events}
    assert not product & set(COMMON_EVENTS)
    assert PRODUCT_EVENTS["support_email"] == ()


def test_smi_timeouts_are_within_the_maximum() -> None:
    assert max(SMI_TIMEOUTS) == SMI_TIMEOUT_MAX
