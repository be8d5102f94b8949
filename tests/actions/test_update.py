"""Update Freshdesk from Upsales, and Undo: the write-path matrix against both emulators."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.faults import lost_answer, not_arrived, rate_limited
from tests.support.service import HEADERS, Service, running
from tests.support.writes import act, card_of, post, ten_at_once, writes
from upsales_freshdesk.emulators.scenarios import SCENARIOS
from upsales_freshdesk.settings import Settings

PUT = "PUT /api/v2/contacts/{id}"


def request(card: dict[str, Any], fields: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "freshdesk_contact_id": card["card"]["freshdesk"]["id"],
        "upsales_contact_id": card["card"]["upsales"]["id"],
        "fields": fields,
        "freshdesk_updated_at": card["card"]["freshdesk"]["updated_at"],
        **extra,
    }


def freshdesk(service: Service, contact_id: int) -> dict[str, Any]:
    contact: dict[str, Any] = service.fd.store.contacts[contact_id]
    return contact


async def test_update_writes_only_the_picked_fields_and_names_them(service: Service) -> None:
    card = await card_of(service, "different")
    result = await act(service, "update-freshdesk", request(card, ["phone"]))
    assert result["status"] == "done"
    assert result["details"]["applied"] == ["phone"]
    assert result["message"] == "Updated in Freshdesk: Phone."
    contact = freshdesk(service, card["card"]["freshdesk"]["id"])
    assert contact["phone"] == "+46 70 444 55 66"
    assert contact["job_title"] == "Teknisk chef"  # not picked, not written
    refreshed = await card_of(service, "different")
    assert [d["field"] for d in refreshed["differences"]] == ["title"]
    assert writes(service, PUT, "fd") == 1


async def test_an_empty_upsales_value_is_never_written_without_consent(service: Service) -> None:
    """The title difference where Upsales is empty is shown, but "apply" alone does not
    wipe it; only the explicit "clear" choice does."""
    card = await card_of(service, "different")
    upsales_id = card["card"]["upsales"]["id"]
    await service.edit_upsales(f"contacts/{upsales_id}", {"title": ""})
    card = await card_of(service, "different")
    title = next(d for d in card["differences"] if d["field"] == "title")
    assert title == {"field": "title", "freshdesk": "Teknisk chef", "upsales": None, "clears": True}
    assert 'name="clear" value="title"' in card["html"]
    assert 'name="apply" value="title"' not in card["html"]
    kept = await act(service, "update-freshdesk", request(card, ["title"]))
    assert kept["status"] == "unchanged"
    fd_id = card["card"]["freshdesk"]["id"]
    assert freshdesk(service, fd_id)["job_title"] == "Teknisk chef"
    cleared = await act(service, "update-freshdesk", request(card, ["title"], clear=["title"]))
    assert cleared["details"]["applied"] == ["title"]
    assert freshdesk(service, fd_id)["job_title"] in (None, "")


async def test_clear_must_name_a_picked_field(service: Service) -> None:
    card = await card_of(service, "different")
    await act(service, "update-freshdesk", request(card, ["phone"], clear=["title"]), status=400)
    assert writes(service, PUT, "fd") == 0


async def test_the_conflict_check_is_not_optional(service: Service) -> None:
    card = await card_of(service, "different")
    body = request(card, ["phone"])
    del body["freshdesk_updated_at"]
    refused = await act(service, "update-freshdesk", body, status=400)
    assert "freshdesk_updated_at" in refused["fields"][0]
    assert writes(service, PUT, "fd") == 0


async def test_a_contact_changed_since_the_card_is_not_written(service: Service) -> None:
    card = await card_of(service, "different")
    fd_id = card["card"]["freshdesk"]["id"]
    freshdesk(service, fd_id)["updated_at"] = "2026-11-25T12:00:00Z"
    result = await act(service, "update-freshdesk", request(card, ["phone", "title"]), 409)
    assert result["errors"][0]["code"] == "changed"
    assert "Sync again" in result["errors"][0]["message"]
    assert freshdesk(service, fd_id)["phone"] == "+46 70 999 88 77"
    assert writes(service, PUT, "fd") == 0


async def test_ids_that_do_not_belong_together_are_refused(service: Service) -> None:
    """Astrid's Freshdesk id with Mårten's Upsales id: she must not be renamed."""
    astrid, marten = await card_of(service, "found"), await card_of(service, "different")
    body = request(astrid, ["name"], upsales_contact_id=marten["card"]["upsales"]["id"])
    result = await act(service, "update-freshdesk", body, status=409)
    assert result["errors"][0]["code"] == "mismatch"
    assert freshdesk(service, astrid["card"]["freshdesk"]["id"])["name"] == "Astrid Lindqvist"
    assert writes(service, PUT, "fd") == 0


async def test_ten_identical_updates_at_once_write_once(service: Service) -> None:
    card = await card_of(service, "different")
    answers = await ten_at_once(
        service, "update-freshdesk", request(card, ["phone"], idempotency_key="click-abcdef12")
    )
    assert [a.status_code for a in answers] == [200] * 10
    assert {a.json()["details"]["applied"][0] for a in answers} == {"phone"}
    assert writes(service, PUT, "fd") == 1


async def test_a_replay_without_a_key_answers_the_first_result(service: Service) -> None:
    card = await card_of(service, "different")
    first = await post(service, "update-freshdesk", request(card, ["phone"]))
    replay = await post(service, "update-freshdesk", request(card, ["phone"]))
    assert first.status_code == replay.status_code == 200
    assert replay.json() == first.json()
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert writes(service, PUT, "fd") == 1


async def test_a_lost_answer_is_checked_not_reported_as_a_failure(service: Service) -> None:
    """The PUT arrived but its answer was lost (502): reading the contact shows it did."""
    card = await card_of(service, "different")
    service.fd.faults.set(lost_answer("PUT", times=1))
    answer = await post(service, "update-freshdesk", request(card, ["phone"]))
    assert answer.status_code == 200, answer.text
    assert answer.json()["details"]["applied"] == ["phone"]
    assert freshdesk(service, card["card"]["freshdesk"]["id"])["phone"] == "+46 70 444 55 66"


async def test_an_update_that_did_not_arrive_is_reported(service: Service) -> None:
    card = await card_of(service, "different")
    service.fd.faults.set(not_arrived("PUT"))
    answer = await post(service, "update-freshdesk", request(card, ["phone"]))
    service.fd.faults.clear()
    assert answer.status_code == 502
    assert freshdesk(service, card["card"]["freshdesk"]["id"])["phone"] == "+46 70 999 88 77"
    again = await post(service, "update-freshdesk", request(card, ["phone"]))  # retried
    assert again.status_code == 200
    assert freshdesk(service, card["card"]["freshdesk"]["id"])["phone"] == "+46 70 444 55 66"


async def test_a_rate_limited_update_can_be_done_later(service: Service) -> None:
    card = await card_of(service, "different")
    service.fd.faults.set(rate_limited(30, method="PUT"))
    limited = await post(service, "update-freshdesk", request(card, ["phone"]))
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "30"
    service.pass_time(30)
    later = await post(service, "update-freshdesk", request(card, ["phone"]))
    assert later.status_code == 200
    assert writes(service, PUT, "fd") == 2  # the refused one, and the one that counted


async def test_undo_puts_the_previous_values_back_once(service: Service) -> None:
    card = await card_of(service, "different")
    fd_id = card["card"]["freshdesk"]["id"]
    done = await act(service, "update-freshdesk", request(card, ["phone", "title"]))
    token = done["details"]["undo"]
    assert "Teknisk chef" not in token.split(".")[1]  # the signature part holds no data
    undone = await act(service, "undo-update", {"token": token})
    assert undone["message"] == "Put back in Freshdesk: Phone, Title."
    contact = freshdesk(service, fd_id)
    assert (contact["phone"], contact["job_title"]) == ("+46 70 999 88 77", "Teknisk chef")
    answers = await ten_at_once(service, "undo-update", {"token": token})
    assert {a.status_code for a in answers} == {200}
    assert writes(service, PUT, "fd") == 2  # the update and one undo


async def test_an_undo_whose_answer_was_lost_is_done_once(service: Service) -> None:
    card = await card_of(service, "different")
    fd_id = card["card"]["freshdesk"]["id"]
    done = await act(service, "update-freshdesk", request(card, ["phone"]))
    service.fd.faults.set(lost_answer("PUT", times=1))
    undone = await post(service, "undo-update", {"token": done["details"]["undo"]})
    assert undone.status_code == 200, undone.text
    assert freshdesk(service, fd_id)["phone"] == "+46 70 999 88 77"
    puts = writes(service, PUT, "fd")
    replay = await post(service, "undo-update", {"token": done["details"]["undo"]})
    assert replay.json() == undone.json()
    assert writes(service, PUT, "fd") == puts


async def test_a_rate_limited_undo_can_be_done_later(service: Service) -> None:
    card = await card_of(service, "different")
    fd_id = card["card"]["freshdesk"]["id"]
    done = await act(service, "update-freshdesk", request(card, ["phone"]))
    service.fd.faults.set(rate_limited(30, method="PUT"))
    limited = await post(service, "undo-update", {"token": done["details"]["undo"]})
    assert limited.status_code == 429
    assert freshdesk(service, fd_id)["phone"] == "+46 70 444 55 66"
    service.pass_time(30)
    later = await post(service, "undo-update", {"token": done["details"]["undo"]})
    assert later.status_code == 200, later.text
    assert freshdesk(service, fd_id)["phone"] == "+46 70 999 88 77"


async def test_undo_refuses_when_the_contact_changed_since(service: Service) -> None:
    card = await card_of(service, "different")
    fd_id = card["card"]["freshdesk"]["id"]
    done = await act(service, "update-freshdesk", request(card, ["phone"]))
    freshdesk(service, fd_id)["updated_at"] = "2030-01-01T00:00:00Z"  # someone edited it
    refused = await act(service, "undo-update", {"token": done["details"]["undo"]}, status=409)
    assert refused["errors"][0]["code"] == "undo_changed"
    assert freshdesk(service, fd_id)["phone"] == "+46 70 444 55 66"


async def test_undo_takes_only_its_own_untampered_token(service: Service) -> None:
    card = await card_of(service, "different")
    done = await act(service, "update-freshdesk", request(card, ["phone"]))
    body, sig = done["details"]["undo"].split(".")
    forged = await post(service, "undo-update", {"token": f"{body}x.{sig}"})
    assert forged.status_code == 400
    other = {**HEADERS, "X-Freshdesk-Domain": "other.freshdesk.com"}
    elsewhere = await service.http.post(
        "/v1/actions/undo-update", json={"token": done["details"]["undo"]}, headers=other
    )
    assert elsewhere.status_code == 409
    assert elsewhere.json()["errors"][0]["code"] == "mismatch"
    assert writes(service, PUT, "fd") == 1


async def test_nothing_to_update_is_said(service: Service) -> None:
    card = await card_of(service, "found")
    result = await act(service, "update-freshdesk", request(card, ["name"]))
    assert result["status"] == "unchanged"
    assert writes(service, PUT, "fd") == 0


async def test_the_field_mapping_is_configurable() -> None:
    with pytest.raises(ValueError, match="field_mapping"):
        Settings(field_mapping={"password": "name"})
    async with running(field_mapping={"phone": "cellPhone"}) as service:
        card = await card_of(service, "different")
        await act(service, "update-freshdesk", request(card, ["phone"]))
        contact = freshdesk(service, card["card"]["freshdesk"]["id"])
        assert contact["phone"] == card["card"]["upsales"]["cell_phone"]
        card = await card_of(service, "different")
        await act(service, "update-freshdesk", request(card, ["title"]), status=400)


async def test_bad_action_bodies(service: Service) -> None:
    await act(
        service,
        "update-freshdesk",
        {"freshdesk_contact_id": 1, "upsales_contact_id": 1, "fields": ["password"]},
        status=400,
    )
    await act(service, "log-ticket", {"ticket": {"id": -1}, "upsales_contact_id": 1}, status=400)
    assert service.upstream_calls() == (0, 0)
    assert SCENARIOS["different"].ticket_id == 2


#: Values a person cannot see: they count as empty wherever the product compares, shows
#: or writes a value (``clients/blank.py``).
INVISIBLE = ["\u200b", " \u200b\u2060\ufeff ", "\u3164", "\u2800", "\u200e\u00ad"]


@pytest.mark.parametrize("invisible", INVISIBLE, ids=ascii)
async def test_an_invisible_upsales_value_is_empty_and_never_written_without_consent(
    service: Service, invisible: str
) -> None:
    card = await card_of(service, "different")
    upsales_id = card["card"]["upsales"]["id"]
    await service.edit_upsales(f"contacts/{upsales_id}", {"phone": invisible, "title": invisible})
    card = await card_of(service, "different")
    assert (card["card"]["upsales"]["phone"], card["card"]["upsales"]["title"]) == (None, None)
    by_field = {d["field"]: d for d in card["differences"]}
    assert by_field["phone"] == {
        "field": "phone",
        "freshdesk": "+46 70 999 88 77",
        "upsales": None,
        "clears": True,
    }
    assert by_field["title"]["clears"] is True
    assert 'name="apply" value="phone"' not in card["html"]
    kept = await act(service, "update-freshdesk", request(card, ["phone", "title"]))
    assert kept["status"] == "unchanged"
    fd_id = card["card"]["freshdesk"]["id"]
    assert freshdesk(service, fd_id)["phone"] == "+46 70 999 88 77"
    assert freshdesk(service, fd_id)["job_title"] == "Teknisk chef"
    assert writes(service, PUT, "fd") == 0
    body = request(card, ["phone"], clear=["phone"])
    cleared = await act(service, "update-freshdesk", body)
    assert cleared["details"]["applied"] == ["phone"]
    assert freshdesk(service, fd_id)["phone"] is None  # cleared, not set to the invisible text


async def test_an_invisible_freshdesk_value_is_no_difference_from_an_empty_one(
    service: Service,
) -> None:
    card = await card_of(service, "different")
    upsales_id = card["card"]["upsales"]["id"]
    freshdesk(service, card["card"]["freshdesk"]["id"])["job_title"] = "\u200b"
    await service.edit_upsales(f"contacts/{upsales_id}", {"title": ""})
    card = await card_of(service, "different")
    assert "title" not in [d["field"] for d in card["differences"]]


async def test_undo_leaves_a_colleagues_change_made_in_the_same_second(service: Service) -> None:
    """Freshdesk's ``updated_at`` has one-second resolution: a colleague's edit in the
    same second does not move it. Undo compares the values too, and puts back nothing."""
    card = await card_of(service, "different")
    fd_id = card["card"]["freshdesk"]["id"]
    done = await act(service, "update-freshdesk", request(card, ["phone", "title"]))
    contact = freshdesk(service, fd_id)
    stamp = contact["updated_at"]
    contact.update(phone="+46 70 111 22 33", updated_at=stamp)  # a colleague, same second
    refused = await act(service, "undo-update", {"token": done["details"]["undo"]}, status=409)
    assert refused["errors"][0]["code"] == "undo_changed"
    assert refused["errors"][0]["message"] == (
        "Not undone: The Freshdesk contact changed after the update."
    )
    assert (contact["phone"], contact["job_title"]) == ("+46 70 111 22 33", "CTO")
    assert writes(service, PUT, "fd") == 1  # the update only


async def test_undo_still_puts_back_what_is_ours_when_nothing_of_it_moved(service: Service) -> None:
    """A same-second edit of a field the update did not write leaves undo possible, and
    that field as the colleague left it (undo writes only its own fields)."""
    card = await card_of(service, "different")
    fd_id = card["card"]["freshdesk"]["id"]
    done = await act(service, "update-freshdesk", request(card, ["phone"]))
    contact = freshdesk(service, fd_id)
    contact.update(job_title="Chef", updated_at=contact["updated_at"])
    undone = await act(service, "undo-update", {"token": done["details"]["undo"]})
    assert undone["details"]["applied"] == ["phone"]
    assert (contact["phone"], contact["job_title"]) == ("+46 70 999 88 77", "Chef")


async def test_an_undo_after_a_clear_compares_the_cleared_value(service: Service) -> None:
    card = await card_of(service, "different")
    fd_id = card["card"]["freshdesk"]["id"]
    await service.edit_upsales(f"contacts/{card['card']['upsales']['id']}", {"title": ""})
    card = await card_of(service, "different")
    done = await act(service, "update-freshdesk", request(card, ["title"], clear=["title"]))
    contact = freshdesk(service, fd_id)
    contact.update(job_title="Chef", updated_at=contact["updated_at"])  # filled again
    await act(service, "undo-update", {"token": done["details"]["undo"]}, status=409)
    assert contact["job_title"] == "Chef"
