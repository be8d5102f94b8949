"""The one error envelope: ``{"status": "error", "errors": [Issue...]}``, localised.

Every refusal the service gives (its own, the framework's, an upstream's, a body too
large, an unexpected failure) is built here, so each code has one shape, one message
catalog entry and one HTTP status.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel

from ..clients import UpstreamError
from ..rules.codes import Code, Issue, Source, issue_for
from .rendering.i18n import negotiate
from .rendering.messages import localise


class ErrorResponse(BaseModel):
    status: Literal["error"] = "error"
    errors: list[Issue]


#: Refusals any route may give, in the shape of :class:`ErrorResponse`.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse} for status in (400, 401, 403, 404, 405, 413)
}

#: How a code answers when it ends a request; anything else is an outage (502).
STATUS_FOR_CODE: Mapping[Code, int] = {
    "invalid_request": 400,
    "invalid_domain": 400,
    "auth_failed": 401,
    "forbidden": 403,
    "account_not_allowed": 403,
    "not_found": 404,
    "changed": 409,
    "mismatch": 409,
    "undo_changed": 409,
    "link_taken": 409,
    "rejected": 422,
    "rate_limited": 429,
    "timeout": 504,
    "writes_paused": 503,
}


def status_for(issue: Issue) -> int:
    return STATUS_FOR_CODE.get(issue.code, 502)


def error_body(issues: Sequence[Issue], locale: str, **extra: Any) -> dict[str, Any]:
    """The envelope as a JSON-ready dict, messages in ``locale``."""
    errors = [i.model_dump(mode="json") for i in localise(list(issues), negotiate(locale))]
    return {"status": "error", "errors": errors, **extra}


def error_bytes(status_source: Source, code: Code, locale: str | None) -> bytes:
    """The envelope as bytes, for answers sent below the framework (ASGI middleware)."""
    issue = Issue(source=status_source, code=code)
    return json.dumps(error_body([issue], locale or "en")).encode()


def error_response(
    status: int,
    source: Source,
    code: Code,
    locale: str | None,
    *,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    issue = Issue(source=source, code=code)
    body = error_body([issue], locale or "en", **extra)
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def upstream_error(
    source: Source, error: UpstreamError, locale: str | None
) -> tuple[int, dict[str, Any], dict[str, str]]:
    """An upstream failure that ends a request: its status, envelope and headers."""
    issue = issue_for(source, error)
    headers = {"Retry-After": str(max(1, round(error.retry_after)))} if error.retry_after else {}
    return status_for(issue), error_body([issue], locale or "en"), headers


def upstream_response(source: Source, error: UpstreamError, locale: str | None) -> JSONResponse:
    status, body, headers = upstream_error(source, error, locale)
    return JSONResponse(body, status_code=status, headers=headers)
