"""The matching order, as a table of cases against both emulators: the link first, the
emails, then the phone and the name at the company of the email's domain, which are only
suggestions. Each case sets up the people it needs in the emulators' stores."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.service import HEADERS, Service, running
from upsales_freshdesk.emulators.scenarios import SCENARIOS

FOUND = SCENARIOS["found"].email
#: Astrid Lindqvist (account 1, Nordvind), Mårten Sjöberg (2), Søren Ødegård (5):
#: the scenario people are the first Upsales contacts, whatever the seed.
ASTRID, MARTEN, SOREN = 1, 2, 6


def fd_contact(service: Service, **fields: Any) -> dict[str, Any]:
    """A new Freshdesk contact in the emulator's store."""
    store = service.fd.store
    cid = store.next_contact_id()
    record = {
        **store.contacts[next(iter(store.contacts))],
        "id": cid,
        "email": None,
        "other_emails": [],
        "phone": None,
        "mobile": None,
        "company_id": None,
        "unique_external_id": None,
        "custom_fields": {},
        **fields,
    }
    store.contacts[cid] = record
    return record


def upsales_contact(service: Service, **fields: Any) -> dict[str, Any]:
    """A new Upsales contact, copied from Astrid's shape."""
    store = service.us.store
    base = dict(store.get("contacts", ASTRID) or {})
    record: dict[str, Any] = {**base, "cellPhone": None, **fields}
    record.pop("id", None)
    return store.insert("contacts", record)


def body_of(contact: dict[str, Any]) -> dict[str, Any]:
    return {
        "ticket": {"id": 1},
        "requester": {
            "id": contact["id"],
            "email": contact["email"],
            "name": contact["name"],
            "phone": contact["phone"],
            "mobile": contact["mobile"],
        },
    }


@dataclass(frozen=True)
class Case:
    """A requester, what the card finds, and how."""

    status: str
    how: str | None = None  # a match's matched_by, or the suggestions' reason
    ids: tuple[int, ...] = ()
    codes: frozenset[str] = frozenset()


def changed_email_linked(service: Service) -> tuple[dict[str, Any], Case]:
    """Astrid's address changed in Freshdesk; the link still finds her."""
    me = fd_contact(
        service, name="Astrid Lindqvist", email="astrid@new.example", unique_external_id="upsales:1"
    )
    return body_of(me), Case("found", "link", (ASTRID,))


def changed_email_same_phone(service: Service) -> tuple[dict[str, Any], Case]:
    """A private address and the mobile typed the Swedish way: suggested by phone."""
    me = fd_contact(
        service, name="A. Lindqvist", email="astrid.l@freshmail.example", mobile="070-111 22 33"
    )
    return body_of(me), Case("suggested", "phone", (ASTRID,), frozenset({"upsales:suggested"}))


def shared_phone(service: Service) -> tuple[dict[str, Any], Case]:
    """A switchboard number two Upsales contacts share: both are suggested."""
    other = upsales_contact(
        service,
        name="Växel Nordvind",
        email="vaxel@nordvind.example",
        phone="+46701112233",
        client=1,
    )
    me = fd_contact(service, name="Someone", email="x@freshmail.example", phone="0046 70 111 22 33")
    return body_of(me), Case("suggested", "phone", (ASTRID, other["id"]))


def two_people_one_name(service: Service) -> tuple[dict[str, Any], Case]:
    """Two Mårten Sjöbergs at Fjällgruppen: both suggested, neither picked."""
    twin = upsales_contact(
        service, name="Mårten Sjöberg", email="m.sjoberg2@fjallgruppen.example", client=2
    )
    me = fd_contact(service, name="Mårten Sjöberg", email="marten@fjallgruppen.example")
    return body_of(me), Case("suggested", "name_at_domain", (MARTEN, twin["id"]))


def free_mail_domain(service: Service) -> tuple[dict[str, Any], Case]:
    """gmail.com names no account: the same name there suggests nobody."""
    upsales_contact(service, name="Jane Doe", email="jane@gmail.com", client=3)
    me = fd_contact(service, name="Jane Doe", email="jane.doe@gmail.com")
    return body_of(me), Case("not_found", codes=frozenset({"upsales:not_found"}))


def non_ascii_name(service: Service) -> tuple[dict[str, Any], Case]:
    """Søren's name in capitals and decomposed (å as a + ring): the same name."""
    typed = unicodedata.normalize("NFD", "SØREN  ØDEGÅRD")
    me = fd_contact(service, name=typed, email="soren@havbris.example")
    return body_of(me), Case("suggested", "name_at_domain", (SOREN,))


def deleted_link(service: Service) -> tuple[dict[str, Any], Case]:
    """Linked to a contact deleted in Upsales: said, and the email is tried."""
    gone = upsales_contact(service, name="Gone", email="gone@nordvind.example", client=1)
    service.us.store.delete("contacts", gone["id"])
    me = fd_contact(
        service,
        name="Astrid Lindqvist",
        email="astrid.lindqvist.2@nordvind.example",
        other_emails=[FOUND],
        unique_external_id=f"upsales:{gone['id']}",
    )
    return body_of(me), Case("found", "other_email", (ASTRID,), frozenset({"upsales:link_gone"}))


def link_beats_email(service: Service) -> tuple[dict[str, Any], Case]:
    """The address is Astrid's, the link names Mårten: the agent's link wins."""
    me = fd_contact(service, name="Shared inbox", email=FOUND.upper().replace("ASTRID", "astrid"))
    service.fd.store.contacts[me["id"]]["unique_external_id"] = f"upsales:{MARTEN}"
    return body_of(me), Case("found", "link", (MARTEN,))


def foreign_external_id(service: Service) -> tuple[dict[str, Any], Case]:
    """Another system's id in the field is not ours: the email decides."""
    me = fd_contact(service, name="Astrid", email="astrid2@x.example", other_emails=[FOUND])
    service.fd.store.contacts[me["id"]]["unique_external_id"] = "ERP-4711"
    return body_of(me), Case("found", "other_email", (ASTRID,))


CASES: dict[str, Callable[[Service], tuple[dict[str, Any], Case]]] = {
    "changed email, linked": changed_email_linked,
    "changed email, same phone": changed_email_same_phone,
    "shared phone": shared_phone,
    "two people with one name": two_people_one_name,
    "free-mail domain": free_mail_domain,
    "non-ASCII name": non_ascii_name,
    "link to a deleted contact": deleted_link,
    "link beats the email": link_beats_email,
    "another system's external id": foreign_external_id,
}


@pytest.mark.parametrize("name", list(CASES))
async def test_matching(service: Service, name: str) -> None:
    body, want = CASES[name](service)
    resp = await service.http.post("/v1/card", json=body, headers=HEADERS)
    assert resp.status_code == 200, resp.text
    card = resp.json()
    assert card["status"] == want.status
    assert want.codes <= {f"{e['source']}:{e['code']}" for e in card["errors"]}
    if want.status == "found":
        up = card["card"]["upsales"]
        assert (up["id"], up["matched_by"]) == (want.ids[0], want.how)
        assert card["card"]["candidates"] == []
    elif want.status == "suggested":
        found = card["card"]["candidates"]
        assert sorted(c["id"] for c in found) == sorted(want.ids)
        assert {c["reason"] for c in found} == {want.how}
        assert card["card"]["upsales"] is None  # nothing to act on until linked
        assert 'data-action="link-contact"' in card["html"]
        assert 'data-action="update-freshdesk"' not in card["html"]
        assert 'data-action="log-ticket"' not in card["html"]
    else:
        assert card["card"]["upsales"] is None
        assert card["card"]["candidates"] == []


async def test_a_linked_contact_is_read_with_its_deals_in_one_round(service: Service) -> None:
    """The link names the id, so the contact, its deals and its activities go out together;
    its account is the one the contact embeds (no account call)."""
    body, _ = changed_email_linked(service)
    card = (await service.http.post("/v1/card", json=body, headers=HEADERS)).json()
    by_route = service.us.stats.by_route
    assert by_route.get("GET /api/v2/contacts/{id}") == 1
    assert by_route.get("GET /api/v2/orders") == 1
    assert by_route.get("GET /api/v2/activities") == 1
    assert "GET /api/v2/accounts/{id}" not in by_route
    assert card["card"]["upsales"]["account"]["managers"]


async def test_the_card_says_why_it_matched(service: Service) -> None:
    body, _ = changed_email_same_phone(service)
    en = (await service.http.post("/v1/card", json=body, headers=HEADERS)).json()
    assert "Same phone" in en["html"]
    body["locale"] = "sv"
    sv = (await service.http.post("/v1/card", json=body, headers=HEADERS)).json()
    assert "Samma telefonnummer" in sv["html"]
    body, _ = non_ascii_name(service)
    named = (await service.http.post("/v1/card", json=body, headers=HEADERS)).json()
    assert "Same name at the company with this domain" in named["html"]


async def test_a_deleted_link_offers_to_link_again(service: Service) -> None:
    body, _ = deleted_link(service)
    card = (await service.http.post("/v1/card", json=body, headers=HEADERS)).json()
    assert "The linked Upsales contact no longer exists" in card["html"]
    assert 'data-action="link-contact"' in card["html"]  # relink the one found by email


async def test_a_custom_field_can_hold_the_link() -> None:
    async with running(link_field="custom_fields.upsales_id") as service:
        me = fd_contact(
            service,
            name="Astrid",
            email="astrid@elsewhere.example",
            custom_fields={"upsales_id": "1"},
            unique_external_id="upsales:2",  # not the configured field: ignored
        )
        card = (await service.http.post("/v1/card", json=body_of(me), headers=HEADERS)).json()
    assert (card["card"]["upsales"]["id"], card["card"]["upsales"]["matched_by"]) == (1, "link")


def test_an_unknown_link_field_is_refused() -> None:
    from upsales_freshdesk.settings import Settings

    with pytest.raises(ValueError, match="unique_external_id or custom_fields"):
        Settings(link_field="email")


@pytest.mark.parametrize(
    ("scenario", "status", "how", "ids"),
    [
        ("phone_match", "suggested", "phone", [ASTRID]),
        ("name_at_domain", "suggested", "name_at_domain", [SOREN]),
        ("linked", "found", "link", [3]),
    ],
)
async def test_the_demo_scenarios(
    service: Service, scenario: str, status: str, how: str, ids: list[int]
) -> None:
    card = (await service.card(scenario)).json()
    assert card["status"] == status
    if status == "found":
        up = card["card"]["upsales"]
        assert ([up["id"]], up["matched_by"]) == (ids, how)
    else:
        assert [(c["id"], c["reason"]) for c in card["card"]["candidates"]] == [
            (i, how) for i in ids
        ]
