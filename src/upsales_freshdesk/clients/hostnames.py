"""The public host-name rule: which names a Freshdesk account can have.

The client builds ``https://{host}/api/v2/`` from these, and the service's SSRF gate
(``rules/domains.py``) checks requests against the same rule, so the two cannot drift.
"""

from __future__ import annotations

import ipaddress
import re

#: One DNS label: ASCII letters and digits, inner hyphens, at most 63 characters.
HOST_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
SUBDOMAIN_RE = re.compile(rf"^{HOST_LABEL}$")
#: A host name of two or more labels (lower case; no port, no trailing dot).
HOSTNAME_RE = re.compile(rf"^{HOST_LABEL}(?:\.{HOST_LABEL})+$")
#: An account's own host at Freshdesk.
FRESHDESK_HOST_RE = re.compile(rf"^(?P<sub>{HOST_LABEL})\.freshdesk\.com$")
MAX_HOST_LENGTH = 253


def check_subdomain(subdomain: str) -> str:
    """The account's subdomain, lower-cased; anything else is refused."""
    value = subdomain.lower()
    if not SUBDOMAIN_RE.fullmatch(value):
        raise ValueError("not a Freshdesk subdomain")
    return value


def account_host(domain: str) -> str:
    """``acme`` -> ``acme.freshdesk.com``; a full host name is kept (lower-cased)."""
    value = domain.lower()
    if "." not in value:
        return f"{check_subdomain(value)}.freshdesk.com"
    if len(value) > MAX_HOST_LENGTH or not HOSTNAME_RE.fullmatch(value):
        raise ValueError("not a host name")
    return value


def is_loopback(host: str) -> bool:
    """``localhost`` or a loopback address (127.0.0.0/8, ::1)."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
