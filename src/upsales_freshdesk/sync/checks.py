"""Before a run reads anything: both credentials, and what to say when a call fails.

Messages name the setting to fix and the host, never a key, an email or a name: an
upstream's own error text is left out, since it can echo what was sent.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ..clients import (
    AuthenticationError,
    ConnectionFailedError,
    DailyCapReachedError,
    Deadline,
    FreshdeskClient,
    NotFoundError,
    PermissionDeniedError,
    UpsalesClient,
    UpstreamError,
    UpstreamTimeoutError,
)

#: Exit codes (documented in docs/configuration.md and in ``upsales-freshdesk sync --help``).
OK, FAILED_RECORDS, BAD_CONFIG, STOPPED, LOCKED, DAILY_CAP = 0, 2, 3, 4, 5, 6
STATUS = {
    OK: "ok",
    FAILED_RECORDS: "failed_records",
    BAD_CONFIG: "bad_config",
    STOPPED: "stopped",
    LOCKED: "locked",
    DAILY_CAP: "daily_cap",
    1: "error",  # an unexpected error: the command ends with a traceback
}
#: The credential check gives up after this long, retries included (both upstreams).
CHECK_SECONDS = 30.0
KEY_VARIABLE = {"freshdesk": "UFD_SYNC_FRESHDESK_API_KEY", "upsales": "UFD_SYNC_UPSALES_TOKEN"}
HOST_VARIABLE = {"freshdesk": "UFD_SYNC_FRESHDESK_DOMAIN", "upsales": "UFD_SYNC_UPSALES_BASE_URL"}
NAME = {"freshdesk": "Freshdesk", "upsales": "Upsales"}


class Stop(Exception):
    """The command ends with ``code`` and a message fit for a console and a report."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def host_of(client: FreshdeskClient | UpsalesClient) -> str:
    return urlsplit(client.core.base_url).hostname or "?"


def describe(error: UpstreamError) -> str:
    """The call and what went wrong: no query string, no upstream text."""
    status = f" {error.status}" if error.status is not None else ""
    return f"{NAME[error.service]} {error.method} {error.path}{status}: {error.kind}"


def refused(error: UpstreamError) -> Stop | None:
    """A key that was refused, as a settings error naming its variable, or a key that made
    its day's calls (exit 6, naming the cap); else ``None``."""
    if isinstance(error, DailyCapReachedError):
        hours = (error.retry_after or 0) / 3600
        return Stop(
            DAILY_CAP,
            f"UFD_UPSALES_DAILY_CAP: the Upsales key made its day's calls (Upsales bills "
            f"above 99,999 a day); the day (UTC) ends in {hours:.1f} h",
        )
    if isinstance(error, AuthenticationError | PermissionDeniedError):
        return Stop(
            BAD_CONFIG,
            f"{KEY_VARIABLE[error.service]}: {NAME[error.service]} refused it "
            f"({error.status or error.kind})",
        )
    return None


async def check_credentials(freshdesk: FreshdeskClient, upsales: UpsalesClient) -> None:
    """Ask each upstream who the key belongs to, within :data:`CHECK_SECONDS` in all.

    Raises :class:`Stop`: 3 for a refused key (or no API at the configured host), 4 when an
    upstream could not be reached or failed. Nothing has been read or written then.
    """
    deadline = Deadline.after(CHECK_SECONDS)
    for client in (freshdesk, upsales):
        try:
            if isinstance(client, FreshdeskClient):
                await client.agents.me(deadline=deadline)
            else:
                await client.self_info(deadline=deadline)
        except UpstreamError as error:
            raise _check_failed(error, host_of(client)) from None


def _check_failed(error: UpstreamError, host: str) -> Stop:
    if (stop := refused(error)) is not None:
        return Stop(stop.code, f"{stop.message}; nothing was read or written")
    name = NAME[error.service]
    if isinstance(error, NotFoundError):
        return Stop(
            BAD_CONFIG,
            f"{HOST_VARIABLE[error.service]}: no {name} API at {host} ({error.status}); "
            "nothing was read or written",
        )
    if isinstance(error, ConnectionFailedError | UpstreamTimeoutError):
        return Stop(
            STOPPED,
            f"{name} at {host} could not be reached ({error.kind}, retried for up to "
            f"{CHECK_SECONDS:g} s); nothing was written",
        )
    return Stop(
        STOPPED,
        f"{name} at {host} failed the credential check: {describe(error)}; nothing was written",
    )
