"""Structured JSON logs that never hold a key, token, email, name or phone number."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import MutableMapping
from typing import Any

import structlog

#: Event keys that are never logged, whatever their value.
DENY_KEYS = frozenset(
    {
        "email",
        "name",
        "phone",
        "mobile",
        "token",
        "key",
        "api_key",
        "secret",
        "authorization",
        "cookie",
        "password",
        "requester",
        "body",
        "headers",
        "query",
        "url",
    }
)
EMAIL_RE = re.compile(r"[^\s@<>\"']+@[^\s@<>\"']+")
LONG_TOKEN_RE = re.compile(r"\b[A-Za-z0-9_\-]{24,}\b")
PHONE_RE = re.compile(r"\+?\d[\d \-()]{6,}\d")


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        value = EMAIL_RE.sub("[email]", value)
        value = PHONE_RE.sub("[phone]", value)
        return LONG_TOKEN_RE.sub("[secret]", value)
    if isinstance(value, dict):
        return {
            k: ("[redacted]" if k.lower() in DENY_KEYS else _scrub(v)) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def redact(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """The last line of defence: drops denied keys and scrubs what looks personal."""
    for key in list(event):
        if key.lower() in DENY_KEYS:
            event[key] = "[redacted]"
        else:
            event[key] = _scrub(event[key])
    return event


def account_ref(domain: str) -> str:
    """A stable, non-reversible reference to a Freshdesk account for logs."""
    return hashlib.sha256(domain.encode()).hexdigest()[:12]


def configure_logging(level: int = logging.INFO) -> None:
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            redact,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(),  # the current sys.stdout
        cache_logger_on_first_use=False,
    )


log = structlog.get_logger("upsales_freshdesk")
