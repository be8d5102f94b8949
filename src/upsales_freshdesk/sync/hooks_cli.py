"""What the commands that install and check the service's hooks share:
``upsales-freshdesk triggers install|status`` (Upsales' triggers, ``triggers_cli.py``)
and ``timeline install|status`` (Freshdesk's automation rules, ``timeline/commands.py``).

Their exit codes: 0 done; 1 (``status``) a hook missing, off, changed or sending
another secret; 3 a setting missing or invalid, or the key refused; 4 the vendor failed,
could not be reached, or refused a hook (what was done stays; ``install`` again finishes
it). A message names the setting to fix, never its value, and leaves out the vendor's
own error text but for the fields a refused hook names.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Protocol, TypeVar

from pydantic import SecretStr

from ..clients import AuthenticationError, PermissionDeniedError, UpstreamError, ValidationError
from ..clients.base_client import BaseClient
from ..settings import invalid_setting
from .checks import BAD_CONFIG, KEY_VARIABLE, NAME, OK, STOPPED, Stop
from .hooks import Listed, Result

__all__ = [
    "BAD_CONFIG",
    "DEADLINE_SECONDS",
    "NOT_READY",
    "OK",
    "STOPPED",
    "Out",
    "Outcome",
    "Stop",
    "installed_line",
    "load",
    "required_secret",
    "run",
    "status",
    "stopped",
]

NOT_READY = 1
#: All of a command's calls are done within this.
DEADLINE_SECONDS = 60.0
Out = Callable[[str], None]
SettingsT = TypeVar("SettingsT")
ClientT = TypeVar("ClientT", bound=BaseClient)
T = TypeVar("T")


def load(
    make: Callable[[], SettingsT],
    *,
    prefix: str = "UFD_",
    why: str | None = None,
    names: Mapping[str, str] | None = None,
) -> SettingsT:
    """``make()``'s settings, or :class:`Stop` (exit 3) naming the variable that does not
    parse and, given, ``why`` the command reads it. ``names`` gives a variable's name as
    said, where another variable may hold the same setting."""
    try:
        return make()
    except ValueError as exc:  # pydantic's ValidationError is one
        reason = invalid_setting(exc, prefix)
        for name, said in (names or {}).items():
            if reason.startswith(f"{name}:"):
                reason = said + reason[len(name) :]
        raise Stop(BAD_CONFIG, f"{reason}; {why}" if why else reason) from None


def required_secret(value: SecretStr | None, variable: str, why: str) -> str:
    """The hooks' secret, or :class:`Stop` (exit 3): without it no hook can be made that
    the service would take."""
    if value is None:
        raise Stop(BAD_CONFIG, f"{variable}: not set; {why}")
    return value.get_secret_value()


def run(
    client: Callable[[], ClientT],
    work: Callable[[ClientT], Awaitable[T]],
    *,
    hook: str,
    forbidden: str,
) -> T:
    """``work`` with a client of its own, in an event loop of its own; a failure of the
    vendor ends it as :func:`stopped` says."""

    async def main() -> T:
        async with client() as made:
            try:
                return await work(made)
            except UpstreamError as error:
                raise stopped(error, hook=hook, forbidden=forbidden) from None

    return asyncio.run(main())


def stopped(error: UpstreamError, *, hook: str, forbidden: str) -> Stop:
    """A refused key as a settings error (exit 3; ``forbidden`` says what a 403 means at
    this vendor), a refused ``hook`` with the fields its vendor named, anything else as
    the call that failed (exit 4)."""
    vendor = NAME[error.service]
    if isinstance(error, AuthenticationError):
        return Stop(BAD_CONFIG, f"{vendor} refused {KEY_VARIABLE[error.service]} (401): check it")
    if isinstance(error, PermissionDeniedError):
        return Stop(BAD_CONFIG, forbidden)
    if isinstance(error, ValidationError):
        said = "; ".join(f"{e.field}: {e.message}" for e in error.field_errors) or str(error)
        return Stop(STOPPED, f"{vendor} refused the {hook} ({said})")
    return Stop(
        STOPPED,
        f"stopped: {vendor} {error.kind} on {error.method} {error.path}; what was done "
        "stays, and running the command again finishes it",
    )


def status(hooks: Iterable[tuple[str, bool]], out: Out, *, notes: Iterable[str], fix: str) -> int:
    """Each hook's line, then ``notes``; 0 when every hook is ready, else 1 after ``fix``
    (the command that makes them so)."""
    code = OK
    for line, ready in hooks:
        out(line)
        code = code if ready else NOT_READY
    for note in notes:
        out(note)
    if code != OK:
        out(fix)
    return code


class Outcome(Protocol):
    """An installed hook as the commands report it (``Installed`` of either vendor)."""

    @property
    def result(self) -> Result: ...
    @property
    def found(self) -> Listed: ...
    @property
    def duplicates(self) -> tuple[int, ...]: ...


def installed_line(label: str, item: Outcome, *, noun: str, again: str) -> str:
    """``<label>: created, trigger 12``, and the other hooks of the same name, to delete:
    each one ``again`` (calls the service again, sends the event again)."""
    line = f"{label}: {item.result}, {noun} {item.found.id}"
    if item.duplicates:
        ids = ", ".join(str(i) for i in item.duplicates)
        which = f"{noun}s {ids} have" if len(item.duplicates) > 1 else f"{noun} {ids} has"
        line += f"; {which} the same name and each {again}: delete them"
    return line
