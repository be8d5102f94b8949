"""What the service's hooks at either vendor share: Upsales' triggers (``triggers.py``)
and Freshdesk's automation rules (``timeline/automation.py``) both call a receiver at the
service's public URL, are printed without what they may hide, and are installed the same
idempotent way (found again by name; a second run changes nothing).

Each vendor's own rules stay in its module: what a hook's body holds, how hooks are
listed and which runs first, and where the secret travels (Upsales: the URL's last
segment; Freshdesk: a header).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Literal, Protocol, TypeVar
from urllib.parse import urlsplit, urlunsplit

from ..clients.hostnames import is_loopback

Result = Literal["created", "updated", "unchanged"]


class Listed(Protocol):
    """A hook as its vendor lists it: the other hooks of a name are named by their id."""

    @property
    def id(self) -> int: ...


HookT = TypeVar("HookT", bound=Listed)


def service_url(base: str, path: str) -> str:
    """The receiver at ``path`` on the service at ``base`` (``https://ufd.example.com``).

    https only (plain http on loopback, for a test), no user or password, query or
    fragment: the URL is printed and stored in the hook where every admin reads it.
    ``ValueError`` for anything else.
    """
    parts = urlsplit(base.strip())
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise ValueError("the service's URL must be https://<host>")
    if parts.scheme == "http" and not is_loopback(host):
        raise ValueError("the service's URL must be https (plain http only on loopback)")
    if parts.username is not None or parts.password is not None:
        raise ValueError("the service's URL must not hold a user name or password")
    if parts.query or parts.fragment:
        raise ValueError("the service's URL must not have a query or a fragment")
    joined = parts.path.rstrip("/")
    if not joined.endswith(path):
        joined += path
    return urlunsplit((parts.scheme, parts.netloc.lower(), joined, "", ""))


def shown_url(url: str, *, secret_last: bool = False) -> str:
    """``url`` to print: scheme, host and path, never a user, a query or a fragment; with
    ``secret_last``, its last segment (where the hook carries the secret) hidden."""
    parts = urlsplit(url)
    path = parts.path
    if secret_last:
        head, _, last = path.rpartition("/")
        path = f"{head}/<secret>" if last else path
    return urlunsplit((parts.scheme, parts.hostname or "", path, "", ""))


@dataclass(frozen=True, slots=True)
class Placed(Generic[HookT]):
    """What installing one hook did, and to which of the vendor's hooks."""

    result: Result
    found: HookT
    #: Other hooks of the same name (left alone; each calls the service again).
    duplicates: tuple[int, ...] = ()


async def place(
    named: Sequence[HookT],
    *,
    current: Callable[[HookT], bool],
    create: Callable[[], Awaitable[HookT]],
    update: Callable[[HookT], Awaitable[HookT]],
) -> Placed[HookT]:
    """One hook made or brought up to date, given the vendor's hooks of its name, the
    one that counts first: that one is updated in place, or left alone when it already
    says what it should (``current``); only a missing hook is created."""
    if not named:
        return Placed("created", await create())
    first, others = named[0], tuple(hook.id for hook in named[1:])
    if current(first):
        return Placed("unchanged", first, others)
    return Placed("updated", await update(first), others)
