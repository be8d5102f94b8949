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

import json
from collections.abc import Awaitable, Callable
from typing import TypeVar

from pydantic import ValidationError as SettingsInvalid

from ..clients import Deadline, FreshdeskClient, ThrottleRegistry
from ..clients.freshdesk.automations import Automations
from ..settings import Settings, invalid_setting
from ..sync import hooks_cli
from ..sync.config import SyncCredentials
from ..sync.hooks_cli import DEADLINE_SECONDS, OK, Out, Stop
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

T = TypeVar("T")

TABS = {1: "Ticket Creation", 4: "Ticket Updates"}
FIX = (
    "To fix it: upsales-freshdesk timeline install --url https://<the service's host>, "
    "or make the rules by hand (upsales-freshdesk timeline rules --url ...)."
)


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
        secret = hooks_cli.required_secret(
            settings.webhook_secret,
            "UFD_WEBHOOK_SECRET",
            "the rules send it in their X-Webhook-Secret header, and the service takes no "
            "event without it",
        )
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
    notes = []
    if secret is None:
        notes.append("UFD_WEBHOOK_SECRET is not set here, so the rules' header was not checked.")
    return hooks_cli.status((_present(item, secret) for item in found), out, notes=notes, fix=FIX)


# -- the parts ----------------------------------------------------------------------------


def _installed(item: Installed) -> str:
    label = f"{item.rule.name} ({TABS[item.rule.type_id]})"
    return hooks_cli.installed_line(label, item, noun="rule", again="sends the event again")


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
    return hooks_cli.load(Settings)


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
    creds = hooks_cli.load(
        SyncCredentials, prefix="UFD_SYNC_", why="the timeline uses the server's own credentials"
    )
    return FreshdeskClient(
        creds.freshdesk_domain,
        creds.freshdesk_api_key.get_secret_value(),
        plan=settings.freshdesk_plan,
        base_url=settings.freshdesk_base_url,
        window_seconds=settings.freshdesk_window_seconds,
        registry=ThrottleRegistry(),  # one command, one event loop: throttles of its own
    )


def _run(settings: Settings, work: Callable[[Automations], Awaitable[T]]) -> T:
    return hooks_cli.run(
        lambda: _client(settings),
        lambda fd: work(fd.automations),
        hook="rule",
        forbidden="Freshdesk refused the automation rules to UFD_SYNC_FRESHDESK_API_KEY's "
        "agent (403): the key must be an admin's, on a plan with webhooks (Growth and up)",
    )
