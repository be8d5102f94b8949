"""Reading upstream error bodies: a message and field errors, never more than a bound."""

from __future__ import annotations

import json

from .errors import FieldError

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
