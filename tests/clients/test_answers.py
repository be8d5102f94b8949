"""Error bodies of both vendors (recorded ones, and any body at all), as the HTTP core
reads them."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.support.recorded import fixture
from upsales_freshdesk.clients.answers import parse_error_body


def test_freshdesk_validation_body() -> None:
    body = {
        "description": "Validation failed",
        "errors": [
            {"field": "email", "message": "It should be a unique value", "code": "duplicate_value"},
            {"field": "name", "message": "Missing", "code": "missing_field"},
        ],
    }
    message, errors = parse_error_body(json.dumps(body).encode())
    assert message == "Validation failed"
    assert [(e.field, e.code) for e in errors] == [
        ("email", "duplicate_value"),
        ("name", "missing_field"),
    ]


def test_freshdesk_code_message_body() -> None:
    body = b'{"code": "invalid_credentials", "message": "You have to be logged in."}'
    message, errors = parse_error_body(body)
    assert message == "You have to be logged in."
    assert errors[0].code == "invalid_credentials"


@pytest.mark.parametrize(
    "name", ["error_validation_400.json", "error_server_500_contactrelation_limit1.json"]
)
def test_recorded_upsales_error_bodies(name: str) -> None:
    recorded = fixture(f"upsales/{name}")["response"]["body"]
    message, errors = parse_error_body(json.dumps(recorded).encode())
    assert message == recorded["error"]["msg"]
    assert errors[0].code == recorded["error"]["key"]


def test_recorded_upsales_html_404() -> None:
    page = fixture("upsales/error_notfound_404_tickettype_limit1.json")["response"]["body"]
    message, errors = parse_error_body(page.encode())
    assert message == "Cannot GET /api/v2/ticketType"
    assert errors == ()


def test_plain_text_and_string_errors() -> None:
    assert parse_error_body(b"Unauthorized") == ("Unauthorized", ())
    assert parse_error_body(b'{"error": "Bad key"}')[0] == "Bad key"
    assert parse_error_body(b"") == ("", ())


@given(
    st.one_of(
        st.binary(max_size=300),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda kids: (
                st.lists(kids, max_size=4)
                | st.dictionaries(
                    st.sampled_from(
                        ["error", "errors", "description", "message", "code", "msg", "key", "field"]
                    ),
                    kids,
                    max_size=5,
                )
            ),
            max_leaves=12,
        ).map(lambda v: json.dumps(v).encode()),
    )
)
def test_error_body_parsing_never_raises(body: bytes) -> None:
    message, errors = parse_error_body(body)
    assert isinstance(message, str)
    assert len(message) <= 300
    assert all(isinstance(e.message, str) for e in errors)


def test_huge_messages_are_cut() -> None:
    message, errors = parse_error_body(
        json.dumps(
            {
                "description": "x" * 10_000,
                "errors": [{"field": "f", "message": "y" * 10_000, "code": "c"}] * 500,
            }
        ).encode()
    )
    assert len(message) == 300
    assert len(errors) == 50
    assert len(errors[0].message) == 300
