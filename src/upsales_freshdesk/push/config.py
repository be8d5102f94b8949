"""What the operator chooses for Upsales' pushes (``UFD_PUSH_*``)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class PushSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="UFD_PUSH_", env_file=".env", extra="ignore")

    #: Off: the receiver answers 404, as if it did not exist.
    enabled: bool = False
    #: The secret Upsales' triggers send (a header, or the URL's last segment where a
    #: trigger cannot set headers). ``serve`` applies the service secret's rule to it.
    secret: SecretStr | None = Field(default=None, validation_alias="UFD_UPSALES_WEBHOOK_SECRET")
    #: Seconds a record's pokes are gathered before its one job runs.
    coalesce_seconds: float = Field(default=2.0, ge=0, le=60)
    #: Create a Freshdesk contact for an Upsales contact that has none (as ``sync``'s
    #: ``UFD_SYNC_CREATE_MISSING``); off, such pokes change nothing.
    create_missing: bool = False
    #: The share of each plan the jobs may use (the rest is the agents').
    share: float = Field(default=0.6, gt=0, le=1)
