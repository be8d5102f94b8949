"""The matching rules: phones as E.164, names, free-mail domains, and the JSON or-query
Upsales documents."""

from __future__ import annotations

import json
import unicodedata

import pytest

from upsales_freshdesk.clients import Filters
from upsales_freshdesk.clients.freshdesk.models import Contact
from upsales_freshdesk.rules.contact_link import Link, LinkField
from upsales_freshdesk.rules.matching import e164, is_free_mail, phone_filters, same_name, spellings


@pytest.mark.parametrize(
    ("typed", "region", "number"),
    [
        ("070-111 22 33", "SE", "+46701112233"),
        ("+46 70 111 22 33", "SE", "+46701112233"),
        ("0046 70 111 22 33", "SE", "+46701112233"),
        ("+358 401 23 456", "SE", "+35840123456"),
        ("040 123456", "FI", "+35840123456"),
        ("12", "SE", None),
        ("call me", "SE", None),
        ("\u200b", "SE", None),
    ],
)
def test_phones_as_e164(typed: str, region: str, number: str | None) -> None:
    assert e164(typed, region) == number


def test_the_spellings_asked_of_upsales() -> None:
    found = spellings("070-111 22 33", "SE")
    assert {"070-111 22 33", "+46701112233", "+46 70 111 22 33", "0701112233"} <= set(found)
    assert spellings("nothing", "SE") == []


def test_one_query_for_phone_or_mobile() -> None:
    (param,) = list(phone_filters(["070-111 22 33"], "SE") or Filters())
    key, text = param
    groups = json.loads(text)["or"]["q"]
    assert key == "q"
    assert [g[0]["a"] for g in groups] == ["phone", "cellPhone"]
    assert all(g[0]["c"] == "eq" and "+46701112233" in g[0]["v"] for g in groups)
    assert phone_filters(["no number"], "SE") is None


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("Søren Ødegård", "SØREN  ødegård", True),
        ("Søren Ødegård", unicodedata.normalize("NFD", "Søren Ødegård"), True),
        ("Søren Ødegård", "Soren Odegard", False),  # never folded to ASCII
        ("", "", False),
        (None, None, False),
    ],
)
def test_names(a: str | None, b: str | None, same: bool) -> None:
    assert same_name(a, b) is same


@pytest.mark.parametrize(
    ("domain", "free"),
    [("gmail.com", True), ("Hotmail.SE", True), ("freshmail.example", True), ("acme.se", False)],
)
def test_free_mail(domain: str, free: bool) -> None:
    assert is_free_mail(domain) is free


def test_a_value_with_a_comma_is_refused_in_an_or_query_too() -> None:
    with pytest.raises(ValueError, match="comma"):
        Filters().any_of(("name", "eq", ["a,b"]))


@pytest.mark.parametrize(
    ("field", "raw", "link"),
    [
        ("unique_external_id", "upsales:12", Link(12)),
        ("unique_external_id", "12", Link(foreign=True)),  # not ours: another system's
        ("unique_external_id", None, Link()),
        ("unique_external_id", "ERP-1", Link(foreign=True)),
        ("custom_fields.upsales_id", "12", Link(12)),
        ("custom_fields.upsales_id", 12, Link(12)),
        ("custom_fields.upsales_id", "upsales:12", Link(12)),
        ("custom_fields.upsales_id", "", Link()),
    ],
)
def test_reading_the_link(field: str, raw: object, link: Link) -> None:
    where = LinkField.of(field)
    if where.custom:
        contact = Contact(id=1, custom_fields={where.custom: raw})
    else:
        contact = Contact(id=1, unique_external_id=raw)
    assert where.read(contact) == link
