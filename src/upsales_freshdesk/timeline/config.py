"""What the operator chooses for the timeline (``UFD_TIMELINE_*``), with the defaults a
careful admin would pick: on, once an automation rule calls it; skip requesters who are
not in Upsales; send no ticket text."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from ..rules.language import DEFAULT, SUPPORTED, negotiate

#: ``always``: one activity from the ticket's creation on, kept up to date;
#: ``created``: one activity when the ticket is created, not changed afterwards;
#: ``resolved``: one activity once the ticket is resolved or closed, kept up to date.
When = Literal["always", "created", "resolved"]
Missing = Literal["skip", "create"]


def _names(value: object) -> object:
    if isinstance(value, str):
        return frozenset(p.strip().casefold() for p in value.split(",") if p.strip())
    if isinstance(value, list | tuple | set | frozenset):
        return frozenset(str(p).strip().casefold() for p in value if str(p).strip())
    return value


class TimelineSettings(BaseSettings):
    """Read from the environment (or ``.env``); every list is comma-separated."""

    model_config = SettingsConfigDict(env_prefix="UFD_TIMELINE_", env_file=".env", extra="ignore")

    #: Off: the ticket-event webhook answers 404, as if it did not exist.
    enabled: bool = False
    when: When = "always"
    #: Freshdesk group ids whose tickets are logged (empty: every group) and those never.
    include_groups: Annotated[frozenset[str], NoDecode] = frozenset()
    exclude_groups: Annotated[frozenset[str], NoDecode] = frozenset()
    #: Ticket types (their names, any case).
    include_types: Annotated[frozenset[str], NoDecode] = frozenset()
    exclude_types: Annotated[frozenset[str], NoDecode] = frozenset()
    #: Tags: a ticket with any excluded tag is skipped; with includes, it needs one of them.
    include_tags: Annotated[frozenset[str], NoDecode] = frozenset()
    exclude_tags: Annotated[frozenset[str], NoDecode] = frozenset()
    #: The activity type, by id or name; unset, the one "Log this ticket" uses.
    activity_type: str | None = None
    #: A requester who is not in Upsales: skipped, or created on the account their email's
    #: domain matches (only when exactly one does), as the card's create action would.
    missing_requester: Missing = "skip"
    #: Also copy the first lines of the ticket's description into the activity. It moves
    #: contact data into the CRM: PRIVACY.md.
    send_description: bool = False
    #: How many lines of the description, when sent.
    description_lines: int = Field(default=5, ge=1, le=50)
    #: The language of the activity's lines ("Status: Open", "Agent: ..."), as the
    #: account's Upsales users read them: en, sv, nb, da or fi (or a Freshdesk code such
    #: as sv-SE or nb-NO). No agent is there to give one: rules call the webhook.
    language: str = "en"
    #: The share of each plan (Freshdesk's per minute, the Upsales key's per 10 s) the
    #: jobs may use in any window; the rest is the agents'. With Redis the jobs also take
    #: only what the cards leave.
    share: float = Field(default=0.6, gt=0, le=1)
    #: Jobs worked at once by each process, and the most that may wait.
    concurrency: int = Field(default=4, ge=1, le=64)
    max_pending: int = Field(default=10_000, ge=100, le=1_000_000)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        code = negotiate(value)
        if code == DEFAULT and not value.strip().lower().startswith(DEFAULT):
            raise ValueError(f"not one of the languages {', '.join(SUPPORTED)}: {value!r}")
        return code

    @field_validator(
        "include_groups",
        "exclude_groups",
        "include_types",
        "exclude_types",
        "include_tags",
        "exclude_tags",
        mode="before",
    )
    @classmethod
    def _split(cls, value: object) -> object:
        return _names(value)
