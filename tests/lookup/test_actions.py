"""The agent's write-back actions, through the service, against both emulators."""

from __future__ import annotations

from typing import Any

from tests.service import HEADERS, Service
from upsales_freshdesk.emulators.faults import Faults
from upsales_freshdesk.emulators.scenarios import SCENARIOS


async def act(
    service: Service, name: str, body: dict[str, Any], status: int = 200
) -> dict[str, Any]:
    resp = await service.http.post(f"/v1/actions/{name}", json=body, headers=HEADERS)
    assert resp.status_code == status, resp.text
    result: dict[str, Any] = resp.json()
    return result


async def card_of(service: Service, scenario: str) -> dict[str, Any]:
    result: dict[str, Any] = (await service.card(scenario)).json()
    return result


async def test_logging_a_ticket_makes_one_closed_activity(service: Service) -> None:
    card = await card_of(service, "found")
    contact_id = card["card"]["upsales"]["id"]
    body = {
        "ticket": {"id": 1, "subject": "Fakturan stämmer inte"},
        "upsales_contact_id": contact_id,
        "locale": "sv",
    }
    first = await act(service, "log-ticket", body)
    assert first["status"] == "done"
    assert first["message"] == "Ärendet är loggat i Upsales."
    activity = service.us.store.get("activities", first["details"]["activity_id"])  # type: ignore[attr-defined]
    assert activity["description"].startswith("[Freshdesk #1] Fakturan stämmer inte")
    assert "https://demo.freshdesk.com/a/tickets/1" in activity["notes"]
    assert activity["closeDate"] is not None
    assert activity["contacts"] == [contact_id]
    assert activity["client"] == service.us.store.get("contacts", contact_id)["client"]  # type: ignore[attr-defined]
    again = await act(service, "log-ticket", body)
    assert again["status"] == "unchanged"
    assert again["details"]["activity_id"] == first["details"]["activity_id"]
    logged = [
        a
        for a in service.us.store.all("activities")  # type: ignore[attr-defined]
        if a["description"].startswith("[Freshdesk #1]")
    ]
    assert len(logged) == 1


async def test_update_writes_only_the_picked_fields(service: Service) -> None:
    card = await card_of(service, "different")
    fd_id = card["card"]["freshdesk"]["id"]
    body = {
        "freshdesk_contact_id": fd_id,
        "upsales_contact_id": card["card"]["upsales"]["id"],
        "fields": ["phone"],
        "freshdesk_updated_at": card["card"]["freshdesk"]["updated_at"],
    }
    result = await act(service, "update-freshdesk", body)
    assert result["status"] == "done"
    assert result["details"]["applied"] == ["phone"]
    contact = service.fd.store.contacts[fd_id]  # type: ignore[attr-defined]
    assert contact["phone"] == "+46 70 444 55 66"
    assert contact["job_title"] == "Teknisk chef"  # not picked, not written
    refreshed = await card_of(service, "different")
    assert [d["field"] for d in refreshed["differences"]] == ["title"]
    puts = service.fd.stats.by_route.get("PUT /api/v2/contacts/{id}", 0)
    assert puts == 1


async def test_a_contact_changed_since_the_card_is_not_written(service: Service) -> None:
    card = await card_of(service, "different")
    fd_id = card["card"]["freshdesk"]["id"]
    await service.http.post("/v1/card", json=service.body("different"), headers=HEADERS)
    service.fd.store.contacts[fd_id]["updated_at"] = "2026-11-25T12:00:00Z"  # type: ignore[attr-defined]
    body = {
        "freshdesk_contact_id": fd_id,
        "upsales_contact_id": card["card"]["upsales"]["id"],
        "fields": ["phone", "title"],
        "freshdesk_updated_at": card["card"]["freshdesk"]["updated_at"],
    }
    result = await act(service, "update-freshdesk", body, status=409)
    assert result["errors"][0]["code"] == "changed"
    assert "Sync again" in result["errors"][0]["message"]
    assert service.fd.store.contacts[fd_id]["phone"] == "+46 70 999 88 77"  # type: ignore[attr-defined]
    assert service.fd.stats.by_route.get("PUT /api/v2/contacts/{id}", 0) == 0


async def test_nothing_to_update_is_said(service: Service) -> None:
    card = await card_of(service, "found")
    body = {
        "freshdesk_contact_id": card["card"]["freshdesk"]["id"],
        "upsales_contact_id": card["card"]["upsales"]["id"],
        "fields": ["name"],
    }
    result = await act(service, "update-freshdesk", body)
    assert result["status"] == "unchanged"


async def test_the_form_proposes_the_account_of_the_email_domain(service: Service) -> None:
    body = {"email": SCENARIOS["not_found"].email, "name": "Nils <b>Ek</b>", "phone": "1"}
    result = await act(service, "contact-form", body)
    assert result["status"] == "form"
    store = service.us.store  # type: ignore[attr-defined]
    kustlinje = next(a["id"] for a in store.all("accounts") if a["slug"] == "kustlinje")
    assert result["details"]["accounts"][0] == kustlinje
    assert 'value="Nils &lt;b&gt;Ek&lt;/b&gt;"' in result["html"]
    searched = await act(service, "contact-form", {**body, "account_query": "Tundra"})
    names = [store.get("accounts", i)["name"] for i in searched["details"]["accounts"]]
    assert names
    assert all("Tundra" in n for n in names)


async def test_free_mail_gets_no_proposal(service: Service) -> None:
    result = await act(service, "contact-form", {"email": "someone@gmail.com"})
    assert result["details"]["accounts"] == []


async def test_creating_a_missing_contact(service: Service) -> None:
    body = {
        "email": SCENARIOS["not_found"].email,
        "name": "Nils Ek",
        "phone": "+46 70 123 45 67",
        "title": "Lagerchef",
        "account": {"id": 26},
    }
    created = await act(service, "create-upsales", body)
    assert created["status"] == "done"
    card = await card_of(service, "not_found")
    assert card["status"] == "found"
    assert card["card"]["upsales"]["title"] == "Lagerchef"
    twice = await act(service, "create-upsales", body, status=409)
    assert twice["errors"][0]["code"] == "changed"


async def test_creating_on_a_new_account(service: Service) -> None:
    body = {
        "email": "ny@nyttbolag.example",
        "name": "Ny Person",
        "account": {"name": "Nytt Bolag AB"},
    }
    created = await act(service, "create-upsales", body)
    contact = service.us.store.get("contacts", created["details"]["upsales_contact_id"])  # type: ignore[attr-defined]
    account = service.us.store.get("accounts", contact["client"])  # type: ignore[attr-defined]
    assert account["name"] == "Nytt Bolag AB"
    neither = await service.http.post(
        "/v1/actions/create-upsales", headers=HEADERS, json={"email": "x@y.example", "name": "X"}
    )
    assert neither.status_code == 400
    assert neither.json()["errors"][0]["code"] == "invalid_request"


async def test_bad_action_bodies_and_upstream_failures(service: Service) -> None:
    await act(
        service,
        "update-freshdesk",
        {"freshdesk_contact_id": 1, "upsales_contact_id": 1, "fields": ["password"]},
        status=400,
    )
    await act(service, "log-ticket", {"ticket": {"id": -1}, "upsales_contact_id": 1}, status=400)
    service.us.faults.set(Faults(error_rates={503: 1.0}))
    down = await act(
        service, "log-ticket", {"ticket": {"id": 1}, "upsales_contact_id": 1}, status=502
    )
    assert down["errors"][0] == {**down["errors"][0], "source": "upsales", "code": "unavailable"}


async def test_the_field_mapping_is_configurable() -> None:
    import pytest

    from tests.service import running
    from upsales_freshdesk.settings import Settings

    with pytest.raises(ValueError, match="field_mapping"):
        Settings(field_mapping={"password": "name"})
    async with running(field_mapping={"phone": "cellPhone"}) as service:
        card = await card_of(service, "different")
        body = {
            "freshdesk_contact_id": card["card"]["freshdesk"]["id"],
            "upsales_contact_id": card["card"]["upsales"]["id"],
            "fields": ["phone"],
        }
        await act(service, "update-freshdesk", body)
        contact = service.fd.store.contacts[body["freshdesk_contact_id"]]  # type: ignore[attr-defined]
        assert contact["phone"] == card["card"]["upsales"]["cell_phone"]
        await act(service, "update-freshdesk", {**body, "fields": ["title"]}, status=400)
