"""Security headers on every response, and the service secret."""

from __future__ import annotations

import hmac
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def security_headers(frame_ancestors: Iterable[str]) -> dict[str, str]:
    ancestors = " ".join(frame_ancestors) or "'none'"
    return {
        "Content-Security-Policy": f"default-src 'none'; frame-ancestors {ancestors}; "
        "base-uri 'none'; form-action 'none'",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
        "Cache-Control": "no-store",
        "Cross-Origin-Resource-Policy": "same-site",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }


class SecurityHeaders:
    """Adds the headers to every answer, errors and 404s included."""

    def __init__(self, app: ASGIApp, frame_ancestors: Iterable[str]) -> None:
        self.app = app
        self.headers = security_headers(frame_ancestors)
        #: Encoded once; they replace any header of the same name the route set.
        self.raw = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in self.headers.items()
        ]
        self.names = frozenset(name for name, _ in self.raw)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [h for h in message.get("headers", ()) if h[0].lower() not in self.names]
                message["headers"] = kept + self.raw
            await send(message)

        await self.app(scope, receive, send_with_headers)


def token_matches(given: str | None, expected: str) -> bool:
    """Constant-time comparison of a presented token with the configured one, byte for
    byte as sent: nothing is stripped or folded. A blank token (empty, or only white
    space such as a non-breaking space) is no token, and an empty ``expected`` matches
    nothing: a secret configured empty must never be met by an empty one."""
    if not given or not given.strip() or not expected:
        return False
    # UTF-8 maps distinct strings to distinct bytes, so equal bytes mean equal tokens.
    return hmac.compare_digest(given.encode(), expected.encode())


def secret_matches(given: str | None, expected: str) -> bool:
    """An ``Authorization: Bearer <token>`` header against ``expected`` (see
    :func:`token_matches`). The scheme is case-insensitive (RFC 7235 section 2.1), so
    ``bearer`` and ``BEARER`` are ``Bearer``; one space separates it from the token."""
    scheme, _, token = (given or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    return token_matches(token, expected)
