"""Typed operator settings, read from the environment (prefix ``UFD_``) or a ``.env`` file."""

from __future__ import annotations

import re
import string
from functools import lru_cache
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from .clients import Plan, require_https
from .clients.freshdesk.models import ContactField as FreshdeskField
from .clients.upsales.models import ContactField as UpsalesField

DEFAULT_FRAME_ANCESTORS = (
    "https://*.freshdesk.com",
    "https://*.freshworks.com",
    "https://*.myfreshworks.com",
    "https://*.freshdev.io",
)


LINK_FIELDS = frozenset({"contact_id", "account_id"})
DEAL_LINK_FIELDS = LINK_FIELDS | {"deal_id"}
ACTIVITY_LINK_FIELDS = LINK_FIELDS | {"activity_id"}
#: Freshdesk contact field -> Upsales contact field.
FieldMapping = dict[FreshdeskField, UpsalesField]


def check_link_template(template: str, fields: frozenset[str] = LINK_FIELDS) -> str:
    """Refuse a link template with fields other than ``fields`` (``{contact_id}``...), or
    one that is not an absolute http(s) URL."""
    if not template.lower().startswith(("https://", "http://")):
        raise ValueError("a link template must start with https:// (or http://)")
    for _, name, spec, conv in string.Formatter().parse(template):
        if name is not None and (name not in fields or spec or conv):
            raise ValueError(f"the link template may use only {sorted(fields)}")
    return template


_CUSTOM_FIELD = re.compile(r"^custom_fields\.[a-z0-9_]{1,64}$")


def check_link_field(value: str) -> str:
    """``UFD_LINK_FIELD``: ``unique_external_id`` or ``custom_fields.<field name>``."""
    text = value.strip()
    if text == "unique_external_id" or _CUSTOM_FIELD.fullmatch(text):
        return text
    raise ValueError("the link field is unique_external_id or custom_fields.<field name>")


def _csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    """What the operator of the backend configures. Requests can change none of it."""

    model_config = SettingsConfigDict(env_prefix="UFD_", env_file=".env", extra="ignore")

    #: Override of the Freshdesk base URL (emulators and tests). Production leaves it unset:
    #: the upstream is then ``https://{domain}/api/v2/`` for the validated domain.
    freshdesk_base_url: str | None = None
    #: Override of the Upsales base URL (emulators and tests).
    upsales_base_url: str | None = None
    #: Every call must carry ``Authorization: Bearer <secret>``. ``serve`` refuses to start
    #: without one (on any host), or with one shorter than :data:`MIN_SECRET_LENGTH`.
    service_secret: SecretStr | None = None
    #: ``serve --allow-no-secret``: run without a service secret, knowingly (an open
    #: relay). The service then warns at start and on ``/healthz``.
    allow_no_secret: bool = False
    #: Proxies whose ``X-Forwarded-For``/``-Proto`` are believed (addresses or networks);
    #: from anyone else those headers change nothing.
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ("127.0.0.1", "::1")
    #: When set, ``/metrics`` needs ``Authorization: Bearer <token>``; unset, it answers
    #: only callers on loopback. Set, it follows the service secret's rule at start.
    metrics_token: SecretStr | None = None
    #: Enables the ticket-created webhook; callers send it as ``X-Webhook-Secret``. Set, it
    #: follows the service secret's rule at start.
    webhook_secret: SecretStr | None = None
    #: Let the webhook take credentials from request headers when the server has none of
    #: its own (``UFD_SYNC_*``). Off: the automation rule would carry both API keys.
    webhook_header_credentials: bool = False
    #: Selective access: when not empty, only these Freshdesk domains are served.
    allowed_accounts: Annotated[frozenset[str], NoDecode] = frozenset()
    #: Hosts besides ``*.freshdesk.com`` accepted as a Freshdesk domain (custom domains).
    extra_freshdesk_hosts: Annotated[frozenset[str], NoDecode] = frozenset()
    #: Origins allowed to frame the service's pages (CSP ``frame-ancestors``).
    frame_ancestors: Annotated[tuple[str, ...], NoDecode] = DEFAULT_FRAME_ANCESTORS
    #: "Open in Upsales" link; ``{contact_id}`` and ``{account_id}`` are filled in.
    upsales_contact_url: str = "https://power.upsales.com/#/contacts/{contact_id}/"
    #: A deal's link (``{deal_id}``, ``{contact_id}``, ``{account_id}``). The default opens
    #: the contact, where its deals are listed: Upsales documents no deal URL.
    upsales_deal_url: str = "https://power.upsales.com/#/contacts/{contact_id}/"
    #: An activity's link (``{activity_id}``, ``{contact_id}``, ``{account_id}``); the
    #: default opens the contact, for the same reason.
    upsales_activity_url: str = "https://power.upsales.com/#/contacts/{contact_id}/"
    #: The Upsales activity type "Log this ticket" uses, by id or name. Unset: the first of
    #: "Support" and "Ticket" that exists, else the type that is not a to-do.
    log_activity_type: str | None = None
    #: Where the link to the Upsales contact is kept on the Freshdesk contact:
    #: ``unique_external_id`` (as ``upsales:<id>``) or ``custom_fields.<name>``, a custom
    #: single-line text contact field (``rules/contact_link.py``).
    link_field: str = "unique_external_id"
    #: The country of phone numbers typed without a country code (ISO 3166 alpha-2), when
    #: the card compares phones as E.164.
    phone_region: str = Field(default="SE", pattern=r"^[A-Za-z]{2}$")
    #: Freshdesk plan of the accounts served (for client-side throttling), or calls/min.
    freshdesk_plan: Plan = "growth"
    #: The card endpoint answers within this many seconds, whatever the upstreams do.
    card_deadline_seconds: float = Field(default=8.0, gt=0, le=12)
    #: Freshdesk contact field -> Upsales contact field, for the card's differences, "Update
    #: Freshdesk" and the webhook. Unset: every pair of the field table (``rules/fields.py``).
    field_mapping: FieldMapping | None = None
    #: Largest upstream answer read, in bytes; a bigger one is refused as malformed.
    max_upstream_bytes: int = Field(default=16 * 1024 * 1024, ge=64 * 1024, le=256 * 1024 * 1024)
    #: A repeated action (same idempotency key) within this many seconds answers the first
    #: result instead of writing again.
    idempotency_window_seconds: float = Field(default=600.0, ge=10, le=86_400)
    #: A request body whose next chunk takes longer than this is refused (408). Slow
    #: headers are the TLS proxy's to cut off (``deploy/Caddyfile``).
    body_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    #: Connections and requests served at once by one worker; more get 503.
    max_connections: int = Field(default=1000, ge=10, le=100_000)
    #: Largest request body accepted, in bytes.
    max_body_bytes: int = Field(default=16_384, ge=1024, le=1_048_576)
    #: Redis (``redis://[:password@]host:port/db``, ``rediss://`` for TLS) shared by every
    #: worker and replica: per-account throttles, retry budgets and idempotency locks.
    #: Unset: each process keeps its own, in memory.
    redis_url: SecretStr | None = None
    #: Each Redis call gives up after this many seconds; the process then uses its own
    #: in-memory state for a few seconds (never an error to the caller).
    redis_timeout_seconds: float = Field(default=0.2, gt=0, le=2)
    #: Length of Freshdesk's rate-limit window for ``freshdesk_plan`` (60: calls a minute).
    #: Only the emulators' scaled-down tests and benchmarks change it.
    freshdesk_window_seconds: float = Field(default=60.0, gt=0, le=3600)
    #: Processes that share each upstream plan through ``UFD_REDIS_URL`` (replicas times
    #: workers, the sync included). While Redis fails each keeps to 1/this of a plan.
    #: Unset: counted from the processes' heartbeats in Redis (2 until one is counted).
    processes: int | None = Field(default=None, ge=1, le=1024)
    #: Upsales calls a key may make in a day (UTC). Upsales' API terms bill above 99,999.
    #: ``/healthz`` warns at 80 %; the sync stops at the cap (exit 6).
    upsales_daily_cap: int = Field(default=99_999, ge=1)
    #: Also refuse the card's Upsales calls past the cap (off: agents keep their card).
    upsales_daily_cap_stops_cards: bool = False

    @field_validator("allowed_accounts", "extra_freshdesk_hosts", mode="before")
    @classmethod
    def _lower_set(cls, value: object) -> object:
        items = _csv(value)
        if isinstance(items, list | set | frozenset | tuple):
            return frozenset(str(i).strip().lower() for i in items if str(i).strip())
        return items

    @field_validator("frame_ancestors", "trusted_proxies", mode="before")
    @classmethod
    def _tuple(cls, value: object) -> object:
        items = _csv(value)
        return tuple(items) if isinstance(items, list) else items

    @field_validator("freshdesk_base_url", "upsales_base_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        return None if value is None else require_https(value)

    @field_validator("link_field")
    @classmethod
    def _link_field(cls, value: str) -> str:
        return check_link_field(value)

    @field_validator("upsales_contact_url")
    @classmethod
    def _link(cls, value: str) -> str:
        return check_link_template(value)

    @field_validator("upsales_deal_url")
    @classmethod
    def _deal_link(cls, value: str) -> str:
        return check_link_template(value, DEAL_LINK_FIELDS)

    @field_validator("upsales_activity_url")
    @classmethod
    def _activity_link(cls, value: str) -> str:
        return check_link_template(value, ACTIVITY_LINK_FIELDS)


#: The shortest secret ``serve`` accepts (service secret, metrics token, webhook secret):
#: 32 characters, as ``secrets.token_urlsafe(24)`` gives, are out of reach of guessing.
MIN_SECRET_LENGTH = 32
#: The environment variable of each secret, for the messages at start.
SECRET_VARIABLES = {
    "service_secret": "UFD_SERVICE_SECRET",
    "metrics_token": "UFD_METRICS_TOKEN",
    "webhook_secret": "UFD_WEBHOOK_SECRET",
}


GENERATE = "make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"


class StartupError(Exception):
    """A setting that stops the service at start. Its message is one line that names the
    variable, shown to the operator as it is (never a traceback)."""


def secret_problem(name: str, value: str) -> str | None:
    """What is wrong with a configured secret, or None. The token a caller presents is
    compared byte for byte, and an HTTP header cannot carry what this refuses."""
    if not value:
        return f"{name} is set but empty"
    if len(value) < MIN_SECRET_LENGTH:
        return f"{name} is {len(value)} characters long; it needs at least {MIN_SECRET_LENGTH}"
    if not all("!" <= c <= "~" for c in value):
        # Spaces at either end are dropped by HTTP parsers and non-ASCII is not sent as
        # typed: such a secret could never match. Inner spaces are refused for the same
        # simplicity as a bearer token (RFC 6750's b64token has none).
        return f"{name} holds a space, a control or a non-ASCII character"
    return None


def check_startup(settings: Settings) -> None:
    """Refuse what must stop ``serve`` at start: no service secret unless
    ``allow_no_secret``, and any configured secret that is empty, short or unsendable."""
    if settings.service_secret is None and not settings.allow_no_secret:
        raise StartupError(
            "UFD_SERVICE_SECRET is not set: anyone who holds keys to a Freshdesk account could "
            f"use the service as a relay. Set it ({MIN_SECRET_LENGTH}+ characters; {GENERATE}) "
            "and the same secret in the app's settings, or pass --allow-no-secret to accept "
            "the risk"
        )
    for field, name in SECRET_VARIABLES.items():
        secret: SecretStr | None = getattr(settings, field)
        problem = None if secret is None else secret_problem(name, secret.get_secret_value())
        if problem:
            raise StartupError(f"{problem} ({GENERATE})")


def invalid_setting(exc: ValueError, prefix: str = "UFD_") -> str:
    """One line for a setting that does not parse, naming its variable. Never the value:
    pydantic's own text quotes it, and it may be a secret."""
    if not isinstance(exc, ValidationError):
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    error = exc.errors()[0]
    name = prefix + "_".join(str(part) for part in error["loc"][:1]).upper()
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{name}: {error['msg'].removeprefix('Value error, ')}{more}"


def operator_warnings(settings: Settings, *, public: bool) -> list[str]:
    """What an operator should hear about at start and on ``/healthz``: an open relay (no
    service secret: ``serve`` runs so only with ``--allow-no-secret``, and the in-process
    demo is not public) and an empty account allowlist."""
    warnings = []
    if settings.service_secret is None and (public or settings.allow_no_secret):
        warnings.append("no UFD_SERVICE_SECRET: any caller with Freshdesk keys can use the service")
    if not settings.allowed_accounts:
        warnings.append("UFD_ALLOWED_ACCOUNTS is empty: every *.freshdesk.com account is served")
    return warnings


#: ``/healthz`` warns when an Upsales key has made this part of its day's calls.
DAILY_WARN_SHARE = 0.8


def daily_warnings(settings: Settings, counts: dict[str, int]) -> list[str]:
    """A warning per Upsales key (by its hash, never the key) past 80 % of the daily cap."""
    cap = settings.upsales_daily_cap
    return [
        f"Upsales key {key.rsplit(':', 1)[-1]} made {count} of its {cap} calls today "
        "(UFD_UPSALES_DAILY_CAP)"
        for key, count in sorted(counts.items())
        if count >= cap * DAILY_WARN_SHARE
    ]


@lru_cache
def get_settings() -> Settings:
    return Settings()
