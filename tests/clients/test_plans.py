"""A Freshdesk plan: a name or calls a minute, parsed in one place."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter

from upsales_freshdesk.clients import Plan, list_limit, parse_plan, plan_limit
from upsales_freshdesk.settings import Settings
from upsales_freshdesk.sync.config import SyncSettings

PLAN = TypeAdapter(Plan)


@pytest.mark.parametrize(
    ("raw", "parsed"), [("pro", "pro"), ("Enterprise", "enterprise"), ("120", 120), (90, 90)]
)
def test_names_and_numbers(raw: object, parsed: object) -> None:
    assert parse_plan(raw) == parsed
    assert PLAN.validate_python(raw) == parsed


@pytest.mark.parametrize("raw", ["gold", "0", 0, -5, True, 1.5, ""])
def test_anything_else_is_refused(raw: object) -> None:
    with pytest.raises(ValueError):
        parse_plan(raw)


def test_limits() -> None:
    assert [plan_limit(p) for p in ("trial", "growth", "pro", "enterprise")] == [50, 200, 400, 700]
    assert [list_limit(p) for p in ("trial", "growth", "pro", "enterprise")] == [50, 20, 100, 200]
    assert plan_limit("75") == list_limit(75) == 75


def test_every_setting_uses_the_type() -> None:
    assert Settings(freshdesk_plan="300").freshdesk_plan == 300
    with pytest.raises(ValueError, match="unknown Freshdesk plan"):
        Settings(freshdesk_plan="gold")
    sync = SyncSettings(
        freshdesk_domain="acme", freshdesk_api_key="k", upsales_token="t", freshdesk_plan="PRO"
    )
    assert sync.freshdesk_plan == "pro"
    assert sync.list_pages_per_window == 60  # 60 % of pro's 100 list calls a minute
