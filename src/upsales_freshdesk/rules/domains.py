"""Strict checks of the Freshdesk domain a request names (the SSRF gate).

A request may name its Freshdesk account, never an arbitrary host: the domain must be
``<subdomain>.freshdesk.com`` or a host the operator allowed. Anything else (IPs, ports,
userinfo, paths, ``#``, percent-encoding, IDN look-alikes, trailing dots) is refused
before any upstream call is made.
"""

from __future__ import annotations

from collections.abc import Collection

from ..clients.hostnames import FRESHDESK_HOST_RE, HOSTNAME_RE, MAX_HOST_LENGTH


class InvalidDomainError(ValueError):
    """The named Freshdesk domain is not one this service may call."""


def check_freshdesk_domain(raw: str, extra_hosts: Collection[str] = ()) -> str:
    """The canonical host (``acme.freshdesk.com``) for ``raw``, or :class:`InvalidDomainError`.

    Only ASCII letters, digits, ``-`` and ``.`` pass; upper case is folded. Nothing is
    decoded, stripped or guessed: a value that needs cleaning is refused.
    """
    if not isinstance(raw, str) or not raw or len(raw) > MAX_HOST_LENGTH:
        raise InvalidDomainError("empty or too long")
    if not raw.isascii():
        raise InvalidDomainError("not ASCII")
    host = raw.lower()
    if not HOSTNAME_RE.fullmatch(host):
        raise InvalidDomainError("not a host name")
    if FRESHDESK_HOST_RE.fullmatch(host) or host in extra_hosts:
        return host
    raise InvalidDomainError("not a Freshdesk domain")


def account_of(host: str) -> str:
    """The account name for logs and allowlists: the subdomain of ``*.freshdesk.com``."""
    match = FRESHDESK_HOST_RE.fullmatch(host)
    return match.group("sub") if match else host
