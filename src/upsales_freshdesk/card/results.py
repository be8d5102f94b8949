"""What the card lookup keeps of its calls and gives back: a failed call as a value,
the issues and times of one lookup, one message for both upstreams down, and the
differences between the two contacts."""

from __future__ import annotations

import time
from collections.abc import Awaitable
from typing import TypeVar

from ..clients import UpstreamError
from ..clients.blank import is_blank
from ..rules.codes import Issue
from ..rules.fields import FieldRule, norm_text
from .models import Card, Difference, Status

T = TypeVar("T")


class Failed:
    """A call that failed, kept as a value so the other results still count."""

    def __init__(self, error: UpstreamError) -> None:
        self.error = error


async def attempt(call: Awaitable[T]) -> T | Failed:
    try:
        return await call
    except UpstreamError as error:
        return Failed(error)


class Trace:
    """What one lookup met on its way: its issues, in order, and each call's time in ms."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []
        self.timings: dict[str, float] = {}

    def mark(self, name: str, since: float) -> None:
        """``name`` took the time since ``since``, a :func:`time.perf_counter` reading."""
        self.timings[name] = round((time.perf_counter() - since) * 1000, 1)

    async def timed(self, name: str, call: Awaitable[T]) -> T | Failed:
        """The call's answer, or its failure as a value; its time is kept as ``name``."""
        started = time.perf_counter()
        try:
            return await attempt(call)
        finally:
            self.mark(name, started)


DOWN = frozenset({"unavailable", "timeout"})


def one_outage(status: Status, issues: list[Issue]) -> list[Issue]:
    """Both upstreams down is one message, not one per upstream over an empty card."""
    sources = {i.source for i in issues if i.code in DOWN}
    if status == "error" and {"freshdesk", "upsales"} <= sources:
        rest = [i for i in issues if i.code not in DOWN]
        return [Issue(source="service", code="upstreams_down"), *rest]
    return issues


async def none() -> None:
    return None


def kept(values: tuple[str | None, ...]) -> tuple[str, ...]:
    return tuple(v for v in values if v and not is_blank(v))


def differences(card: Card, rule: FieldRule) -> list[Difference]:
    """Fields where Freshdesk and Upsales disagree, by the field rule (and the company,
    which the card shows but no action writes). Two empty sides are no difference."""
    f, u = card.freshdesk, card.upsales
    if f is None or u is None:
        return []
    freshdesk = {"name": f.name, "phone": f.phone, "mobile": f.mobile, "job_title": f.job_title}
    upsales = {"name": u.name, "phone": u.phone, "cellPhone": u.cell_phone, "title": u.title}
    found = [
        Difference(field=name, freshdesk=a, upsales=b, clears=is_blank(b))
        for name, a, b in rule.differences(freshdesk, upsales)
    ]
    account = u.account.name if u.account else None
    if f.company is not None and norm_text(f.company) != norm_text(account):
        found.append(Difference(field="company", freshdesk=f.company, upsales=account))
    return found


def status_of(card: Card, issues: list[Issue], us_failed: bool) -> Status:
    """The card's status from what it holds and what went wrong."""
    if card.freshdesk is None and us_failed:
        return "error"
    if any(i.level == "error" for i in issues):
        return "partial"
    if card.candidates:
        weak = all(c.reason in ("phone", "name_at_domain") for c in card.candidates)
        return "suggested" if weak else "ambiguous"
    return "found" if card.upsales else "not_found"
