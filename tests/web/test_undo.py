"""Undo tokens carry what the update wrote, signed; a token without it is not taken."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from upsales_freshdesk.web.undo import InvalidUndoError, UndoSigner, UndoTicket

TICKET = UndoTicket(
    "demo.freshdesk.com",
    7,
    {"phone": "+46 70 999 88 77", "job_title": "Teknisk chef"},
    datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
    {"phone": "+46 70 444 55 66", "job_title": None},
)


def _body(token: str) -> dict[str, object]:
    body = token.split(".")[0]
    data: dict[str, object] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return data


def _signed(signer: UndoSigner, data: dict[str, object]) -> str:
    payload = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return f"{body}.{signer._sign(payload)}"


def test_a_token_carries_the_values_written() -> None:
    signer = UndoSigner("a-secret-of-some-length-0123456789")
    assert signer.read(signer.issue(TICKET)) == TICKET


def test_the_values_written_cannot_be_altered() -> None:
    signer = UndoSigner("a-secret-of-some-length-0123456789")
    token = signer.issue(TICKET)
    data = _body(token)
    data["w"] = {"phone": "+46 70 111 22 33", "job_title": None}
    payload = base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    with pytest.raises(InvalidUndoError, match="not signed here"):
        signer.read(f"{payload}.{token.split('.')[1]}")


@pytest.mark.parametrize("written", [None, {"phone": "+46 70 444 55 66"}, "x"])
def test_a_token_without_every_value_written_is_not_taken(written: object) -> None:
    """Signed here, but issued before tokens carried the values: undo could not tell a
    colleague's edit in the same second from its own, so it does not try."""
    signer = UndoSigner("a-secret-of-some-length-0123456789")
    data = _body(signer.issue(TICKET))
    if written is None:
        del data["w"]
    else:
        data["w"] = written
    with pytest.raises(InvalidUndoError, match="no values written"):
        signer.read(_signed(signer, data))
