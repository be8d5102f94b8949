"""Freshdesk plans: "a plan name or a number of calls a minute", parsed in one place.

Every setting and command-line option that names a plan uses :data:`Plan` (pydantic) or
:func:`parse_plan` (typer), so the rule and its error message live here only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import BeforeValidator

#: Freshdesk's account-wide calls per minute, by plan (developers.freshdesk.com/api/#ratelimit).
FRESHDESK_PLAN_LIMITS: Mapping[str, int] = {
    "trial": 50,
    "growth": 200,
    "pro": 400,
    "enterprise": 700,
}

#: Freshdesk's per-minute sub-limit for list endpoints (contacts, tickets), by plan.
FRESHDESK_LIST_LIMITS: Mapping[str, int] = {
    "trial": 50,
    "growth": 20,
    "pro": 100,
    "enterprise": 200,
}


def parse_plan(value: object) -> str | int:
    """A known plan name (lower-cased) or a positive number of calls a minute."""
    if isinstance(value, bool):
        raise ValueError("a plan is a name or a number of calls a minute")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
    elif isinstance(value, str):
        name = value.strip().lower()
        if name not in FRESHDESK_PLAN_LIMITS:
            known = ", ".join(FRESHDESK_PLAN_LIMITS)
            raise ValueError(f"unknown Freshdesk plan {value!r}: use {known} or calls a minute")
        return name
    else:
        raise ValueError("a plan is a name or a number of calls a minute")
    if number <= 0:
        raise ValueError("calls a minute must be positive")
    return number


#: A Freshdesk plan, for settings: ``"pro"`` or ``"120"`` (calls a minute).
Plan = Annotated[str | int, BeforeValidator(parse_plan)]


def plan_limit(plan: str | int) -> int:
    """Calls a minute for a plan name, or the explicit number."""
    parsed = parse_plan(plan)
    return parsed if isinstance(parsed, int) else FRESHDESK_PLAN_LIMITS[parsed]


def list_limit(plan: str | int) -> int:
    """List-endpoint calls a minute for a plan; an explicit number applies to lists too."""
    parsed = parse_plan(plan)
    return parsed if isinstance(parsed, int) else FRESHDESK_LIST_LIMITS[parsed]
