"""The service secret and the webhook token, compared in constant time."""

from __future__ import annotations

import hmac


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
