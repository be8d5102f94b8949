"""A reused idempotency key with a different body: 422, nothing done, the first answer
kept for the true repeat (IETF draft "The Idempotency-Key HTTP Header Field", 2.7)."""

from __future__ import annotations

from typing import Any

from tests.support.service import HEADERS, Service
from tests.support.writes import act, card_of, post, writes
from upsales_freshdesk.web import idempotency

PUT = "PUT /api/v2/contacts/{id}"


def update(card: dict[str, Any], fields: list[str], key: str) -> dict[str, Any]:
    return {
        "freshdesk_contact_id": card["card"]["freshdesk"]["id"],
        "upsales_contact_id": card["card"]["upsales"]["id"],
        "fields": fields,
        "freshdesk_updated_at": card["card"]["freshdesk"]["updated_at"],
        "idempotency_key": key,
    }


async def test_a_key_reused_for_another_request_is_refused_and_does_nothing(
    service: Service,
) -> None:
    card = await card_of(service, "different")
    fd_id = card["card"]["freshdesk"]["id"]
    first = await act(service, "update-freshdesk", update(card, ["phone"], "click-abcdef12"))
    assert first["details"]["applied"] == ["phone"]
    other = await post(service, "update-freshdesk", update(card, ["title"], "click-abcdef12"))
    assert other.status_code == 422, other.text
    assert "Idempotent-Replayed" not in other.headers
    assert other.json()["errors"][0]["code"] == "invalid_request"
    contact = service.fd.store.contacts[fd_id]  # type: ignore[attr-defined]
    assert contact["job_title"] == "Teknisk chef"  # not written
    assert writes(service, PUT, "fd") == 1
    again = await post(service, "update-freshdesk", update(card, ["phone"], "click-abcdef12"))
    assert again.status_code == 200
    assert again.json() == first
    assert again.headers["Idempotent-Replayed"] == "true"
    elsewhere = await post(
        service, "undo-update", {"token": "x.y", "idempotency_key": "click-abcdef12"}
    )
    assert elsewhere.status_code == 400  # keys are per action: another action runs as asked


async def test_a_key_reused_with_another_locale_is_another_body(service: Service) -> None:
    card = await card_of(service, "different")
    await act(service, "update-freshdesk", update(card, ["phone"], "click-abcdef13"))
    body = {**update(card, ["phone"], "click-abcdef13"), "locale": "sv"}
    await act(service, "update-freshdesk", body, status=422)


def test_the_fingerprint_is_the_body_without_its_key() -> None:
    a = idempotency.fingerprint({"fields": ["phone"], "x": 1})
    assert a == idempotency.fingerprint({"x": 1, "fields": ["phone"]})
    assert a != idempotency.fingerprint({"fields": ["title"], "x": 1})


async def test_a_store_that_keeps_no_fingerprint_replays_as_before() -> None:
    """A store that drops the fingerprint (a Redis store written before it) replays the
    first answer, marked, rather than refusing: the check needs what it kept."""
    calls = 0

    async def call() -> idempotency.Answer:
        nonlocal calls
        calls += 1
        return idempotency.Answer(200, {"n": calls})

    class Forgetful(idempotency.LocalOnce):
        def remembered(self, request_key: str) -> idempotency.Answer | None:
            earlier = super().remembered(request_key)
            return (
                None
                if earlier is None
                else idempotency.Answer(earlier.status, earlier.body, replayed=True)
            )

    def refused() -> idempotency.Answer:
        return idempotency.Answer(422, {"refused": True})

    for once, second in ((idempotency.LocalOnce(), {"refused": True}), (Forgetful(), {"n": 1})):
        calls = 0
        first = await idempotency.run_once(once, "k", "r", call, fingerprint="a", reused=refused)
        other = await idempotency.run_once(once, "k", "r", call, fingerprint="b", reused=refused)
        same = await idempotency.run_once(once, "k", "r", call, fingerprint="a", reused=refused)
        assert (first.body, other.body, same.body, calls) == ({"n": 1}, second, {"n": 1}, 1)
        assert same.replayed


async def test_a_key_reused_on_another_replica_is_refused_too(redis_url: str) -> None:
    """With Redis, the fingerprint travels with the remembered answer."""
    from tests.support.replicas import CREATE, EMAIL, create_body, replicas

    async with replicas(2, redis_url=redis_url) as (one, two):
        first = await one.http.post(CREATE, json=create_body(), headers=HEADERS)
        assert first.status_code == 200, first.text
        other = {**create_body(), "title": "VD"}
        refused = await two.http.post(CREATE, json=other, headers=HEADERS)
        assert refused.status_code == 422, refused.text
        again = await two.http.post(CREATE, json=create_body(), headers=HEADERS)
        assert again.json() == first.json()
        assert again.headers["Idempotent-Replayed"] == "true"
        contacts = one.us.store.all("contacts")  # type: ignore[attr-defined]
        assert [(c.get("email") or "").lower() for c in contacts].count(EMAIL) == 1
        assert one.us.stats.by_route.get("POST /api/v2/contacts") == 1
