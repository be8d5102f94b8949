"""The models read every recorded payload, with its type variance."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.recorded import fixture
from upsales_freshdesk.clients.freshdesk import models as fd
from upsales_freshdesk.clients.upsales import models as us

POSTMAN = fixture("upsales/postman_examples.json")


def recorded(name: str) -> list[dict[str, object]]:
    data = fixture(f"upsales/{name}")["response"]["body"]["data"]
    return data if isinstance(data, list) else [data]


@pytest.mark.parametrize(
    "name",
    [
        "contacts_list_limit10.json",
        "contacts_list_limit1.json",
        "contact_create_full.json",
        "contact_create_minimal.json",
    ],
)
def test_recorded_upsales_contacts(name: str) -> None:
    for raw in recorded(name):
        contact = us.Contact.model_validate(raw)
        assert contact.active is True  # sent as 1
        assert contact.client is not None


def test_empty_strings_are_none_and_dates_parse_with_or_without_millis() -> None:
    (minimal,) = recorded("contact_create_minimal.json")
    contact = us.Contact.model_validate(minimal)
    assert contact.email is None
    assert contact.name is None
    assert contact.modDate == datetime(2025, 11, 7, 1, 23, 34, tzinfo=UTC)
    assigned = us.Assigned.model_validate({"regDate": "2025-11-07T01:23:34Z"})
    assert assigned.regDate == datetime(2025, 11, 7, 1, 23, 34, tzinfo=UTC)


def test_account_managers_are_client_users_not_reg_by() -> None:
    raw = next(c for c in recorded("contacts_list_limit10.json") if c["regBy"])
    contact = us.Contact.model_validate(raw)
    assert contact.regBy is not None
    assert contact.client is not None
    assert contact.regBy.id not in {u.id for u in contact.client.users}


@pytest.mark.parametrize(
    "name", ["accounts_list_limit1.json", "accounts_list_limit1_20251202_id102.json"]
)
def test_recorded_accounts_with_assigned_as_object(name: str) -> None:
    (raw,) = recorded(name)
    account = us.Account.model_validate(raw)
    assert account.assigned is not None
    assert account.assigned.user is not None
    assert account.users


def test_assigned_as_empty_array_is_none() -> None:
    raw = POSTMAN["Company: Get company"]["response"]["body"]["data"]
    assert raw["assigned"] == []
    assert us.Account.model_validate(raw).assigned is None


def test_recorded_users_incl_ghosts_with_null_roles() -> None:
    users = [us.User.model_validate(u) for u in recorded("users_list_limit10.json")]
    assert any(u.role is None for u in users)
    assert all(isinstance(u.administrator, bool) for u in users)


def test_documented_orders_activities_and_self() -> None:
    order = us.Order.model_validate(
        POSTMAN["Opportunity: Get Opportunity"]["response"]["body"]["data"]
    )
    assert order.is_open_opportunity
    assert not order.is_order
    activity = us.Activity.model_validate(
        POSTMAN["Tasks: Get activity"]["response"]["body"]["data"]
    )
    assert not activity.is_closed
    me = us.SelfInfo.model_validate(POSTMAN["Users: Self"]["response"]["body"]["data"])
    assert me.client is not None


def test_freshdesk_fixtures_including_older_field_names() -> None:
    contact = fd.Contact.model_validate(fixture("freshdesk/contact.json"))
    assert contact.other_emails == []
    ticket = fd.Ticket.model_validate(fixture("freshdesk/ticket_1.json"))
    assert ticket.requester is not None
    assert ticket.requester.id == 43026449322  # beyond 32 bits
    agent = fd.Agent.model_validate(fixture("freshdesk/agent_1.json"))
    assert agent.contact.mobile == "1234"  # sent as a number
    company = fd.Company.model_validate(fixture("freshdesk/company.json"))
    assert company.domains == ["supernova", "nova", "super"]
    note = fd.Conversation.model_validate(fixture("freshdesk/note_1.json"))
    assert note.private
    assert [c.id for c in map(fd.Contact.model_validate, fixture("freshdesk/contacts.json"))] == [
        1,
        1,
    ]


def test_models_ignore_unknown_fields() -> None:
    contact = us.Contact.model_validate({"id": 1, "brandNewField": {"x": 1}})
    assert not hasattr(contact, "brandNewField")
