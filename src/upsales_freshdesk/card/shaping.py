"""The card's data from Upsales' records: typed, trimmed, with links."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from ..clients.upsales import models as us
from ..rules.logged import logged_by, timeline_stamp, without_marker
from ..rules.matching import MatchHow
from .links import Links
from .models import (
    Account,
    ActivityItem,
    Address,
    Candidate,
    Deal,
    Logged,
    Person,
    UpsalesSide,
)

SHOWN_DEALS = 5


def _aware(moment: datetime | None) -> datetime | None:
    """Upsales sends some dates without a time zone ("2025-05-22"): read them as UTC, so
    that every timestamp the card gives is RFC 3339."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def candidate(c: us.Contact, reason: MatchHow = "email") -> Candidate:
    return Candidate(
        id=c.id,
        name=c.name,
        email=c.email,
        title=c.title,
        account=c.client.name if c.client else None,
        reason=reason,
    )


def upsales_side(c: us.Contact, requested: str, how: MatchHow = "email") -> UpsalesSide:
    matched = c.email.lower() if c.email else None
    if how in ("link", "chosen"):
        matched = None  # not matched by an email: none to name
    return UpsalesSide(
        matched_by=how,
        id=c.id,
        name=c.name,
        email=c.email,
        title=c.title,
        phone=c.phone,
        cell_phone=c.cellPhone,
        account=account_from_contact(c),
        matched_email=matched if matched != requested else None,
    )


def _address_text(a: us.Address) -> str:
    parts = [a.address, " ".join(p for p in (a.zipcode, a.city) if p), a.country]
    return ", ".join(p for p in parts if p)


def _managers(users: list[us.UserRef]) -> list[Person]:
    return [Person(id=u.id, name=u.name, email=u.email) for u in users]


def _addresses(addresses: list[us.Address]) -> list[Address]:
    texts = ((a.type, _address_text(a)) for a in addresses)
    return [Address(type=kind, text=text) for kind, text in texts if text]


def account_from_contact(c: us.Contact) -> Account | None:
    if c.client is None:
        return None
    return Account(
        id=c.client.id,
        name=c.client.name,
        managers=_managers(c.client.users),
        addresses=_addresses(c.client.addresses),
    )


def account(a: us.Account) -> Account:
    return Account(
        id=a.id,
        name=a.name,
        phone=a.phone,
        webpage=a.webpage,
        managers=_managers(a.users),
        addresses=_addresses(a.addresses),
    )


def _deal(o: us.Order) -> Deal:
    return Deal(
        id=o.id,
        description=o.description,
        stage=o.stage.name if o.stage else None,
        value=o.value,
        currency=o.currency,
        probability=o.probability,
        date=_aware(o.date),
    )


def apply_deals(side: UpsalesSide, orders: list[us.Order], links: Links | None) -> None:
    side.opportunities = [_deal(o) for o in orders if o.is_open_opportunity][:SHOWN_DEALS]
    side.orders = [_deal(o) for o in orders if o.is_order][:SHOWN_DEALS]
    if links is not None:
        account_id = side.account.id if side.account else None
        for deal in (*side.opportunities, *side.orders):
            deal.link = links.deal(deal.id, side.id, account_id)


def apply_activities(side: UpsalesSide, activities: list[us.Activity], links: Links | None) -> None:
    account_id = side.account.id if side.account else None
    side.activities = [
        ActivityItem(
            id=a.id,
            description=without_marker(a.description),
            date=_aware(a.date or a.regDate),
            type=a.activityType.name if a.activityType else None,
            closed=a.is_closed,
            link=links.activity(a.id, side.id, account_id) if links is not None else None,
        )
        for a in activities
    ]


def logged_state(
    activities: list[us.Activity], logged_as: Callable[[us.Activity], bool]
) -> Logged | None:
    """The activity that logged this ticket, if one is among the recent ones."""
    for a in activities:
        if logged_as(a):
            # The agent who logged it, from the notes: the activity's user is the API key's.
            by = logged_by(a)
            return Logged(
                activity_id=a.id,
                date=_aware(a.regDate or a.date),
                by=by,
                updated=timeline_stamp(a),
            )
    return None
