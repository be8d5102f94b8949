"""Creating a missing Upsales contact: prefilled form, and a create that never duplicates."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.support.faults import lost_answer, not_arrived, rate_limited
from tests.support.service import Service, running
from tests.support.writes import EMAIL, act, create_body, post, ten_at_once, writes
from upsales_freshdesk.emulators.scenarios import SCENARIOS


def with_email(service: Service, email: str) -> list[dict[str, Any]]:
    contacts = service.us.store.all("contacts")
    return [c for c in contacts if (c.get("email") or "").lower() == email]


async def test_creating_a_missing_contact(service: Service) -> None:
    created = await act(service, "create-upsales", create_body())
    assert created["status"] == "done"
    card = (await service.card("not_found")).json()
    assert card["status"] == "found"
    assert card["card"]["upsales"]["title"] == "Lagerchef"
    # A second, separate click (its own key) finds the contact there and writes nothing.
    second = await act(
        service, "create-upsales", create_body(idempotency_key="click-2-abcdef"), 409
    )
    assert second["errors"][0]["code"] == "changed"
    assert len(with_email(service, EMAIL)) == 1


async def test_the_form_is_prefilled_with_every_mapped_freshdesk_field(service: Service) -> None:
    requester = next(c for c in service.fd.store.contacts.values() if c["email"] == EMAIL)
    assert requester["job_title"]  # the seed gives the scenario a title
    form = await act(
        service, "contact-form", {"email": EMAIL, "freshdesk_contact_id": requester["id"]}
    )
    html = form["html"]
    for field in ("name", "phone", "job_title"):
        if requester[field]:
            assert f'value="{requester[field]}"' in html, field
    if requester["mobile"]:
        assert f'value="{requester["mobile"]}"' in html


async def test_ten_identical_creates_at_once_create_one_contact_and_one_account(
    service: Service,
) -> None:
    new = create_body(account={"name": "Helt Nytt Bolag AB"}, idempotency_key="click-1-abcdef")
    answers = await ten_at_once(service, "create-upsales", new)
    assert [a.status_code for a in answers] == [200] * 10
    ids = {a.json()["details"]["upsales_contact_id"] for a in answers}
    assert len(ids) == 1
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 9
    assert len(with_email(service, EMAIL)) == 1
    accounts = service.us.store.all("accounts")
    assert [a["name"] for a in accounts].count("Helt Nytt Bolag AB") == 1
    assert writes(service, "POST /api/v2/contacts") == 1
    assert writes(service, "POST /api/v2/accounts") == 1


async def test_ten_creates_with_different_keys_still_create_once(service: Service) -> None:
    keyed = [create_body(idempotency_key=f"click-{i}-abcdef") for i in range(10)]
    answers = list(await asyncio.gather(*(post(service, "create-upsales", b) for b in keyed)))
    assert sorted(a.status_code for a in answers) == [200] + [409] * 9
    assert len(with_email(service, EMAIL)) == 1


async def test_a_replay_answers_the_first_result_without_writing(service: Service) -> None:
    first = await post(service, "create-upsales", create_body())
    replay = await post(service, "create-upsales", create_body())
    assert replay.status_code == first.status_code == 200
    assert replay.json() == first.json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert writes(service, "POST /api/v2/contacts") == 1


async def test_a_lost_answer_is_looked_up_never_posted_again(service: Service) -> None:
    """The contact was created but the 502 hid it: the action finds it by email."""
    service.us.faults.set(lost_answer("POST", match="^/api/v2/contacts$"))
    answer = await post(service, "create-upsales", create_body())
    service.us.faults.clear()
    assert answer.status_code == 200, answer.text
    assert writes(service, "POST /api/v2/contacts") == 1
    (contact,) = with_email(service, EMAIL)
    assert answer.json()["details"]["upsales_contact_id"] == contact["id"]


async def test_a_lost_account_answer_does_not_make_a_second_account(service: Service) -> None:
    service.us.faults.set(lost_answer("POST", match="^/api/v2/accounts$"))
    answer = await post(service, "create-upsales", create_body(account={"name": "Ett Bolag AB"}))
    service.us.faults.clear()
    assert answer.status_code == 200, answer.text
    accounts = service.us.store.all("accounts")
    assert [a["name"] for a in accounts].count("Ett Bolag AB") == 1


async def test_a_failure_before_arrival_is_reported_and_can_be_retried(service: Service) -> None:
    service.us.faults.set(not_arrived("POST", match="^/api/v2/contacts$"))
    failed = await post(service, "create-upsales", create_body())
    service.us.faults.clear()
    assert failed.status_code == 502
    assert with_email(service, EMAIL) == []
    retried = await post(service, "create-upsales", create_body())  # the same click, retried
    assert retried.status_code == 200
    assert retried.headers.get("Idempotent-Replayed") is None  # a failure is not remembered
    assert len(with_email(service, EMAIL)) == 1


async def test_a_rate_limited_create_is_not_forgotten(service: Service) -> None:
    """A 429 is a refusal (nothing was created): a short wait is ridden out at once, and a
    long one is told to the agent, whose later click creates the contact."""
    long_wait = rate_limited(30, method="POST")
    service.us.faults.set(long_wait)
    limited = await post(service, "create-upsales", create_body())
    assert limited.status_code == 429
    assert limited.json()["errors"][0]["code"] == "rate_limited"
    assert limited.headers["Retry-After"] == "30"
    assert with_email(service, EMAIL) == []
    service.pass_time(30)
    later = await post(service, "create-upsales", create_body())  # the agent tries again later
    assert later.status_code == 200
    assert len(with_email(service, EMAIL)) == 1


async def test_a_short_rate_limit_on_a_create_is_ridden_out(service: Service) -> None:
    service.us.faults.set(rate_limited(0.2, method="POST"))
    answer = await post(service, "create-upsales", create_body())
    assert answer.status_code == 200
    assert writes(service, "POST /api/v2/contacts") == 2  # the 429, then the create
    assert len(with_email(service, EMAIL)) == 1


async def test_an_account_that_is_not_the_agents_choice_is_refused() -> None:
    """Ids that do not belong together: the email is checked against Upsales first."""
    async with running() as service:
        taken = SCENARIOS["found"].email
        answer = await act(service, "create-upsales", create_body(email=taken), status=409)
        assert answer["errors"][0]["code"] == "changed"
        assert writes(service, "POST /api/v2/contacts") == 0


async def test_an_invisible_value_is_not_sent_and_an_invisible_name_is_refused(
    service: Service,
) -> None:
    created = await act(
        service, "create-upsales", create_body(phone="\u200b", title="\u2060\u3164")
    )
    assert created["status"] == "done"
    (contact,) = with_email(service, EMAIL)
    assert not contact.get("phone")
    assert not contact.get("title")
    other = "someone.else@example.org"
    await act(service, "create-upsales", create_body(email=other, name="\u200b\u200b"), 400)
    await act(service, "create-upsales", create_body(email=other, account={"name": "\u2800"}), 400)
    assert with_email(service, other) == []
