"""Freshdesk's API v2 rate limits, as the vendor documents them: the emulator's own table.

The client keeps its own table (``clients.plans``) for pacing itself; this one is
written from the vendor's documentation, not from the client, so that a wrong number
on either side shows up as a 429 in the tests instead of agreeing with itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

#: The endpoints Freshdesk gives a sub-limit of their own (within the account's total).
Endpoint = Literal["ticket_create", "ticket_update", "tickets_list", "contacts_list"]


@dataclass(frozen=True, slots=True)
class PlanLimits:
    """Calls per minute for the whole account, and the per-endpoint sub-limits."""

    per_minute: int
    per_endpoint: Mapping[Endpoint, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.per_minute <= 0 or any(n <= 0 for n in self.per_endpoint.values()):
            raise ValueError("rate limits must be positive")


def _plan(per_minute: int, create_update: int, lists: int) -> PlanLimits:
    sub: dict[Endpoint, int] = {
        "ticket_create": create_update,
        "ticket_update": create_update,
        "tickets_list": lists,
        "contacts_list": lists,
    }
    return PlanLimits(per_minute, MappingProxyType(sub))


# Source: Freshdesk, "What are the rate limits for the API calls to Freshdesk?"
#   https://support.freshdesk.com/support/solutions/articles/225439-what-are-the-rate-limits-for-the-api-calls-to-freshdesk
#   (modified 14 Mar 2024), which the API reference's "Rate Limit" section points to:
#   https://developers.freshdesk.com/api/#ratelimit
# Calls per minute, account-wide, and the "maximum limit per endpoint":
#   plan        calls/min  ticket create  ticket update  tickets list  contacts list
#   growth      200        80             80             20            20
#   pro         400        160            160            100           100
#   enterprise  700        280            280            200           200
#   trial       50 ("for every trial period the API limit is 50 per minute"; no
#               per-endpoint limits are documented for it)
# The free plan has no API access (0 calls) and is not emulated.
PLANS: Mapping[str, PlanLimits] = MappingProxyType(
    {
        "trial": PlanLimits(50),
        "growth": _plan(200, 80, 20),
        "pro": _plan(400, 160, 100),
        "enterprise": _plan(700, 280, 200),
    }
)

#: The length of Freshdesk's rate-limit window, in seconds.
WINDOW_SECONDS = 60.0


def parse_plan(plan: str | int) -> PlanLimits:
    """A plan name (trial, growth, pro, enterprise) or a positive number of calls/min.

    A number is an account-wide limit with no per-endpoint sub-limits. Anything else
    raises ``ValueError``.
    """
    if isinstance(plan, bool):
        raise ValueError(f"unknown plan {plan!r}")
    if isinstance(plan, int):
        calls = plan
    else:
        text = plan.strip().lower()
        if text in PLANS:
            return PLANS[text]
        if not (text.isascii() and text.isdigit()):
            names = ", ".join(PLANS)
            raise ValueError(f"unknown plan {plan!r}: use {names} or a number of calls/min")
        calls = int(text)
    if calls <= 0:
        raise ValueError(f"the plan's calls per minute must be positive, not {calls}")
    return PlanLimits(calls)
