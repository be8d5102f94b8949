"""Our Upsales triggers (``sync/triggers.py``) against the Upsales emulator: installed once
whatever the runs, brought up to date in place, read back, and, fired by a contact
update, delivering the receiver's poke."""

from __future__ import annotations

import json

import httpx
import pytest

from upsales_freshdesk.clients import Deadline, UpsalesClient
from upsales_freshdesk.emulators.freshdesk.webhooks import WebhookRequest
from upsales_freshdesk.emulators.upsales.app import DEFAULT_TOKEN, UpsalesEmulator
from upsales_freshdesk.sync.triggers import (
    SPECS,
    install,
    present,
    receiver_url,
    sends_secret,
    shown_url,
    trigger_body,
    up_to_date,
)

SECRET = "Kq3v_Tr1gg3r-s3cret.for~the-upsales-tests"
SERVICE = "https://ufd.example.com"
URL = f"{SERVICE}/v1/webhooks/upsales/{SECRET}"
KEY = {"token": DEFAULT_TOKEN}


def soon() -> Deadline:
    return Deadline.after(30)


def test_the_receivers_url_carries_the_secret_as_its_last_segment() -> None:
    assert receiver_url(SERVICE, SECRET) == URL
    assert receiver_url("https://UFD.example.com/base/", SECRET) == (
        f"https://ufd.example.com/base/v1/webhooks/upsales/{SECRET}"
    )
    assert receiver_url(f"{SERVICE}/v1/webhooks/upsales", SECRET) == URL
    assert receiver_url("http://127.0.0.1:8080", SECRET).startswith("http://127.0.0.1:8080/v1/")
    assert shown_url(URL) == f"{SERVICE}/v1/webhooks/upsales/<secret>"


@pytest.mark.parametrize(
    ("base", "secret", "said"),
    [
        ("http://ufd.example.com", SECRET, "https"),
        ("ftp://ufd.example.com", SECRET, "https://<host>"),
        ("https://user:pw@ufd.example.com", SECRET, "user name"),
        ("https://ufd.example.com?x=1", SECRET, "query"),
        (SERVICE, "short", "at least 32"),
        (SERVICE, "a/secret/with/slashes/in/it/0123456789", "path would change"),
        (SERVICE, "a%20secret%20with%20escapes%20in%20it%20!!", "path would change"),
    ],
)
def test_a_wrong_url_or_secret_is_refused(base: str, secret: str, said: str) -> None:
    with pytest.raises(ValueError, match=said) as caught:
        receiver_url(base, secret)
    assert secret not in str(caught.value)


def test_the_bodies_are_what_the_receiver_takes() -> None:
    """Each trigger: on, one event, no criteria, a JSON POST of {entity, id, event}."""
    assert [(s.event, s.entity) for s in SPECS] == [
        ("after_contact_insert", "contact"),
        ("after_contact_update", "contact"),
        ("after_client_update", "account"),
    ]
    for spec in SPECS:
        body = trigger_body(spec, URL)
        assert (body["active"], body["events"], body["criterias"]) == (1, [spec.event], [])
        (action,) = body["actions"]
        props = {p["name"]: p["value"] for p in action["properties"]}
        assert action["alias"] == "SendWebRequest"
        assert (props["URL"], props["Method"], props["ContentType"]) == (
            URL,
            "POST",
            "application/json",
        )
        poke = json.loads(props["Body"])  # valid JSON before Upsales fills it in
        placeholder = "{{Contact.Id}}" if spec.entity == "contact" else "{{Client.Id}}"
        expected = {"entity": spec.entity, "id": placeholder, "event": spec.event}
        if spec.entity == "contact":  # the receiver's way to the id should it not render
            expected["email"] = "{{Contact.Email}}"
        assert poke == expected


async def test_install_twice_changes_nothing(us: UpsalesClient, us_emu: UpsalesEmulator) -> None:
    first = await install(us.triggers, URL, deadline=soon())
    assert [(i.spec.name, i.result) for i in first] == [(s.name, "created") for s in SPECS]
    stored = us_emu.store.triggers.listed()
    again = await install(us.triggers, URL, deadline=soon())
    assert [i.result for i in again] == ["unchanged"] * 3
    assert [i.found.id for i in again] == [i.found.id for i in first]
    assert us_emu.store.triggers.listed() == stored  # not even rewritten
    for item, spec in zip(again, SPECS, strict=True):
        assert up_to_date(item.found, spec, URL)
        assert sends_secret(item.found, SECRET)
        assert not sends_secret(item.found, SECRET + "x")


async def test_a_changed_url_or_trigger_is_updated_in_place(
    us: UpsalesClient, us_emu: UpsalesEmulator
) -> None:
    first = await install(us.triggers, URL, deadline=soon())
    contact_updated = first[1].found.id
    await us.triggers.update(contact_updated, {"active": 0, "events": ["after_contact_insert"]})
    moved = receiver_url("https://ufd2.example.com", SECRET)
    second = await install(us.triggers, moved, deadline=soon())
    assert [i.result for i in second] == ["updated"] * 3
    assert [i.found.id for i in second] == [i.found.id for i in first]
    assert len(us_emu.store.triggers.listed()) == 3
    fixed = us_emu.store.triggers.get(contact_updated)
    assert fixed is not None
    assert (fixed["active"], fixed["events"]) == (1, ["after_contact_update"])
    (action,) = fixed["actions"]
    assert {p["name"]: p["value"] for p in action["properties"]}["URL"] == moved


async def test_duplicates_are_left_alone_and_named(
    us: UpsalesClient, us_emu: UpsalesEmulator
) -> None:
    spec = SPECS[1]
    older = await us.triggers.create(trigger_body(spec, URL))
    twin = await us.triggers.create(trigger_body(spec, URL) | {"active": 0})
    done = await install(us.triggers, URL, deadline=soon())
    assert (done[1].result, done[1].found.id, done[1].duplicates) == (
        "unchanged",
        older.id,
        (twin.id,),
    )
    assert len(us_emu.store.triggers.listed()) == 4
    found = await present(us.triggers, deadline=soon())
    assert [len(p.found) for p in found] == [1, 2, 1]


async def test_the_installed_trigger_pokes_the_receiver_on_a_contact_update(
    us: UpsalesClient, us_emu: UpsalesEmulator
) -> None:
    """End to end through the emulator: the body parses as the receiver's poke."""
    sent: list[WebhookRequest] = []

    async def receiver(request: WebhookRequest) -> int:
        sent.append(request)
        return 202

    us_emu.store.webhooks.sender = receiver
    await install(us.triggers, URL, deadline=soon())
    await us.contacts.update(7, {"title": "Inköpschef"})
    await us_emu.store.webhooks.drain()
    (request,) = sent
    assert (request.method, request.url) == ("POST", URL)
    assert request.headers == {"Content-Type": "application/json"}
    poke = json.loads(request.body)
    assert poke == {
        "entity": "contact",
        "id": "7",
        "event": "after_contact_update",
        "email": "hostile@tundra.example",
    }
    assert int(poke["id"]) == 7  # a numeric string, as the receiver takes it
    created = await us.contacts.create({"client": {"id": 2}, "name": "Ny Kontakt"})
    transport = httpx.ASGITransport(app=us_emu)
    async with httpx.AsyncClient(transport=transport, base_url="http://t", cookies=KEY) as raw:
        await raw.put("/api/v2/accounts/2", json={"phone": "+46 8 555 00 00"})
    await us_emu.store.webhooks.drain()
    assert [json.loads(r.body) for r in sent[1:]] == [
        {"entity": "contact", "id": str(created.id), "event": "after_contact_insert", "email": ""},
        {"entity": "account", "id": "2", "event": "after_client_update"},
    ]
