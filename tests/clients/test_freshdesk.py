"""Every Freshdesk client call, against the in-process emulator."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from tests.support.emulated import FD_BASE
from upsales_freshdesk.clients import (
    AuthenticationError,
    FreshdeskClient,
    NotFoundError,
    RetryPolicy,
    ThrottleRegistry,
    ValidationError,
    plan_limit,
)
from upsales_freshdesk.clients.hostnames import check_subdomain
from upsales_freshdesk.emulators.base import Emulator
from upsales_freshdesk.emulators.freshdesk.app import DEFAULT_KEY, create_freshdesk_emulator
from upsales_freshdesk.emulators.scenarios import SCENARIOS


async def test_ticket_with_includes_embeds_requester_and_company(fd: FreshdeskClient) -> None:
    ticket = await fd.tickets.get(1, include=["requester", "company"])
    assert ticket.requester is not None
    assert ticket.company is not None
    assert ticket.requester.email == SCENARIOS["found"].email
    assert ticket.requester.name == "Astrid Lindqvist"
    assert ticket.company.name is not None
    assert "Nordvind" in ticket.company.name


async def test_each_include_costs_one_more_credit(
    fd: FreshdeskClient, fd_raw: httpx.AsyncClient
) -> None:
    resp = await fd_raw.get("/api/v2/tickets/1", params={"include": "requester,stats"})
    assert resp.headers["X-RateLimit-Used-CurrentRequest"] == "3"


async def test_unknown_include_is_refused_before_sending(fd: FreshdeskClient) -> None:
    with pytest.raises(ValueError, match="unknown include"):
        await fd.tickets.get(1, include=["everything"])


async def test_contact_by_id_and_missing_contact(fd: FreshdeskClient) -> None:
    ticket = await fd.tickets.get(6)
    assert ticket.requester_id is not None
    contact = await fd.contacts.get(ticket.requester_id)
    assert contact.name == "Søren Ødegård"
    assert contact.id > 2**32  # Freshdesk ids exceed 32 bits
    with pytest.raises(NotFoundError) as err:
        await fd.contacts.get(1)
    assert err.value.status == 404
    assert err.value.request_id


async def test_list_by_email_matches_primary_and_other_emails(fd: FreshdeskClient) -> None:
    by_primary = [c async for c in fd.contacts.list(email=SCENARIOS["other_email"].email)]
    by_other = [c async for c in fd.contacts.list(email="KARIN.HOLM@skargard.example")]
    assert [c.id for c in by_primary] == [c.id for c in by_other]
    assert by_primary[0].other_emails == ["karin.holm@skargard.example"]


async def test_list_by_company_follows_link_pages(fd: FreshdeskClient, fd_emu: Emulator) -> None:
    expected = sum(1 for c in fd_emu.store.contacts.values() if c["company_id"] == 901)  # type: ignore[attr-defined]
    listed = [c async for c in fd.contacts.list(company_id=901, per_page=1)]
    assert len(listed) == expected >= 2
    assert fd_emu.stats.by_route["GET /api/v2/contacts"] == expected


async def test_list_updated_since(fd: FreshdeskClient) -> None:
    since = datetime(2025, 12, 1, tzinfo=UTC)
    recent = [c async for c in fd.contacts.list(updated_since=since)]
    assert recent
    assert all(c.updated_at is not None and c.updated_at >= since for c in recent)
    everyone = [c async for c in fd.contacts.list()]
    assert len(everyone) > len(recent)


async def test_listing_goes_past_page_300_with_updated_since(policy: RetryPolicy) -> None:
    """With per_page=1, 340 contacts need 340 pages: Freshdesk stops at 300."""
    emu = create_freshdesk_emulator(plan=100_000)
    async with FreshdeskClient(
        "demo",
        DEFAULT_KEY,
        plan=100_000,
        base_url=FD_BASE,
        transport=httpx.ASGITransport(app=emu),
        policy=policy,
        registry=ThrottleRegistry(),
    ) as client:
        ids = [c.id async for c in client.contacts.list(per_page=1)]
    assert len(ids) == len(set(ids)) == len(emu.store.contacts)  # type: ignore[attr-defined]
    assert emu.stats.by_status.get(400, 0) == 0  # never asked for page 301


async def test_per_page_is_bounded(fd: FreshdeskClient) -> None:
    with pytest.raises(ValueError, match="per_page"):
        fd.contacts.list(per_page=101)


async def test_search_by_email_and_paged_search(fd: FreshdeskClient, fd_emu: Emulator) -> None:
    hits = await fd.contacts.search_by_email(SCENARIOS["non_ascii"].email)
    assert [h.name for h in hits] == ["Søren Ødegård"]
    many = await fd.contacts.search("active:true")
    assert len(many) == min(300, len(fd_emu.store.contacts))  # type: ignore[attr-defined]
    assert fd_emu.stats.by_route["GET /api/v2/search/contacts"] == 1 + 10


async def test_search_refuses_quotes_in_email(fd: FreshdeskClient) -> None:
    with pytest.raises(ValueError, match="quotes"):
        await fd.contacts.search_by_email("a'b@c.example")


async def test_bad_search_query_is_a_validation_error(fd: FreshdeskClient) -> None:
    with pytest.raises(ValidationError) as err:
        await fd.contacts.search("name:'x'")
    assert err.value.field_errors[0].field == "query"


async def test_create_and_update_contact(fd: FreshdeskClient) -> None:
    created = await fd.contacts.create(
        {
            "name": "Ny Kontakt",
            "email": "ny.kontakt@ny.example",
            "job_title": "Tester",
            "company_id": 901,
        }
    )
    assert created.id
    assert created.company_id == 901
    updated = await fd.contacts.update(created.id, {"phone": "+46 70 000 00 00"})
    assert updated.phone == "+46 70 000 00 00"
    assert updated.job_title == "Tester"
    assert (await fd.contacts.get(created.id)).phone == "+46 70 000 00 00"


async def test_duplicate_email_is_a_409_validation_error(fd: FreshdeskClient) -> None:
    with pytest.raises(ValidationError) as err:
        await fd.contacts.create({"name": "Dubblett", "email": SCENARIOS["found"].email})
    assert err.value.status == 409
    assert err.value.field_errors[0].code == "duplicate_value"
    assert err.value.field_errors[0].field == "email"


async def test_create_is_not_retried_on_server_error(fd: FreshdeskClient, fd_emu: Emulator) -> None:
    from upsales_freshdesk.clients import ServerError
    from upsales_freshdesk.emulators.faults import Faults

    fd_emu.faults.set(Faults(error_rates={500: 1.0}))
    with pytest.raises(ServerError):
        await fd.contacts.create({"name": "X", "email": "x@x.example"})
    assert fd_emu.stats.by_route["POST /api/v2/contacts"] == 1


async def test_company_and_private_note(fd: FreshdeskClient, fd_emu: Emulator) -> None:
    company = await fd.companies.get(901)
    assert company.domains == ["nordvind.example"]
    note = await fd.tickets.create_note(1, "<p>Logged to Upsales</p>")
    assert note.private is True
    assert note.ticket_id == 1
    assert fd_emu.store.conversations[1][0]["body"] == "<p>Logged to Upsales</p>"  # type: ignore[attr-defined]


async def test_agents_me_checks_the_key(
    fd: FreshdeskClient, fd_emu: Emulator, policy: RetryPolicy
) -> None:
    me = await fd.agents.me()
    assert me.contact.email == "agent@support-demo.example"
    assert me.contact.language == "en"
    async with FreshdeskClient(
        "demo",
        "wrong-key",
        base_url=FD_BASE,
        policy=policy,
        transport=httpx.ASGITransport(app=fd_emu),
        registry=ThrottleRegistry(),
    ) as bad:
        with pytest.raises(AuthenticationError) as err:
            await bad.agents.me()
    assert err.value.status == 401
    assert "wrong-key" not in repr(err.value)


async def test_bare_key_basic_auth_is_accepted(fd_raw: httpx.AsyncClient) -> None:
    import base64

    bare = base64.b64encode(DEFAULT_KEY.encode()).decode()
    resp = await fd_raw.get("/api/v2/agents/me", headers={"Authorization": f"Basic {bare}"})
    assert resp.status_code == 200


@pytest.mark.parametrize("bad", ["", "under_score", "a.b", "a b", "-lead", "x" * 64, "a/b"])
def test_subdomain_check_refuses_anything_but_a_label(bad: str) -> None:
    with pytest.raises(ValueError):
        check_subdomain(bad)


def test_plan_limits() -> None:
    assert [plan_limit(p) for p in ("trial", "growth", "pro", "enterprise")] == [50, 200, 400, 700]
    assert plan_limit(123) == 123
    with pytest.raises(ValueError):
        plan_limit("gold")
    with pytest.raises(ValueError):
        plan_limit(0)


def test_upstream_is_https_unless_loopback() -> None:
    client = FreshdeskClient("acme", "k")
    assert client.core.base_url == "https://acme.freshdesk.com/api/v2/"
    with pytest.raises(ValueError, match="https"):
        FreshdeskClient("acme", "k", base_url="http://acme.freshdesk.com/api/v2/")
