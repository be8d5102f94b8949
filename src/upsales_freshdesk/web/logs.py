"""Structured JSON logs that never hold a key, token, email, name or phone number."""

from __future__ import annotations

import contextlib
import logging
import re
import sys
import traceback
from collections.abc import Mapping, MutableMapping
from typing import Any

import structlog

#: Libraries held at WARNING.
CHATTY_LOGGERS = (
    "httpx",
    "httpcore",
    "aiohttp",
    "hpack",
)

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
EMAIL_RE = re.compile(r"[^\s@<>\"'=&?/]+(?:@|%40)[^\s@<>\"'&]+", re.I)
LONG_TOKEN_RE = re.compile(r"\b[A-Za-z0-9_\-]{24,}\b")
PHONE_RE = re.compile(r"\+?\d[\d \-()]{6,}\d")
#: The shortest text each pattern can match.
PHONE_MIN, TOKEN_MIN = 8, 24


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        # Each pattern runs only where it could match: an address needs "@" (or "%40"),
        # a phone number 8 characters, a token 24 (most values are short and plain).
        if "@" in value or "%40" in value:
            value = EMAIL_RE.sub("[email]", value)
        if len(value) >= PHONE_MIN:
            value = PHONE_RE.sub("[phone]", value)
        if len(value) >= TOKEN_MIN:
            value = LONG_TOKEN_RE.sub("[secret]", value)
        return value
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


def exception_shape(error: BaseException) -> list[dict[str, Any]]:
    """An exception chain as types and code locations only: no message, no value, no
    frame locals (a message can hold an email address, a value a key)."""
    chain: list[dict[str, Any]] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen and len(chain) < 5:
        seen.add(id(current))
        frames = [
            {"file": _short(f.filename), "line": f.lineno, "function": f.name}
            for f in traceback.extract_tb(current.__traceback__)[-12:]
        ]
        chain.append({"type": type(current).__qualname__, "frames": frames})
        current = current.__cause__ or current.__context__
    return chain


def _short(filename: str) -> str:
    """The path from the package (or the library) on, not the host's directories."""
    for marker in ("upsales_freshdesk/", "site-packages/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename.rsplit("/", 1)[-1]


def safe_exceptions(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Replace ``exc_info`` with :func:`exception_shape`; drop any rendered traceback."""
    info = event.pop("exc_info", None)
    event.pop("exception", None)
    event.pop("stack", None)
    if info:
        error = info[1] if isinstance(info, tuple) else info
        if info is True:
            error = sys.exc_info()[1]
        if isinstance(error, BaseException):
            event["exception"] = exception_shape(error)
    return event


#: A library's argument shown as it is: a number, or one short word of the characters of
#: host names, addresses, paths and process names (no space, "@", "?", "=" or "&": never
#: a name, an email address or a URL's query). Anything else is shown as its type.
PLAIN_ARG_RE = re.compile(r"[\w.:/\[\]+-]{1,200}")


def _plain_arg(value: Any) -> Any:
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, str) and PLAIN_ARG_RE.fullmatch(value):
        return _scrub(value)
    return f"[{type(value).__name__}]"


def format_library_args(
    _: Any, __: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """A library's ``%``-arguments applied to its message ("Started server process
    [4242]"), each first made plain (:data:`PLAIN_ARG_RE`): a number or a plain word as
    it is, any other value as ``[str]``, ``[dict]``, ``[ValueError]``...; a message
    whose arguments do not fit stays as it was written."""
    args = event.pop("positional_args", ())
    message = event.get("event")
    if not args or not isinstance(message, str):
        return event
    # logging keeps a lone mapping as the record's args ("%(name)s" formats).
    plain: Any
    if isinstance(args, Mapping):
        plain = {k: _plain_arg(v) for k, v in args.items()}
    else:
        plain = tuple(_plain_arg(a) for a in args)
    with contextlib.suppress(TypeError, ValueError, KeyError):
        event["event"] = message % plain
    return event


SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.processors.add_log_level,
    safe_exceptions,
    redact,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_logging(level: int = logging.INFO) -> None:
    """JSON lines for our own events and for every library's (uvicorn's errors
    included), all through the same redaction, exceptions as types and locations."""
    structlog.configure(
        processors=[*SHARED, structlog.processors.JSONRenderer()],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(),  # the current sys.stdout
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[structlog.stdlib.add_logger_name, format_library_args, *SHARED],
            # A library's message is its format string with its arguments applied by
            # format_library_args, never by logging itself: an argument can be a URL with
            # an email address in its query, so only plain ones are shown.
            use_get_message=False,
            pass_foreign_args=True,
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.JSONRenderer(),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # One line per request, ours (``AccessLog``: route, status, card status; never a path
    # or query). uvicorn writes its own only when its access logger has a handler.
    access = logging.getLogger("uvicorn.access")
    access.handlers[:] = []
    access.propagate = False
    for name in ("uvicorn", "uvicorn.error", "fastapi", "starlette"):
        library = logging.getLogger(name)
        library.handlers[:] = []
        library.propagate = True
        library.disabled = False  # a dictConfig elsewhere (uvicorn's) may have disabled it
        library.setLevel(logging.NOTSET)
    # They can log every URL they call.
    for chatty in CHATTY_LOGGERS:
        logging.getLogger(chatty).setLevel(logging.WARNING)


log = structlog.get_logger("upsales_freshdesk")
