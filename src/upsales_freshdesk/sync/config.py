"""The sync's settings: from the environment (``UFD_SYNC_*``) or a config file, never argv."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from aiolimiter import AsyncLimiter
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ..clients import (
    FreshdeskClient,
    HttpSettings,
    Plan,
    RetryPolicy,
    ThrottleRegistry,
    UpsalesClient,
    list_limit,
    plan_limit,
    require_https,
)
from ..clients.daily import DailyCalls
from ..clients.hostnames import account_host
from ..clients.redis_budgets import SharedRegistry
from ..clients.redis_guard import RedisGuard, connect
from ..clients.throttle import SMOOTH_BURST_SHARE, UPSALES_LIMIT
from ..clients.upsales.client import TOKEN_CHARS
from ..settings import FieldMapping, check_link_field

#: A bulk run is patient: a 429 slows it down, it does not end it.
PATIENT = RetryPolicy(max_attempts=10, backoff_base=0.5, backoff_max=30, retry_after_max=120)
LONG_CALLS = HttpSettings(call_timeout=600, read_timeout=60)


class SyncCredentials(BaseSettings):
    """The sync's account and keys: all that ``serve``'s webhook reads of ``UFD_SYNC_*``
    (the rest are the sync's own, and a wrong one there must not stop the service)."""

    model_config = SettingsConfigDict(env_prefix="UFD_SYNC_", extra="ignore")

    freshdesk_domain: str
    freshdesk_api_key: SecretStr
    upsales_token: SecretStr

    @field_validator("freshdesk_domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        try:
            account_host(value)
        except ValueError:
            raise ValueError("not a Freshdesk subdomain or host name") from None
        return value

    @field_validator("freshdesk_api_key", "upsales_token")
    @classmethod
    def _key(cls, value: SecretStr) -> SecretStr:
        secret = value.get_secret_value()
        if not secret.strip():
            raise ValueError("empty")
        return value

    @field_validator("upsales_token")
    @classmethod
    def _token(cls, value: SecretStr) -> SecretStr:
        if not set(value.get_secret_value()) <= TOKEN_CHARS:
            raise ValueError("an Upsales API key holds only letters, digits, '-', '_' and '.'")
        return value


class SyncSettings(SyncCredentials):
    model_config = SettingsConfigDict(env_prefix="UFD_SYNC_", extra="ignore")

    freshdesk_plan: Plan = "pro"
    #: The share of Freshdesk's per-minute budget the sync may use; the rest is the agents'.
    share: float = Field(default=0.6, gt=0, le=1)
    state_path: Path = Path("sync-state.sqlite3")
    create_missing: bool = False
    freshdesk_base_url: str | None = None
    upsales_base_url: str | None = None
    #: Freshdesk field -> Upsales field; unset is every pair of the field table.
    field_mapping: FieldMapping | None = None
    #: Where the link to the Upsales contact is kept on the Freshdesk contact: the service's
    #: own setting (the card writes the links the sync follows).
    link_field: str = Field(default="unique_external_id", validation_alias="UFD_LINK_FIELD")
    #: Seconds in Freshdesk's rate-limit window (60; lower only to test against an emulator).
    freshdesk_window_seconds: float = Field(default=60.0, gt=0, le=60)
    #: The service's own settings, read from the same env file: with ``UFD_REDIS_URL`` the
    #: sync spends from the same windows as ``serve`` (the cards first), and counts the
    #: Upsales key's calls of the day with it.
    redis_url: SecretStr | None = Field(default=None, validation_alias="UFD_REDIS_URL")
    redis_timeout_seconds: float = Field(
        default=0.2, gt=0, le=2, validation_alias="UFD_REDIS_TIMEOUT_SECONDS"
    )
    processes: int | None = Field(default=None, ge=1, le=1024, validation_alias="UFD_PROCESSES")
    upsales_daily_cap: int = Field(default=99_999, ge=1, validation_alias="UFD_UPSALES_DAILY_CAP")

    @field_validator("link_field")
    @classmethod
    def _link_field(cls, value: str) -> str:
        return check_link_field(value)

    @field_validator("freshdesk_base_url", "upsales_base_url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        return None if value is None else require_https(value)

    @property
    def freshdesk_calls_per_window(self) -> int:
        return max(1, math.floor(plan_limit(self.freshdesk_plan) * self.share))

    @property
    def list_pages_per_window(self) -> int:
        return max(1, math.floor(list_limit(self.freshdesk_plan) * self.share))

    def list_limiter(self) -> AsyncLimiter:
        return AsyncLimiter(self.list_pages_per_window, self.freshdesk_window_seconds)

    @asynccontextmanager
    async def budgets(self) -> AsyncIterator[ThrottleRegistry]:
        """The throttles the run spends from: with ``UFD_REDIS_URL``, the windows ``serve``
        spends from too, in background mode (the sync takes only what the cards leave and
        never reserves ahead of them); else its own. Either stops at the daily cap."""
        daily = DailyCalls(cap=self.upsales_daily_cap)
        if self.redis_url is None:
            yield ThrottleRegistry(burst_share=SMOOTH_BURST_SHARE, daily=daily)
            return
        url = self.redis_url.get_secret_value()
        client = connect(url, timeout=self.redis_timeout_seconds)
        guard = RedisGuard(client, timeout=self.redis_timeout_seconds, processes=self.processes)
        try:
            await guard.warm_up()
            yield SharedRegistry(guard, background=True, daily=daily)
        finally:
            await guard.aclose()

    def clients(
        self,
        transports: dict[str, httpx.AsyncBaseTransport] | None = None,
        policy: RetryPolicy = PATIENT,
        registry: ThrottleRegistry | None = None,
    ) -> tuple[FreshdeskClient, UpsalesClient]:
        """The two clients, throttled to the sync's share (``transports`` for fakes)."""
        transports = transports or {}
        if registry is None:
            daily = DailyCalls(cap=self.upsales_daily_cap)
            registry = ThrottleRegistry(burst_share=SMOOTH_BURST_SHARE, daily=daily)
        freshdesk = FreshdeskClient(
            self.freshdesk_domain,
            self.freshdesk_api_key.get_secret_value(),
            plan=self.freshdesk_calls_per_window,
            base_url=self.freshdesk_base_url,
            settings=LONG_CALLS,
            policy=policy,
            registry=registry,
            transport=transports.get("freshdesk"),
            window_seconds=self.freshdesk_window_seconds,
        )
        upsales = UpsalesClient(
            self.upsales_token.get_secret_value(),
            base_url=self.upsales_base_url,
            settings=LONG_CALLS,
            policy=policy,
            registry=registry,
            transport=transports.get("upsales"),
            limit=max(1, math.floor(UPSALES_LIMIT * self.share)),
        )
        return freshdesk, upsales
