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
from pydantic import ValidationError as SettingsInvalid
from pydantic_settings import BaseSettings, SettingsConfigDict
from redis.asyncio import Redis
from redis.exceptions import RedisError
from rich.console import Console

from ..clients import (
    AuthenticationError,
    Deadline,
    PermissionDeniedError,
    ThrottleRegistry,
    UpsalesClient,
    UpstreamError,
    ValidationError,
    require_https,
)
from ..clients.upsales.client import TOKEN_CHARS
from ..clients.upsales.triggers import Triggers
from ..settings import invalid_setting
from .fired import RedisFired, account_of, said
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

OK, NOT_READY, BAD_CONFIG, STOPPED = 0, 1, 3, 4
#: All of a command's calls are done within this.
DEADLINE_SECONDS = 60.0
#: Where the time of each trigger's last call is, when ``UFD_REDIS_URL`` is not set here.
NO_REDIS = (
    "When each trigger last called: the service keeps it in Redis (UFD_REDIS_URL, not set "
    "here) and shows it in /metrics as ufd_trigger_last_call_timestamp_seconds; Upsales' "
    "API does not say."
)
#: Longest the command waits for Redis.
REDIS_SECONDS = 5.0
T = TypeVar("T")
Out = Callable[[str], None]

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


class Stop(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


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
        if settings.webhook_secret is None:
            raise Stop(
                BAD_CONFIG,
                f"{SECRET_VARIABLE}: not set; the triggers send it as their URL's last "
                "segment, and the service takes no call without it",
            )
        secret = settings.webhook_secret.get_secret_value()
        problem = check_secret(secret)
        if problem is not None:
            raise Stop(BAD_CONFIG, problem)
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
    code = OK
    for item in found:
        line, ready = _present(item, secret)
        out(line if isinstance(times, str) else f"{line}; {said(times[item.spec.event])}")
        code = code if ready else NOT_READY
    if secret is None:
        out(f"{SECRET_VARIABLE} is not set here, so the triggers' secret was not checked.")
    if isinstance(times, str):
        out(times)
    if code != OK:
        out("To fix it: upsales-freshdesk triggers install --url https://<the service's host>")
    return code


# -- the parts ----------------------------------------------------------------------------


def _installed(item: Installed) -> str:
    line = f"{item.spec.name} ({item.spec.event}): {item.result}, trigger {item.found.id}"
    if item.duplicates:
        ids = ", ".join(str(i) for i in item.duplicates)
        which = f"triggers {ids} have" if len(item.duplicates) > 1 else f"trigger {ids} has"
        line += f"; {which} the same name and each calls the service again: delete them"
    return line


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
    try:
        return TriggerSettings()
    except (SettingsInvalid, ValueError) as exc:
        reason = invalid_setting(exc, prefix="")
        if reason.startswith("UFD_SYNC_UPSALES_BASE_URL:"):  # either variable may be the one set
            reason = "UFD_SYNC_UPSALES_BASE_URL or UFD_UPSALES_BASE_URL" + reason[25:]
        raise Stop(BAD_CONFIG, f"{reason}; the triggers use the server's own Upsales key") from None


def _run(settings: TriggerSettings, work: Callable[[Triggers], Awaitable[T]]) -> T:
    async def main() -> T:
        client = UpsalesClient(
            settings.upsales_token.get_secret_value(),
            base_url=settings.upsales_base_url,
            registry=ThrottleRegistry(),  # one command, one event loop: throttles of its own
        )
        async with client:
            try:
                return await work(client.triggers)
            except UpstreamError as error:
                raise _stopped(error) from None

    return asyncio.run(main())


def _stopped(error: UpstreamError) -> Stop:
    if isinstance(error, AuthenticationError):
        return Stop(BAD_CONFIG, "Upsales refused UFD_SYNC_UPSALES_TOKEN (401): check it")
    if isinstance(error, PermissionDeniedError):
        return Stop(
            BAD_CONFIG,
            "Upsales refused the triggers to UFD_SYNC_UPSALES_TOKEN (403): the key must be "
            "an admin's, on an account with triggers",
        )
    if isinstance(error, ValidationError):
        said = "; ".join(f"{e.field}: {e.message}" for e in error.field_errors) or str(error)
        return Stop(STOPPED, f"Upsales refused the trigger ({said})")
    return Stop(
        STOPPED,
        f"stopped: Upsales {error.kind} on {error.method} {error.path}; what was done "
        "stays, and running the command again finishes it",
    )
