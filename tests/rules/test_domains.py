"""The Freshdesk domain gate: only <sub>.freshdesk.com (or an operator's host) passes."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.service import HEADERS, Service
from upsales_freshdesk.rules.domains import (
    InvalidDomainError,
    account_of,
    check_freshdesk_domain,
)

HOSTILE = [
    "",
    "localhost",
    "127.0.0.1",
    "169.254.169.254",
    "[::1]",
    "0x7f.0.0.1",
    "2130706433",
    "10.0.0.1.freshdesk.com.evil.example",
    "acme.freshdesk.com.evil.example",
    "evil.example",
    "freshdesk.com",
    ".freshdesk.com",
    "acme.freshdesk.com.",
    "acme.freshdesk.com:443",
    "acme.freshdesk.com:8080",
    "user@acme.freshdesk.com",
    "user:pass@acme.freshdesk.com",
    "acme.freshdesk.com#@evil.example",
    "acme.freshdesk.com/../",
    "acme.freshdesk.com/path",
    "acme.freshdesk.com?x=1",
    "acme%2efreshdesk.com",
    "acme.freshdesk%2ecom",
    "acme.freshdesk.com%00",
    "acme.freshdesk.com\n",
    "acme.freshdesk.com\r\nHost: evil",
    " acme.freshdesk.com",
    "acme.freshdesk.com ",
    "https://acme.freshdesk.com",
    "//acme.freshdesk.com",
    "acme.fréshdesk.com",
    "acme.freshdesk.c\u03bfm",
    "xn--acme-9za.freshdesk.com.evil",
    "acme..freshdesk.com",
    "-acme.freshdesk.com",
    "acme-.freshdesk.com",
    "a" * 64 + ".freshdesk.com",
    "acme.freshdesk.co",
    "acme.freshdesk.com.cn",
    "acme_x.freshdesk.com",
    "acme\\.freshdesk.com",
    "acme.freshdesk.com\t",
    "acme.freshdesk.com@evil.example",
    "ACME.FRESHDESK.COM.evil.example",
]


@pytest.mark.parametrize("domain", HOSTILE)
def test_hostile_domains_are_refused(domain: str) -> None:
    with pytest.raises(InvalidDomainError):
        check_freshdesk_domain(domain)


@pytest.mark.parametrize(
    ("domain", "host"),
    [
        ("acme.freshdesk.com", "acme.freshdesk.com"),
        ("ACME.Freshdesk.COM", "acme.freshdesk.com"),
        ("my-co2.freshdesk.com", "my-co2.freshdesk.com"),
    ],
)
def test_freshdesk_domains_pass(domain: str, host: str) -> None:
    assert check_freshdesk_domain(domain) == host
    assert account_of(host) == host.split(".")[0]


def test_an_operator_host_passes_only_when_listed() -> None:
    with pytest.raises(InvalidDomainError):
        check_freshdesk_domain("support.acme.example")
    assert (
        check_freshdesk_domain("support.acme.example", {"support.acme.example"})
        == "support.acme.example"
    )


@given(st.text(max_size=80))
def test_nothing_but_a_freshdesk_host_ever_passes(raw: str) -> None:
    try:
        host = check_freshdesk_domain(raw)
    except InvalidDomainError:
        return
    assert re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.freshdesk\.com", host)


@pytest.mark.parametrize("domain", HOSTILE[1:])
async def test_no_upstream_call_is_made_for_a_hostile_domain(service: Service, domain: str) -> None:
    if any(c in domain for c in "\r\n"):
        return  # httpx itself refuses to send such a header
    raw: str | bytes = domain if domain.isascii() else domain.encode()  # as an attacker would
    resp = await service.http.post(
        "/v1/card", json=service.body("found"), headers={**HEADERS, "X-Freshdesk-Domain": raw}
    )
    assert resp.status_code == 400
    assert resp.json()["errors"][0]["code"] == "invalid_domain"
    assert service.upstream_calls() == (0, 0)
