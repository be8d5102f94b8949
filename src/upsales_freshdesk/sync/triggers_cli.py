"""``upsales-freshdesk triggers install --url ...`` and ``triggers status``: the Upsales
triggers that tell the service when a contact or an account changes
(:mod:`.triggers`), installed or checked through Upsales' API.

They use the server's own settings, from the environment or ``.env``: the sync's key
``UFD_SYNC_UPSALES_TOKEN`` (an admin's: triggers are account settings), the base URL
``UFD_SYNC_UPSALES_BASE_URL`` or else ``UFD_UPSALES_BASE_URL`` (tests and emulators
only), and ``UFD_UPSALES_WEBHOOK_SECRET``, which the service also reads. Nothing
printed holds the key or the secret: settings are named, never shown, and a trigger's
URL is shown with its last segment hidden.

Exit codes: 0 done (``status``: all three there, on, up to date and sending the
secret); 1 (``status``) one missing, off, changed or sending another secret; 2 a wrong
``--url``; 3 a setting missing or invalid, or the key refused; 4 Upsales failed, could
not be reached, or refused a trigger (what was done stays; running ``install`` again
finishes it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from redis.asyncio import Redis
from redis.exceptions import RedisError
from rich.console import Console

from ..clients import Deadline, ThrottleRegistry, UpsalesClient, require_https
from ..clients.upsales.client import TOKEN_CHARS
from ..clients.upsales.triggers import Triggers
from . import hooks_cli
from .fired import RedisFired, account_of, said
from .hooks_cli import DEADLINE_SECONDS, OK, Out, Stop
from .triggers import (
    SECRET_VARIABLE,
    SPECS,
    Installed,
    Present,
    check_secret,
    install,
    present,
    receiver_url,
    sends_secret,
    shown_url,
    up_to_date,
    web_request,
)

#: Where the time of each trigger's last call is, when ``UFD_REDIS_URL`` is not set here.
NO_REDIS = (
    "When each trigger last called: the service keeps it in Redis (UFD_REDIS_URL, not set "
    "here) and shows it in /metrics as ufd_trigger_last_call_timestamp_seconds; Upsales' "
    "API does not say."
)
FIX = "To fix it: upsales-freshdesk triggers install --url https://<the service's host>"
#: Longest the command waits for Redis.
REDIS_SECONDS = 5.0
T = TypeVar("T")

app = typer.Typer(
    help="The Upsales triggers that tell the service at once when a contact or account changes.",
    no_args_is_help=True,
    add_completion=False,
)
_console = Console()


class TriggerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    upsales_token: SecretStr = Field(validation_alias="UFD_SYNC_UPSALES_TOKEN")
    upsales_base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("UFD_SYNC_UPSALES_BASE_URL", "UFD_UPSALES_BASE_URL"),
    )
    webhook_secret: SecretStr | None = Field(default=None, validation_alias=SECRET_VARIABLE)
    #: Where the service keeps when each trigger last called (``sync/fired.py``).
    redis_url: SecretStr | None = Field(default=None, validation_alias="UFD_REDIS_URL")

    @field_validator("upsales_token")
    @classmethod
    def _token(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value()
        if not token.strip() or not set(token) <= TOKEN_CHARS:
            raise ValueError("not an Upsales API key (letters, digits, '-', '_' and '.')")
        return value

    @field_validator("upsales_base_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        return None if value is None else require_https(value)


def _say(line: str) -> None:
    _console.print(line, markup=False, highlight=False, soft_wrap=True)


ServiceUrl = Annotated[
    str, typer.Option("--url", help="The service's public URL, e.g. https://ufd.example.com.")
]


@app.command("install")
def install_command(url: ServiceUrl) -> None:
    """Create or update the three triggers through Upsales' API (UFD_SYNC_UPSALES_TOKEN).

    Running it again changes nothing. Exit codes: 0 done; 2 a wrong --url; 3 a setting
    missing or invalid, or the key refused; 4 Upsales failed or refused a trigger.
    """
    raise typer.Exit(run_install(url, out=_say))


@app.command("status")
def status_command() -> None:
    """Whether the three triggers exist, are on, are up to date and send the secret.

    Exit codes: 0 ready; 1 one missing, off, changed or sending another secret; 3 a
    setting missing or invalid, or the key refused; 4 Upsales failed.
    """
    raise typer.Exit(run_status(out=_say))


def run_install(base: str, *, out: Out) -> int:
    try:
        settings = _settings()
        secret = hooks_cli.required_secret(
            settings.webhook_secret,
            SECRET_VARIABLE,
            "the triggers send it as their URL's last segment, and the service takes no "
            "call without it",
        )
        problem = check_secret(secret)
        if problem is not None:
            raise Stop(hooks_cli.BAD_CONFIG, problem)
        try:
            url = receiver_url(base, secret)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--url") from None
        done = _run(settings, lambda t: install(t, url, deadline=Deadline.after(DEADLINE_SECONDS)))
    except Stop as stop:
        out(stop.message)
        return stop.code
    for item in done:
        out(_installed(item))
    out(
        "The triggers send {{Contact.Id}} and {{Client.Id}}, placeholders no Upsales "
        "recording shows: change a contact and check that the service received its id."
    )
    return OK


def run_status(*, out: Out) -> int:
    try:
        settings = _settings()
        found = _run(settings, lambda t: present(t, deadline=Deadline.after(DEADLINE_SECONDS)))
    except Stop as stop:
        out(stop.message)
        return stop.code
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    times = _last_calls(settings)

    def line(item: Present) -> tuple[str, bool]:
        text, ready = _present(item, secret)
        return text if isinstance(times, str) else f"{text}; {said(times[item.spec.event])}", ready

    notes = []
    if secret is None:
        notes.append(f"{SECRET_VARIABLE} is not set here, so the triggers' secret was not checked.")
    if isinstance(times, str):
        notes.append(times)
    return hooks_cli.status(map(line, found), out, notes=notes, fix=FIX)


# -- the parts ----------------------------------------------------------------------------


def _installed(item: Installed) -> str:
    label = f"{item.spec.name} ({item.spec.event})"
    return hooks_cli.installed_line(label, item, noun="trigger", again="calls the service again")


def _present(item: Present, secret: str | None) -> tuple[str, bool]:
    label = f"{item.spec.name} ({item.spec.event})"
    if not item.found:
        return f"{label}: missing", False
    first = item.found[0]
    request = web_request(first)
    parts = [f"trigger {first.id}", "on" if first.active else "off"]
    parts.append(f"calls {shown_url(request[0])}" if request else "calls nothing")
    ready = first.active and request is not None
    if secret is not None:
        matches = sends_secret(first, secret)
        parts.append(f"sends {SECRET_VARIABLE}" if matches else "sends another secret")
        url = request[0] if request else ""
        current = matches and up_to_date(first, item.spec, url)
        parts.append("up to date" if current else "not as install makes it")
        ready = ready and current
    if len(item.found) > 1:
        parts.append(f"{len(item.found) - 1} more of the same name")
    return f"{label}: {', '.join(parts)}", ready


def _last_calls(settings: TriggerSettings) -> dict[str, float | None] | str:
    """When the service last took each trigger's call, or why it cannot be said."""
    if settings.redis_url is None:
        return NO_REDIS
    account = account_of(settings.upsales_token.get_secret_value())
    events = [spec.event for spec in SPECS]
    try:
        client = Redis.from_url(
            settings.redis_url.get_secret_value(),
            socket_timeout=REDIS_SECONDS,
            socket_connect_timeout=REDIS_SECONDS,
        )
    except ValueError:  # its text may hold the URL's password: never shown
        return "When each trigger last called: UFD_REDIS_URL is not a Redis URL."

    async def read() -> dict[str, float | None]:
        try:
            return await RedisFired(client).last(account, events)
        finally:
            await client.aclose()

    try:
        return asyncio.run(read())
    except (RedisError, OSError, ValueError):
        return "When each trigger last called: Redis (UFD_REDIS_URL) did not answer."


def _settings() -> TriggerSettings:
    return hooks_cli.load(
        TriggerSettings,
        prefix="",
        why="the triggers use the server's own Upsales key",
        # either variable may be the one set
        names={"UFD_SYNC_UPSALES_BASE_URL": "UFD_SYNC_UPSALES_BASE_URL or UFD_UPSALES_BASE_URL"},
    )


def _run(settings: TriggerSettings, work: Callable[[Triggers], Awaitable[T]]) -> T:
    return hooks_cli.run(
        lambda: UpsalesClient(
            settings.upsales_token.get_secret_value(),
            base_url=settings.upsales_base_url,
            registry=ThrottleRegistry(),  # one command, one event loop: throttles of its own
        ),
        lambda client: work(client.triggers),
        hook="trigger",
        forbidden="Upsales refused the triggers to UFD_SYNC_UPSALES_TOKEN (403): the key must "
        "be an admin's, on an account with triggers",
    )
