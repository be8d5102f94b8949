"""``upsales-freshdesk timeline``: the two automation rules printed, installed or checked.

``install`` and ``status`` use what the service uses: the server's own credentials
(``UFD_SYNC_FRESHDESK_DOMAIN``, ``UFD_SYNC_FRESHDESK_API_KEY``), ``UFD_FRESHDESK_BASE_URL``
and ``UFD_WEBHOOK_SECRET``, from the environment or ``.env``. Nothing printed holds a key
or the secret: settings are named, never shown.

Exit codes: 0 done (``status``: both rules there, on, and sending the secret); 1
(``status``) a rule missing, off, or sending another secret; 3 a setting missing or
invalid, or the key refused; 4 Freshdesk failed, could not be reached, or refused a rule
(what was done stays; running ``install`` again finishes it).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TypeVar

from pydantic import ValidationError as SettingsInvalid

from ..clients import (
    AuthenticationError,
    Deadline,
    FreshdeskClient,
    PermissionDeniedError,
    ThrottleRegistry,
    UpstreamError,
    ValidationError,
)
from ..clients.freshdesk.automations import Automations
from ..settings import Settings, invalid_setting
from ..sync.config import SyncCredentials
from .automation import (
    Installed,
    Present,
    api_bodies,
    called_url,
    install,
    instructions,
    present,
    sends_secret,
)
from .config import TimelineSettings

Out = Callable[[str], None]
T = TypeVar("T")

OK, NOT_READY, BAD_CONFIG, STOPPED = 0, 1, 3, 4
#: All of a command's calls are done within this.
DEADLINE_SECONDS = 60.0
TABS = {1: "Ticket Creation", 4: "Ticket Updates"}
FIX = (
    "To fix it: upsales-freshdesk timeline install --url https://<the service's host>, "
    "or make the rules by hand (upsales-freshdesk timeline rules --url ...)."
)


class Stop(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def print_rules(url: str, *, as_json: bool, ticket_url: bool, out: Out) -> int:
    """The rules for ``url``'s receiver: step by step, or the Automations API calls."""
    if as_json:
        out(json.dumps(api_bodies(url, ticket_url=ticket_url), indent=2))
    else:
        for line in instructions(url, ticket_url=ticket_url):
            out(line)
    return OK


def run_install(url: str, *, ticket_url: bool, out: Out) -> int:
    """Create or update both rules so that they call ``url`` with the webhook secret."""
    try:
        settings = _settings()
        if settings.webhook_secret is None:
            raise Stop(
                BAD_CONFIG,
                "UFD_WEBHOOK_SECRET: not set; the rules send it in their X-Webhook-Secret "
                "header, and the service takes no event without it",
            )
        secret = settings.webhook_secret.get_secret_value()
        warning = _timeline_off()
        done = _run(
            settings,
            lambda fd: install(
                fd, url, secret, ticket_url=ticket_url, deadline=Deadline.after(DEADLINE_SECONDS)
            ),
        )
    except Stop as stop:
        out(stop.message)
        return stop.code
    for item in done:
        out(_installed(item))
    if warning:
        out(warning)
    return OK


def run_status(out: Out) -> int:
    """Whether both rules exist, are on, and send ``UFD_WEBHOOK_SECRET``."""
    try:
        settings = _settings()
        found = _run(settings, lambda fd: present(fd, deadline=Deadline.after(DEADLINE_SECONDS)))
    except Stop as stop:
        out(stop.message)
        return stop.code
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    code = OK
    for item in found:
        line, ready = _present(item, secret)
        out(line)
        code = code if ready else NOT_READY
    if secret is None:
        out("UFD_WEBHOOK_SECRET is not set here, so the rules' header was not checked.")
    if code != OK:
        out(FIX)
    return code


# -- the parts ----------------------------------------------------------------------------


def _installed(item: Installed) -> str:
    line = f"{item.rule.name} ({TABS[item.rule.type_id]}): {item.result}, rule {item.found.id}"
    if item.duplicates:
        ids = ", ".join(str(i) for i in item.duplicates)
        which = f"rules {ids} have" if len(item.duplicates) > 1 else f"rule {ids} has"
        line += f"; {which} the same name and each sends the event again: delete them"
    return line


def _present(item: Present, secret: str | None) -> tuple[str, bool]:
    label = f"{item.name} ({TABS[item.type_id]})"
    if not item.found:
        return f"{label}: missing", False
    first = item.found[0]
    ready = first.active
    parts = [f"rule {first.id}", "on" if first.active else "off"]
    if first.position is not None:
        parts.append(f"position {first.position}")
    parts.append(f"calls {called_url(first) or 'no webhook'}")
    if secret is not None:
        matches = sends_secret(first, secret)
        parts.append("sends UFD_WEBHOOK_SECRET" if matches else "sends another secret")
        ready = ready and matches
    if len(item.found) > 1:
        parts.append(f"{len(item.found) - 1} more of the same name")
    return f"{label}: {', '.join(parts)}", ready


def _settings() -> Settings:
    try:
        return Settings()
    except (SettingsInvalid, ValueError) as exc:
        raise Stop(BAD_CONFIG, invalid_setting(exc)) from None


def _timeline_off() -> str | None:
    """A warning when this environment's service would not take the rules' events."""
    try:
        enabled = TimelineSettings().enabled
    except (SettingsInvalid, ValueError) as exc:
        return f"Warning: {invalid_setting(exc, 'UFD_TIMELINE_')} (serve refuses to start)"
    if enabled:
        return None
    return (
        "Warning: UFD_TIMELINE_ENABLED is not true here; the service answers the rules' "
        "calls 404 until it is (Freshdesk retries, then emails its admins)."
    )


def _client(settings: Settings) -> FreshdeskClient:
    try:
        creds = SyncCredentials()
    except SettingsInvalid as exc:
        reason = invalid_setting(exc, "UFD_SYNC_")
        raise Stop(
            BAD_CONFIG, f"{reason}; the timeline uses the server's own credentials"
        ) from None
    return FreshdeskClient(
        creds.freshdesk_domain,
        creds.freshdesk_api_key.get_secret_value(),
        plan=settings.freshdesk_plan,
        base_url=settings.freshdesk_base_url,
        window_seconds=settings.freshdesk_window_seconds,
        registry=ThrottleRegistry(),  # one command, one event loop: throttles of its own
    )


def _run(settings: Settings, work: Callable[[Automations], Awaitable[T]]) -> T:
    async def main() -> T:
        async with _client(settings) as fd:
            try:
                return await work(fd.automations)
            except UpstreamError as error:
                raise _stopped(error) from None

    return asyncio.run(main())


def _stopped(error: UpstreamError) -> Stop:
    if isinstance(error, AuthenticationError):
        return Stop(BAD_CONFIG, "Freshdesk refused UFD_SYNC_FRESHDESK_API_KEY (401): check it")
    if isinstance(error, PermissionDeniedError):
        return Stop(
            BAD_CONFIG,
            "Freshdesk refused the automation rules to UFD_SYNC_FRESHDESK_API_KEY's agent "
            "(403): the key must be an admin's, on a plan with webhooks (Growth and up)",
        )
    if isinstance(error, ValidationError):
        said = "; ".join(f"{e.field}: {e.message}" for e in error.field_errors) or str(error)
        return Stop(STOPPED, f"Freshdesk refused the rule ({said})")
    return Stop(
        STOPPED,
        f"stopped: Freshdesk {error.kind} on {error.method} {error.path}; what was done "
        "stays, and running the command again finishes it",
    )
