"""Every Upsales client call, against the in-process emulator."""

from __future__ import annotations

import httpx
import pytest

from tests.support.emulated import US_BASE
from upsales_freshdesk.clients import (
    AuthenticationError,
    Filters,
    NotFoundError,
    RetryPolicy,
    ThrottleRegistry,
    UpsalesClient,
    ValidationError,
)
from upsales_freshdesk.emulators.base import Emulator
from upsales_freshdesk.emulators.scenarios import SCENARIOS


async def test_self_checks_the_key(
    us: UpsalesClient, us_emu: Emulator, policy: RetryPolicy
) -> None:
    me = await us.self_info()
    assert me.id == 12
    assert me.client is not None
    async with UpsalesClient(
        "not-the-token",
        base_url=US_BASE,
        policy=policy,
        transport=httpx.ASGITransport(app=us_emu),
        registry=ThrottleRegistry(),
    ) as bad:
        with pytest.raises(AuthenticationError) as err:
            await bad.self_info()
    assert err.value.status == 401
    assert err.value.service == "upsales"
    assert "not-the-token" not in str(err.value)


async def test_token_travels_only_in_the_cookie(us_emu: Emulator, policy: RetryPolicy) -> None:
    seen: list[httpx.Request] = []

    class Spy(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return await httpx.ASGITransport(app=us_emu).handle_async_request(request)

    async with UpsalesClient(
        "demo-upsales-token",
        base_url=US_BASE,
        transport=Spy(),
        policy=policy,
        registry=ThrottleRegistry(),
    ) as client:
        await client.contacts.find_by_email(SCENARIOS["found"].email)
    assert seen
    assert all("token" not in str(r.url) for r in seen)
    assert seen[0].headers["cookie"] == "token=demo-upsales-token"


@pytest.mark.parametrize("bad", ["", "a;b", "a\nb", "tok en", "x=y"])
def test_tokens_that_could_inject_cookies_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        UpsalesClient(bad)


async def test_find_by_email_lowercases_and_embeds_account_managers(us: UpsalesClient) -> None:
    found = await us.contacts.find_by_email("  Astrid.LINDQVIST@Nordvind.example ")
    assert len(found) == 1
    contact = found[0]
    assert contact.client is not None
    assert contact.client.users
    assert contact.title == "IT-chef"


async def test_find_by_email_returns_every_match(us: UpsalesClient) -> None:
    found = await us.contacts.find_by_email(SCENARIOS["ambiguous"].email)
    assert sorted(c.firstName or "" for c in found) == ["Lars", "Lena"]


async def test_get_and_list_with_filters(us: UpsalesClient) -> None:
    contact = await us.contacts.get(1)
    assert contact.name == "Astrid Lindqvist"
    page = await us.contacts.list(Filters().eq("client.id", 4), limit=50, sort="-id")
    assert page.total == len(page.items) >= 2
    assert [c.id for c in page.items] == sorted((c.id for c in page.items), reverse=True)
    assert all(c.client is not None and c.client.id == 4 for c in page.items)
    with pytest.raises(NotFoundError):
        await us.contacts.get(999_999)


async def test_iterate_pages_by_id(us: UpsalesClient, us_emu: Emulator) -> None:
    ids = [c.id async for c in us.contacts.iterate(page_size=100)]
    assert ids == sorted(ids)
    assert len(ids) == len(set(ids)) == 330
    assert us_emu.stats.by_route["GET /api/v2/contacts"] == 4


async def test_limit_is_bounded(us: UpsalesClient) -> None:
    with pytest.raises(ValueError, match="limit"):
        await us.contacts.list(limit=2001)


async def test_create_and_update_contact(us: UpsalesClient) -> None:
    created = await us.contacts.create(
        {"name": "Christofer de la Motte", "email": "cdlm@nordvind.example", "client": {"id": 1}}
    )
    assert (created.firstName, created.lastName) == ("Christofer de la", "Motte")
    updated = await us.contacts.update(created.id, {"title": "Inköpare", "phone": "+46 8 1"})
    assert updated.title == "Inköpare"
    assert updated.email == "cdlm@nordvind.example"
    assert updated.modDate is not None


async def test_create_contact_without_account_is_refused(us: UpsalesClient) -> None:
    with pytest.raises(ValidationError) as err:
        await us.contacts.create({"name": "Ingen Firma"})
    assert err.value.field_errors[0].code == "FailedValidation"


async def test_accounts_get_and_search(us: UpsalesClient) -> None:
    account = await us.accounts.get(1)
    assert account.webpage == "https://www.nordvind.example"
    assert account.users
    hits = await us.accounts.search("NORDVIND")
    assert 1 in [a.id for a in hits]
    assert all("nordvind" in (a.name or "").lower() for a in hits)


async def test_users(us: UpsalesClient) -> None:
    page = await us.users.list(limit=100)
    assert page.total == 9
    ghost = next(u for u in page.items if u.id == 12)
    assert ghost.role is None
    assert ghost.userTitle is None


async def test_orders_and_opportunities(us: UpsalesClient, us_emu: Emulator) -> None:
    orders = us_emu.store.all("orders")  # type: ignore[attr-defined]
    account_id = next(o["client"] for o in orders if 1 <= o["probability"] <= 99)
    opps = await us.orders.for_account(account_id, kind="opportunity", limit=50)
    assert opps
    assert all(o.is_open_opportunity for o in opps)
    assert [o.date for o in opps] == sorted((o.date for o in opps), reverse=True)
    with_contact = next(o for o in orders if o["contact"] and o["probability"] == 100)
    by_contact = await us.orders.for_contact(with_contact["contact"], kind="order", limit=50)
    assert by_contact
    assert all(o.is_order for o in by_contact)


async def test_activities_list_and_create(us: UpsalesClient) -> None:
    before = await us.activities.list(Filters().eq("contact.id", 1))
    created = await us.activities.create(
        {
            "description": "Freshdesk ticket #1",
            "date": "2026-11-25",
            "closeDate": "2026-11-25",
            "client": {"id": 1},
            "contacts": [{"id": 1}],
            "activityType": {"id": 10},
        }
    )
    assert created.is_closed
    assert created.closeDate is not None
    after = await us.activities.list(Filters().eq("contact.id", 1))
    assert after.total == before.total + 1


async def test_todo_types(us: UpsalesClient) -> None:
    types = await us.todo_types.list()
    assert {t.id for t in types.values()} == {10, 11}


async def test_activities_update_changes_only_what_is_sent(us: UpsalesClient) -> None:
    created = await us.activities.create(
        {
            "description": "Ring om förnyelsen",
            "notes": "Före",
            "date": "2026-11-25",
            "client": {"id": 1},
            "contacts": [{"id": 1}],
            "activityType": {"id": 11},
        }
    )
    assert not created.is_closed
    closed = await us.activities.update(created.id, {"closeDate": "2026-11-26"})
    assert closed.id == created.id
    assert closed.is_closed
    assert (closed.description, closed.notes) == ("Ring om förnyelsen", "Före")
    renamed = await us.activities.update(created.id, {"description": "Förnyelsen klar"})
    assert renamed.description == "Förnyelsen klar"
    assert renamed.closeDate == closed.closeDate
    assert (await us.activities.get(created.id)).description == "Förnyelsen klar"


async def test_activities_update_of_a_missing_or_refused_one(us: UpsalesClient) -> None:
    with pytest.raises(NotFoundError):
        await us.activities.update(999_999, {"closeDate": "2026-11-26"})
    with pytest.raises(ValidationError):
        await us.activities.update(1, {"description": ""})
