"""Freshdesk's request rules: validation errors, paging and the contact field checks."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request

from ..responses import JSONResponse
from .store import FreshdeskStore, Record

MAX_PAGE, MAX_PER_PAGE, DEFAULT_PER_PAGE = 300, 100, 30
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CONTACT_TYPES: dict[str, type] = {
    "name": str,
    "email": str,
    "other_emails": list,
    "phone": str,
    "mobile": str,
    "job_title": str,
    "company_id": int,
    "address": str,
    "description": str,
    "language": str,
    "time_zone": str,
    "twitter_id": str,
    "unique_external_id": str,
    "tags": list,
    "custom_fields": dict,
    "view_all_tickets": bool,
    "other_companies": list,
}
REACHABLE_BY = ("email", "phone", "mobile", "twitter_id", "unique_external_id")
WRONG_CONTENT_TYPE = {
    "code": "invalid_content_type",
    "message": "Content-Type header should have application/json",
}
INVALID_JSON = {"code": "invalid_json", "message": "Request body has invalid json format"}


class FreshdeskError(Exception):
    """An error answer: a status and, where Freshdesk sends one, a JSON body."""

    def __init__(self, status: int, body: Any = None) -> None:
        super().__init__(status)
        self.status, self.body = status, body


def validation(field: str, message: str, code: str, status: int = 400) -> FreshdeskError:
    """``{"description": "Validation failed", "errors": [{field, message, code}]}``."""
    body = {
        "description": "Validation failed",
        "errors": [{"field": field, "message": message, "code": code}],
    }
    return FreshdeskError(status, body)


async def json_body(request: Request) -> dict[str, Any]:
    """A write's JSON object, or Freshdesk's 415 / 400 ``invalid_json``."""
    if "application/json" not in request.headers.get("content-type", ""):
        raise FreshdeskError(415, WRONG_CONTENT_TYPE)
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise FreshdeskError(400, INVALID_JSON) from None
    if not isinstance(body, dict):
        raise FreshdeskError(400, INVALID_JSON)
    return body


def found(table: dict[int, Record], rid: int) -> Record:
    """The record, or a 404 when there is none or it is deleted."""
    record = table.get(rid)
    if record is None or record.get("deleted"):
        raise FreshdeskError(404)
    return record


def _limited(field: str, value: str, most: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise validation(field, "It should be a Positive Integer", "datatype_mismatch") from None
    if not 1 <= number <= most:
        raise validation(
            field, f"It should be a Positive Number less than or equal to {most}", "invalid_value"
        )
    return number


def paged(request: Request, rows: list[Record]) -> JSONResponse:
    """One page of ``rows``, with a ``Link: <...>; rel="next"`` header if more follow.

    The link is absolute and names the host that was called
    (``<https://domain.freshdesk.com/api/v2/tickets?page=2&per_page=100>; rel="next"``,
    REF API-FACTS.md), so a client following it stays on the same server.
    """
    q = request.query_params
    page = _limited("page", q.get("page", "1"), MAX_PAGE)
    per_page = _limited("per_page", q.get("per_page", str(DEFAULT_PER_PAGE)), MAX_PER_PAGE)
    start = (page - 1) * per_page
    resp = JSONResponse(rows[start : start + per_page])
    if start + per_page < len(rows):  # page 301 itself is then refused
        params = [(k, v) for k, v in q.multi_items() if k != "page"]
        query = urlencode([*params, ("page", page + 1)])
        resp.headers["Link"] = f'<{request.url.replace(query=query)}>; rel="next"'
    return resp


def check_contact(store: FreshdeskStore, body: dict[str, Any], current: Record | None) -> None:
    """Refuse a contact write the way Freshdesk does: the first problem found."""
    for key, value in body.items():
        expected = CONTACT_TYPES.get(key)
        if expected is None:
            raise validation(key, "Unexpected/invalid field in request", "invalid_field")
        wrong_type = not isinstance(value, expected) or (
            expected is int and isinstance(value, bool)
        )
        if value is not None and wrong_type:
            raise validation(key, f"It should be a/an {expected.__name__}", "datatype_mismatch")
    if "name" in body and not (body["name"] or "").strip():
        raise validation(
            "name", "It should not be blank as this is a mandatory field", "missing_field"
        )
    if body.get("email") is not None:
        if not EMAIL_RE.match(body["email"]):
            raise validation(
                "email", "It should be in the 'valid email address' format", "invalid_value"
            )
        others = [
            c
            for c in store.contacts_with_email(body["email"])
            if current is None or c["id"] != current["id"]
        ]
        if others:
            raise validation(
                "email",
                f"It should be a unique value. Contact id: {others[0]['id']}",
                "duplicate_value",
                status=409,
            )
    if external := body.get("unique_external_id"):
        # Freshdesk keeps the external id unique, as it does the email ("Identifying
        # contacts with an external ID": a unique id per contact); the refusal is the
        # email's (the exact body for this field is unconfirmed).
        taken = [
            c
            for c in store.contacts.values()
            if not c["deleted"]
            and c.get("unique_external_id") == external
            and (current is None or c["id"] != current["id"])
        ]
        if taken:
            raise validation(
                "unique_external_id",
                f"It should be a unique value. Contact id: {taken[0]['id']}",
                "duplicate_value",
                status=409,
            )
    if body.get("company_id") is not None and body["company_id"] not in store.companies:
        raise validation(
            "company_id", "There is no company matching the given company_id", "invalid_value"
        )
    if current is None:
        if not body.get("name"):
            raise validation("name", "It should be a/an String", "missing_field")
        if not any(body.get(k) for k in REACHABLE_BY):
            raise validation(
                "requester_id",
                "Please fill at least 1 of email, mobile, phone, "
                "twitter_id, unique_external_id fields",
                "missing_field",
            )
