"""What an upstream's answer says besides its data: the message and field errors of an
error body, and the headers the HTTP core reads (the request id, how long to wait).

Error bodies come in either vendor's shapes and in others (plain text, HTML pages);
whatever the body, :func:`parse_error_body` gives a message and field errors bounded in
size, and never raises.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from .errors import FieldError

# -- error bodies: a message and field errors, never more than a bound ------------

MAX_MESSAGE = 300


def parse_error_body(body: bytes) -> tuple[str, tuple[FieldError, ...]]:
    """Like :func:`_parse_error_body`, with every message cut to ``MAX_MESSAGE`` characters."""
    message, errors = _parse_error_body(body)
    cut = tuple(
        FieldError(e.field and e.field[:100], e.message[:MAX_MESSAGE], e.code and e.code[:100])
        for e in errors[:50]
    )
    return message[:MAX_MESSAGE], cut


def _parse_error_body(body: bytes) -> tuple[str, tuple[FieldError, ...]]:
    """The message and field errors of an error body, from either vendor's shape.

    Freshdesk: ``{"description", "errors": [{"field", "message", "code"}]}`` or
    ``{"code", "message"}``. Upsales: ``{"error": {"key", "code", "errorCode", "msg"}}``
    or ``{"error": "text"}``; also plain text (``Unauthorized``) and HTML 404 pages.
    Anything else gives an empty message; this function never raises.
    """
    try:
        data = json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        return _text_message(body), ()
    if not isinstance(data, dict):
        return "", ()
    errors: list[FieldError] = []
    raw_errors = data.get("errors")
    if isinstance(raw_errors, list):
        for item in raw_errors:
            if isinstance(item, dict):
                errors.append(
                    FieldError(
                        field=_opt_str(item.get("field")),
                        message=_opt_str(item.get("message")) or "",
                        code=_opt_str(item.get("code")),
                    )
                )
    upsales = data.get("error")
    if isinstance(upsales, dict):
        msg = _opt_str(upsales.get("msg")) or _opt_str(upsales.get("key")) or ""
        errors.append(FieldError(field=None, message=msg, code=_opt_str(upsales.get("key"))))
        return msg, tuple(errors)
    if isinstance(upsales, str):
        return upsales[:200], tuple(errors)
    message = _opt_str(data.get("description")) or _opt_str(data.get("message")) or ""
    if not errors and isinstance(data.get("code"), str):
        errors.append(FieldError(field=None, message=message, code=data["code"]))
    return message, tuple(errors)


def _text_message(body: bytes) -> str:
    text = body[:300].decode("utf-8", "replace")
    if "<pre>" in text and "</pre>" in text:  # Express' HTML 404 page
        return text.split("<pre>", 1)[1].split("</pre>", 1)[0][:200]
    return text.strip()[:200] if "<" not in text else ""


def _opt_str(value: object) -> str | None:
    return value if isinstance(value, str) else None


# -- headers: the request id, and how long the upstream asks us to wait -----------


def request_id(headers: Mapping[str, str]) -> str | None:
    value = headers.get("x-request-id")
    return value[:100] if value else None


def _float_header(headers: Mapping[str, str], name: str) -> float | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return float(raw.strip())
    except ValueError:
        return None


def reset_seconds(headers: Mapping[str, str]) -> float | None:
    return _float_header(headers, "x-ratelimit-reset")


def retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait, from ``Retry-After`` (Freshdesk) or ``X-RateLimit-Reset`` (Upsales)."""
    for name in ("retry-after", "x-ratelimit-reset"):
        value = _float_header(headers, name)
        if value is not None and value >= 0:
            return value
    return None
